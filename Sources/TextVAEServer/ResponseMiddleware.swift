#if Server
    import Foundation
    import Hummingbird

    /// The outermost layer: turns every error into the API's JSON error body (never an empty 500), counts each
    /// request and its latency for `/metrics`, and writes the access log's line.
    struct ResponseMiddleware<Context: RequestContext>: RouterMiddleware {
        let metrics: ServerMetrics
        let accessLog: AccessLog?

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let started = ContinuousClock.now
            metrics.requestStarted()
            let response: Response
            do {
                response = try await next(request, context)
            } catch {
                response = Self.errorResponse(error, request)
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let route = context.endpointPath ?? "unmatched"
            metrics.countRequest(route: route, status: Int(response.status.code), seconds: seconds)
            accessLog?.record(
                method: request.method.rawValue, path: request.uri.path, route: route, status: Int(response.status.code),
                seconds: seconds)
            return response
        }

        static func errorResponse(_ error: any Error, _ request: Request) -> Response {
            let apiError: APIError
            switch error {
            case let e as APIError:
                apiError = e
            case let e as HTTPError where e.status == .notFound:
                apiError = APIError(
                    .notFound, "no route \(request.method) \(request.uri.path); the API is under /v1 (GET /v1/model, POST /v1/sample, ...)")
            case let e as HTTPError:
                apiError = APIError(e.status, e.body ?? e.status.reasonPhrase)
            case is CancellationError:
                apiError = APIError(.serviceUnavailable, "the request was cancelled (the server is shutting down, or the client left)")
            default:
                // The details stay in the server's log: they may name files and internals a client has no business seeing.
                FileHandle.standardError.write(
                    Data("textvae serve: internal error on \(request.method) \(request.uri.path): \(error)\n".utf8))
                apiError = APIError(.internalServerError, "internal error; the server's log says more")
            }
            return Response.json(
                .object(["error": .object(["status": .int(Int(apiError.status.code)), "message": .string(apiError.message)])]),
                status: apiError.status)
        }
    }

    /// With `--api-key`, every route but `/healthz`, `/openapi.json` and the page (and `/metrics` with `--public-metrics`) needs
    /// `Authorization: Bearer <key>`.
    struct KeyMiddleware<Context: RequestContext>: RouterMiddleware {
        let key: String?
        let open: Set<String>

        init(key: String?, publicMetrics: Bool) {
            self.key = key
            open = publicMetrics ? ["/", "/healthz", "/openapi.json", "/metrics"] : ["/", "/healthz", "/openapi.json"]
        }

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            guard let key, !open.contains(request.uri.path) else { return try await next(request, context) }
            guard let header = request.headers[.authorization] else {
                throw APIError(.unauthorized, "this server needs an API key: send the header 'Authorization: Bearer KEY'")
            }
            // Compare in constant time, so that the key cannot be guessed byte by byte from response times.
            let given = Array(header.utf8), expected = Array("Bearer \(key)".utf8)
            var difference = given.count == expected.count ? 0 : 1
            for i in 0..<min(given.count, expected.count) { difference |= Int(given[i] ^ expected[i]) }
            guard difference == 0 else {
                throw APIError(.unauthorized, "wrong API key; send 'Authorization: Bearer KEY' with the server's --api-key")
            }
            return try await next(request, context)
        }
    }
#endif
