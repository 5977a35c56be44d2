#if Server
    import Foundation
    @testable import TextVAEServer

    /// The part of JSON Schema that the server's OpenAPI document uses for its responses: `type` (one or a list),
    /// `properties`, `required`, `items`, `additionalProperties` (false or a schema), `enum`, `oneOf` and `$ref` into
    /// `#/components/schemas`. Anything else in a schema is a description and is ignored.
    struct JSONSchemaCheck {
        let document: JSONValue

        /// What in `value` breaks `schema`, each problem with its place ("$.sentences[0].text"); empty when it fits.
        func problems(_ value: JSONValue, _ schema: JSONValue, at place: String = "$") -> [String] {
            guard case .object(let rule) = schema else { return ["\(place): the schema is not an object"] }
            if case .string(let ref)? = rule["$ref"] {
                guard let target = resolve(ref) else { return ["\(place): no schema at \(ref)"] }
                return problems(value, target, at: place)
            }
            if case .array(let choices)? = rule["oneOf"] {
                let fitting = choices.filter { problems(value, $0, at: place).isEmpty }.count
                if fitting != 1 { return ["\(place): fits \(fitting) of the oneOf schemas, not exactly one"] }
            }
            if let types = rule["type"] {
                let names: [String]
                switch types {
                case .string(let t): names = [t]
                case .array(let list): names = list.compactMap { if case .string(let t) = $0 { t } else { nil } }
                default: return ["\(place): 'type' is neither a string nor a list"]
                }
                guard names.contains(where: { Self.fits(value, type: $0) }) else {
                    return ["\(place): \(value.typeName) where \(names) was documented"]
                }
            }
            if case .array(let allowed)? = rule["enum"], !allowed.contains(value) {
                return ["\(place): \(value.text) is not one of \(JSONValue.array(allowed).text)"]
            }
            var found: [String] = []
            switch value {
            case .object(let fields):
                var properties: [String: JSONValue] = [:]
                if case .object(let p)? = rule["properties"] { properties = p }
                if case .array(let required)? = rule["required"] {
                    for case .string(let name) in required where fields[name] == nil {
                        found.append("\(place): '\(name)' is required but missing")
                    }
                }
                for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                    if let property = properties[name] {
                        found += problems(field, property, at: "\(place).\(name)")
                    } else if rule["additionalProperties"] == .bool(false) {
                        found.append("\(place): '\(name)' is not documented")
                    } else if let extra = rule["additionalProperties"], case .object = extra {
                        found += problems(field, extra, at: "\(place).\(name)")
                    }
                }
            case .array(let items):
                if let item = rule["items"] {
                    for (i, element) in items.enumerated() { found += problems(element, item, at: "\(place)[\(i)]") }
                }
            default:
                break
            }
            return found
        }

        static func fits(_ value: JSONValue, type: String) -> Bool {
            switch (type, value) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
            case ("integer", .int), ("integer", .uint): true
            case ("number", .int), ("number", .uint), ("number", .double), ("number", .float): true
            default: false
            }
        }

        /// `#/components/schemas/Name` (any `#/a/b/c` path into the document).
        func resolve(_ ref: String) -> JSONValue? {
            guard ref.hasPrefix("#/") else { return nil }
            var node = document
            for key in ref.dropFirst(2).split(separator: "/") {
                guard case .object(let fields) = node, let next = fields[String(key)] else { return nil }
                node = next
            }
            return node
        }

        /// The documented schema of the JSON reply to `method path` with `status`; nil when it is not documented.
        func responseSchema(_ method: String, _ path: String, status: Int) -> JSONValue? {
            guard case .object(let paths)? = field(document, "paths"), case .object(let operations)? = paths[path],
                case .object(let operation)? = operations[method.lowercased()],
                case .object(let responses)? = operation["responses"]
            else { return nil }
            guard var response = responses[String(status)] ?? responses["default"] else { return nil }
            if case .string(let ref)? = field(response, "$ref"), let target = resolve(ref) { response = target }
            guard case .object(let content)? = field(response, "content") else { return nil }
            let json = content.first { $0.key.hasPrefix("application/json") }?.value
            return json.flatMap { field($0, "schema") }
        }

        private func field(_ value: JSONValue, _ key: String) -> JSONValue? {
            if case .object(let fields) = value { return fields[key] }
            return nil
        }
    }
#endif
