#if Server
    import Foundation
    import Hummingbird

    /// An error a route answers with: an HTTP status and a message that says what to change, sent as
    /// `{"error": {"status": 422, "message": "..."}}`.
    struct APIError: Error, HTTPResponseError {
        let status: HTTPResponse.Status
        let message: String

        init(_ status: HTTPResponse.Status, _ message: String) {
            self.status = status
            self.message = message
        }

        static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
        static func unprocessable(_ message: String) -> APIError { APIError(.unprocessableContent, message) }
        static func tooLarge(_ message: String) -> APIError { APIError(.contentTooLarge, message) }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            ResponseMiddleware<BasicRequestContext>.errorResponse(self, request)
        }
    }
#endif
