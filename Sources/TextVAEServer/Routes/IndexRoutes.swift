#if Server
    import Foundation
    import Hummingbird
    import TextVAE

    extension ModelServer {
        /// `POST /v1/neighbours` and `GET /v1/map`: the `--index` file's sentences, encoded when the server started.
        func addIndexRoutes(_ v1: RouterGroup<BasicRequestContext>) {
            v1.post("neighbours") { request, _ in
                let index = try self.requireIndex()
                let fields = try await self.fields(request, ["sentence", "k", "metric"])
                guard let sentence = try fields.string("sentence") else {
                    throw APIError.unprocessable("give 'sentence', the sentence to find neighbours of")
                }
                let k = try fields.count(
                    "k", default: min(10, self.settings.maxSentences), limit: self.settings.maxSentences, option: "--max-sentences")
                let metricName = try fields.string("metric") ?? DistanceMetric.cosine.rawValue
                guard let metric = DistanceMetric(rawValue: metricName) else {
                    throw APIError.unprocessable(
                        "'metric' must be \(DistanceMetric.allCases.map(\.rawValue).joined(separator: " or ")); got '\(metricName)'")
                }
                let query = try await self.onModel { model in model.means([try model.requireTokens(sentence)]) }
                let found = Neighbours.nearest(to: query, among: index.means, dimension: query.count, k: k, metric: metric)
                let neighbours: [JSONValue] = found.enumerated().map { rank, hit in
                    .object([
                        "rank": .int(rank + 1), "line": .int(index.lineNumbers[hit.index]),
                        "text": .string(index.texts[hit.index]), "distance": .double(hit.distance),
                    ])
                }
                return Response.json(.object(["neighbours": .array(neighbours)]))
            }

            v1.get("map") { _, _ in
                _ = try self.requireIndex()
                return Response(
                    status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.mapBody ?? [])))
            }
        }

        /// The body of `GET /v1/map`, built once when the server starts: the index does not change.
        static func mapBody(_ index: SentenceIndex) -> [UInt8] {
            let points: [JSONValue] = index.texts.indices.map {
                .object([
                    "x": .double(index.x[$0]), "y": .double(index.y[$0]), "line": .int(index.lineNumbers[$0]),
                    "text": .string(index.texts[$0]),
                ])
            }
            let body = JSONValue.object([
                "explained": .array([.double(index.explained.0), .double(index.explained.1)]), "points": .array(points),
            ])
            return Array((body.text + "\n").utf8)
        }

        func requireIndex() throws -> SentenceIndex {
            guard let index else {
                throw APIError(.notFound, "this server has no index; start it with 'textvae serve --index FILE' (one sentence per line)")
            }
            return index
        }
    }
#endif
