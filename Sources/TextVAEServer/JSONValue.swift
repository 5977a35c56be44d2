#if Server
    import Foundation
    import Hummingbird
    import TextVAE

    /// A JSON value: what request bodies are read into (so that unknown fields and wrong types can be
    /// named in the error) and what responses are written from (floats in their shortest form).
    enum JSONValue: Equatable, Sendable {
        case null
        case bool(Bool)
        case int(Int)
        /// An integer above `Int.max` (a 64-bit seed).
        case uint(UInt64)
        case double(Double)
        case float(Float)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        /// How the value is named in an error: its JSON type.
        var typeName: String {
            switch self {
            case .null: "null"
            case .bool: "a boolean"
            case .int, .uint: "an integer"
            case .double, .float: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }

        /// Compact JSON text; the keys of objects sorted, so that equal values give equal bytes.
        /// Non-finite numbers (which JSON cannot write) become null.
        var text: String {
            var out = ""
            write(to: &out)
            return out
        }

        private func write(to out: inout String) {
            switch self {
            case .null: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .uint(let u): out += String(u)
            case .double(let d): out += d.isFinite ? "\(d)" : "null"
            case .float(let f): out += f.isFinite ? "\(f)" : "null"
            case .string(let s): out += jsonString(s)
            case .array(let items):
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += "," }
                    item.write(to: &out)
                }
                out += "]"
            case .object(let fields):
                out += "{"
                for (i, key) in fields.keys.sorted().enumerated() {
                    if i > 0 { out += "," }
                    out += jsonString(key)
                    out += ":"
                    fields[key]!.write(to: &out)
                }
                out += "}"
            }
        }

        static func floats(_ values: some Sequence<Float>) -> JSONValue { .array(values.map { .float($0) }) }
        static func strings(_ values: some Sequence<String>) -> JSONValue { .array(values.map { .string($0) }) }
    }

    extension JSONValue: Decodable {
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? c.decode(Int.self) {
                self = .int(i)
            } else if let u = try? c.decode(UInt64.self) {
                self = .uint(u)
            } else if let d = try? c.decode(Double.self) {
                self = .double(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([JSONValue].self) {
                self = .array(a)
            } else {
                self = .object(try c.decode([String: JSONValue].self))
            }
        }
    }

    extension Response {
        /// A JSON response.
        static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
            Response(
                status: status, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: value.text + "\n")))
        }
    }
#endif
