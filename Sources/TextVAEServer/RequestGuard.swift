#if Server
    import Foundation
    import Hummingbird

    /// Keeps web pages the user visits from using the server through the user's browser.
    ///
    /// - **Host**: a page on another site can make the browser call 127.0.0.1 under its own name (DNS
    ///   rebinding), and read the answers. So the Host header must name the listening address, `localhost`,
    ///   a loopback address, or a name given with `--allowed-host` (`*`: any). A server bound to every address
    ///   (0.0.0.0, ::) accepts any Host unless `--allowed-host` names some; it needs an API key anyway.
    /// - **Origin**: a request that a page of another origin sends is refused (403), unless `--cors-origin`
    ///   allows that origin; then the answers carry `Access-Control-Allow-Origin` and preflights are answered.
    /// - **Content-Type**: a POST must say `application/json`. A browser sends a cross-site form or a plain
    ///   `fetch` without asking first only with the form types, so this refuses them even without an Origin.
    struct RequestGuard<Context: RequestContext>: RouterMiddleware {
        let listeningHost: String
        let allowedHosts: [String]
        let corsOrigins: [String]

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let authority = request.head.authority ?? ""
            guard hostAllowed(Self.hostName(authority)) else {
                throw APIError(
                    .badRequest,
                    "the Host header '\(authority)' is not this server's name; "
                        + "call it by its address, or start it with --allowed-host NAME")
            }
            var allowOrigin: String?
            if let origin = request.headers[.origin], origin != "http://\(authority)" && origin != "https://\(authority)" {
                guard corsOrigins.contains(origin) || corsOrigins.contains("*") else {
                    throw APIError(
                        .forbidden,
                        "requests from the web page at \(origin) are refused; "
                            + "to allow that page, start the server with --cors-origin \(origin)")
                }
                allowOrigin = origin
            }
            if request.method == .options, let allowOrigin {
                return Response(
                    status: .noContent,
                    headers: [
                        .accessControlAllowOrigin: allowOrigin, .accessControlAllowMethods: "GET, POST",
                        .accessControlAllowHeaders: "Content-Type, Authorization", .accessControlMaxAge: "600", .vary: "Origin",
                    ])
            }
            if request.method == .post {
                let type = request.headers[.contentType]?.lowercased() ?? ""
                guard type == "application/json" || type.hasPrefix("application/json;") else {
                    throw APIError(
                        .unsupportedMediaType,
                        "send the body as JSON with the header 'Content-Type: application/json' "
                            + "(curl: --json '{...}')" + (type.isEmpty ? "" : "; got '\(type)'"))
                }
            }
            var response = try await next(request, context)
            if let allowOrigin {
                response.headers[.accessControlAllowOrigin] = allowOrigin
                response.headers[.vary] = "Origin"
            }
            return response
        }

        func hostAllowed(_ name: String) -> Bool {
            if allowedHosts.contains("*") || allowedHosts.contains(name.lowercased()) { return true }
            if ["0.0.0.0", "::", ""].contains(listeningHost) && allowedHosts.isEmpty { return true }
            return ["localhost", "127.0.0.1", "::1", listeningHost.lowercased()].contains(name.lowercased())
        }

        /// The name in a Host header: without the port, and an IPv6 address without its brackets.
        static func hostName(_ authority: String) -> String {
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                return String(authority[authority.index(after: authority.startIndex)..<close])
            }
            return String(authority.split(separator: ":", maxSplits: 1).first ?? "")
        }
    }
#endif
