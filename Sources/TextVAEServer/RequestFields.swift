#if Server
    import Foundation
    import Hummingbird

    /// A request's JSON body, read strictly: only the fields a route names, each of the type it expects.
    /// Every error says which field is wrong and what it should be.
    struct RequestFields {
        private let fields: [String: JSONValue]

        /// Reads the body (at most `limit` bytes; an empty body is `{}`) and refuses fields not in `allowed`.
        static func read(_ request: Request, limit: Int, allowed: [String], timeout: Double = 10) async throws -> RequestFields {
            let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask {
                    do {
                        return try await request.body.collect(upTo: limit)
                    } catch {
                        throw APIError.tooLarge(
                            "the request body is over the server's limit of \(limit) bytes (textvae serve --max-body-bytes)")
                    }
                }
                group.addTask {  // a body trickled in a byte at a time must not hold the connection forever
                    try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                guard let body = first else {
                    throw APIError(.requestTimeout, "the request body did not arrive within \(timeout) s (textvae serve --read-timeout)")
                }
                return body
            }
            if buffer.readableBytes == 0 { return RequestFields(fields: [:]) }
            let value: JSONValue
            do {
                value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
            } catch {
                throw APIError.badRequest("the body is not valid JSON (\(Self.reason(error))); send an object such as {\"n\": 5}")
            }
            guard case .object(let fields) = value else {
                throw APIError.badRequest("the body must be a JSON object, such as {\"n\": 5}; got \(value.typeName)")
            }
            if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw APIError.badRequest("unknown field '\(unknown)'; this route takes: \(allowed.joined(separator: ", "))")
            }
            return RequestFields(fields: fields)
        }

        private static func reason(_ error: any Error) -> String {
            if case DecodingError.dataCorrupted(let context) = error {
                let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return underlying ?? context.debugDescription
            }
            return "\(error)"
        }

        func has(_ key: String) -> Bool { fields[key] != nil && fields[key] != .null }

        private func wrongType(_ key: String, _ expected: String) -> APIError {
            .badRequest("'\(key)' must be \(expected), got \(fields[key]!.typeName)")
        }

        func int(_ key: String) throws -> Int? {
            switch fields[key] {
            case nil, .null: return nil
            case .int(let i): return i
            case .double(let d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
            default: throw wrongType(key, "an integer")
            }
        }

        func seed(_ key: String) throws -> UInt64? {
            switch fields[key] {
            case nil, .null: return nil
            case .int(let i) where i >= 0: return UInt64(i)
            case .uint(let u): return u
            default: throw APIError.badRequest("'\(key)' must be an integer from 0 to \(UInt64.max)")
            }
        }

        func double(_ key: String) throws -> Double? {
            switch fields[key] {
            case nil, .null: return nil
            case .int(let i): return Double(i)
            case .uint(let u): return Double(u)
            case .double(let d): return d
            default: throw wrongType(key, "a number")
            }
        }

        func bool(_ key: String) throws -> Bool? {
            switch fields[key] {
            case nil, .null: return nil
            case .bool(let b): return b
            default: throw wrongType(key, "true or false")
            }
        }

        func string(_ key: String) throws -> String? {
            switch fields[key] {
            case nil, .null: return nil
            case .string(let s): return s
            default: throw wrongType(key, "a string")
            }
        }

        func strings(_ key: String) throws -> [String]? {
            switch fields[key] {
            case nil, .null: return nil
            case .array(let items):
                return try items.map {
                    guard case .string(let s) = $0 else { throw wrongType(key, "an array of strings") }
                    return s
                }
            default: throw wrongType(key, "an array of strings")
            }
        }

        func floats(_ key: String) throws -> [Float]? {
            switch fields[key] {
            case nil, .null: return nil
            case .array(let items):
                return try items.map {
                    switch $0 {
                    case .int(let i): return Float(i)
                    case .double(let d): return Float(d)
                    default: throw wrongType(key, "an array of numbers")
                    }
                }
            default: throw wrongType(key, "an array of numbers")
            }
        }

        /// A count in 1...limit (default when absent): over the limit is 413 and names the server option that sets it.
        func count(_ key: String, default value: Int, limit: Int, option: String) throws -> Int {
            let n = try int(key) ?? value
            if n < 1 { throw APIError.unprocessable("'\(key)' must be at least 1, got \(n)") }
            if n > limit {
                throw APIError.tooLarge("'\(key)' is \(n), over this server's limit of \(limit) (textvae serve \(option))")
            }
            return n
        }
    }
#endif
