#if Server
    import Foundation
    import TextVAE

    extension ModelServer {
        /// The length fields every decoding route takes.
        static let lengthFields = ["max_length", "no_unk", "raw"]
        /// The decoder fields of `sample`.
        static let decoderFields = ["decoder", "temperature", "top_k", "top_p", "beam_width"]
        /// The class to decode with, in a model with classes (`--with-label`, `--with-class` of the commands).
        static let classFields = ["with_label", "with_class"]

        /// The class a request asks for by `with_label` (a name) or `with_class` (a number); nil when it names none.
        func askedClass(_ fields: RequestFields) throws -> Int? {
            let label = try fields.string("with_label"), number = try fields.int("with_class")
            if label != nil && number != nil { throw APIError.unprocessable("give either 'with_label' or 'with_class', not both") }
            let model = worker.model
            if (label != nil || number != nil) && model.classes == 0 {
                throw APIError.unprocessable(
                    "this model has no classes (it was trained without labels or --classes); leave out 'with_label' and 'with_class'")
            }
            if let label {
                guard let k = model.classNames.firstIndex(of: label) else {
                    throw APIError.unprocessable(
                        "this model has no class '\(label)'; its classes are: \(model.classNames.joined(separator: ", "))")
                }
                return k
            }
            if let number {
                guard number >= 0 && number < model.classes else {
                    throw APIError.unprocessable(
                        "'with_class' is \(number); this model has classes 0 to \(model.classes - 1) (\(model.classNames.joined(separator: ", ")))"
                    )
                }
                return number
            }
            return nil
        }

        /// Decoding options from a request's fields, by the rule `textvae sample` follows (`DecodingChoice`); without
        /// decoder fields, greedy. `max_length` may not exceed the model's. The repetition rule applies unless
        /// `raw` is true, as in `textvae sample --raw`.
        func decodingOptions(_ fields: RequestFields, maxLength modelMax: Int) throws -> DecodingOptions {
            let choice = DecodingChoice(
                decoder: try fields.string("decoder"), temperature: try fields.double("temperature").map(Float.init),
                topK: try fields.int("top_k"), topP: try fields.double("top_p").map(Float.init), beamWidth: try fields.int("beam_width"))
            let vocabulary = worker.model.model.config.vocabulary
            if let k = choice.topK, k > vocabulary {
                throw APIError.unprocessable(
                    "'top_k' is \(k), more than the model's \(vocabulary) words; give at most \(vocabulary) (0: all)")
            }
            if let width = choice.beamWidth, width > settings.maxBeamWidth {
                throw APIError.tooLarge(
                    "'beam_width' is \(width), over this server's limit of \(settings.maxBeamWidth) (textvae serve --max-beam-width)")
            }
            let method: DecodingMethod
            do {
                method = try choice.method(maxBeamWidth: settings.maxBeamWidth) { "'\($0)'" }
            } catch let error as TextVAEError {
                throw APIError.unprocessable(error.description)
            }
            let maxLength = try fields.int("max_length")
            if let maxLength, maxLength < 1 || maxLength > modelMax {
                throw APIError.unprocessable("'max_length' must be between 1 and the model's max_length, \(modelMax); got \(maxLength)")
            }
            return DecodingOptions(
                method: method, maxLength: maxLength, forbidUnknown: try fields.bool("no_unk") ?? false,
                repetition: try fields.bool("raw") == true ? .off : .standard)
        }

        /// A hypothesis as the API shows it (the fields of `textvae sample --format jsonl`).
        static func json(_ h: Hypothesis, _ model: TrainedModel) -> [String: JSONValue] {
            [
                "text": .string(model.text(h.tokens)),
                "tokens": .strings(h.tokens.map { model.vocabulary.tokens[Int($0)] }),
                "log_prob": .double(h.logProbability),
                "length_cap": .bool(h.reachedLengthCap),
            ]
        }
    }
#endif
