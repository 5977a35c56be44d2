#if Server
    import Foundation
    import Hummingbird
    import TextVAE

    extension ModelServer {
        /// `/` (the page), `/healthz`, `/openapi.json`, `/metrics` and `GET /v1/model`.
        func addInfoRoutes(_ router: Router<BasicRequestContext>) {
            router.get("/") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.index_html)))
            }
            router.get("healthz") { _, _ in Response.json(.object(["status": .string("ok")])) }
            // The API's description (OpenAPI 3.1): every route, field and error; ServerContractTests checks replies against it.
            router.get("openapi.json") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
            }
            router.get("metrics") { [metrics] _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.text)))
            }
            router.get("v1/model") { [facts] _, _ in Response.json(facts) }
        }

        /// What `GET /v1/model` says: the model's sizes and tokenizer, what its file records of training,
        /// the index, and this server's limits.
        static func facts(_ model: TrainedModel, settings: ServerSettings, index: SentenceIndex?) -> JSONValue {
            let c = model.model.config, t = model.file.tokenizer
            // Only what describes the model: no file paths (of the model, a checkpoint's corpus) leave the machine.
            let training = model.file.extraMetadata.filter { ["step", "epoch", "valid_nelbo"].contains($0.key) }
            func name(_ path: String) -> JSONValue { .string((path as NSString).lastPathComponent) }
            return .object([
                "name": name(model.path),
                "producer": .string(model.file.extraMetadata["producer"] ?? "unknown"),
                "server": .string(TextVAEVersion.producer),
                "config": .object([
                    "vocabulary": .int(c.vocabulary), "embedding": .int(c.embedding), "hidden": .int(c.hidden),
                    "latent": .int(c.latent), "latent_to_inputs": .bool(c.latentToInputs), "max_length": .int(c.maxLength),
                    "cell": .string(c.cell.rawValue), "bidirectional": .bool(c.bidirectional), "tied_embeddings": .bool(c.tiedEmbeddings),
                    "adaptive_softmax_cutoffs": .array(c.softmaxCutoffs.map { .int($0) }),
                ]),
                "tokenizer": .object(["name": .string(t.name.rawValue), "locale": .string(t.locale), "lowercase": .bool(t.lowercase)]),
                "classes": .array(model.classNames.map { .string($0) }),
                "training": .object(training.mapValues { .string($0) }),
                "index": index.map { .object(["name": name($0.path), "sentences": .int($0.count)]) } ?? .null,
                "limits": .object([
                    "max_sentences": .int(settings.maxSentences), "max_steps": .int(settings.maxSteps),
                    "max_beam_width": .int(settings.maxBeamWidth), "max_length": .int(c.maxLength),
                    "max_body_bytes": .int(settings.maxBodyBytes), "time_limit_seconds": .double(settings.timeLimit),
                ]),
            ])
        }
    }
#endif
