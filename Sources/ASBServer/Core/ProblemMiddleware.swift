import ASBCore
import OpenAPIRuntime
import Vapor

/// The one place errors become responses: RFC 9457 `application/problem+json` with the right
/// status. Handlers and services only throw.
struct ProblemMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            if request.isWebPage { return await Self.page(for: error, request: request) }
            return Self.response(for: error, request: request)
        }
    }

    /// Pages get the same problem as an HTML page; a page that needs a signed-in user sends the
    /// browser to the sign-in page and back.
    static func page(for error: any Error, request: Request) async -> Response {
        switch error {
        case WebError.signInNeeded, AppError.unauthenticated:
            var target = request.url.path
            if let query = request.url.query, !query.isEmpty { target += "?" + query }
            let next = request.method == .GET ? "?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") : ""
            return request.redirect(to: "/staff/sign-in" + next, redirectType: .normal)
        case WebError.formExpired:
            let problem = Problem(type: Problem.typeBase + "form-expired", title: "This form has expired", status: 403,
                                  detail: "Go back, reload the page and try again. Forms expire when you sign out or after a long time.",
                                  code: "formExpired")
            return await ErrorPage.response(for: problem, headers: [:], request: request)
        default:
            var headers = HTTPHeaders()
            let problem = problem(for: error, request: request, headers: &headers)
            if Self.isFault(problem) { request.logger.report(error: error) }
            return await ErrorPage.response(for: problem, headers: headers, request: request)
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        var headers = HTTPHeaders()
        let problem = problem(for: error, request: request, headers: &headers)
        if Self.isFault(problem) {
            request.logger.report(error: error)
        }
        headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(problem)) ?? Data("{\"status\":500,\"title\":\"Internal error\",\"type\":\"about:blank\"}".utf8)
        return Response(status: .init(statusCode: problem.status), headers: headers, body: .init(data: body))
    }

    static func problem(for error: any Error, request: Request, headers: inout HTTPHeaders) -> Problem {
        switch error {
        case let error as ServerError:
            // The OpenAPI layer wraps what handlers throw; unwrap to our own errors first.
            if isOurs(error.underlyingError) {
                return problem(for: error.underlyingError, request: request, headers: &headers)
            }
            if let decoding = error.underlyingError as? DecodingError {
                return problem(for: decoding, request: request)
            }
            if error.operationInput != nil {
                // The input decoded and the handler (or the database under it) failed: our fault,
                // a 500 that is logged, never a 400 that blames the client.
                return problem(for: error.underlyingError, request: request, headers: &headers)
            }
            var status = error.httpStatus
            if status == .internalServerError {
                // The request could not be decoded into the operation's input.
                status = .badRequest
            }
            let detail = status == .unsupportedMediaType
                ? "Send the body as application/json." : error.causeDescription
            return Problem(type: Problem.typeBase + status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-"),
                           title: status.reasonPhrase, status: Int(status.code), detail: detail)
        case let failure as ValidationFailure:
            return Problem.validation(failure.errors)
        case let violation as RuleViolation:
            return Problem.rule(violation)
        case let appError as AppError:
            if case .tooManyAttempts(let seconds) = appError {
                headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            }
            return Problem.from(appError)
        case let decoding as DecodingError:
            return problem(for: decoding, request: request)
        case let refused as MethodNotAllowed:
            return methodNotAllowed(refused.allowed, headers: &headers)
        case let abort as any AbortError where abort.status == .notFound && abort.reason == HTTPResponseStatus.notFound.reasonPhrase:
            // No route matched: if the path exists with other methods, say so (405 with Allow).
            let allowed = allowedMethods(for: request)
            if !allowed.isEmpty { return methodNotAllowed(allowed, headers: &headers) }
            return Problem(type: Problem.typeBase + "not-found", title: "Not found", status: 404,
                           detail: "There is nothing at this address.")
        case let abort as any AbortError:
            for (name, value) in abort.headers { headers.replaceOrAdd(name: name, value: value) }
            let status = Int(abort.status.code)
            let title = abort.status.reasonPhrase
            let config = request.application.asb.config
            let limit = request.carriesFiles ? config.maxAttachmentBytes : config.maxBodyBytes
            let detail = status == 413 ? "The request body is larger than the \(limit) bytes allowed." : abort.reason
            return Problem(type: Problem.typeBase + title.lowercased().replacingOccurrences(of: " ", with: "-"),
                           title: title, status: status, detail: detail)
        default:
            return Problem(type: Problem.typeBase + "internal", title: "Something went wrong on our side", status: 500,
                           detail: "The error has been logged. Please try again later.")
        }
    }

    /// A problem worth logging as an error: the server's fault. 503 is not a fault but a state
    /// (the server stopping, `InFlightRequests`; the database closing), answered with `Retry-After`.
    static func isFault(_ problem: Problem) -> Bool {
        problem.status >= 500 && problem.status != 503
    }

    /// A body that does not decode is a 422 naming the field; without a body, the bad value is in
    /// a query parameter or header, which is a 400.
    static func problem(for decoding: DecodingError, request: Request) -> Problem {
        guard [.POST, .PUT, .PATCH].contains(request.method) else {
            return Problem(type: Problem.typeBase + "bad-request", title: "Bad request", status: 400,
                           detail: "A query parameter or header has a value that is not allowed here.")
        }
        return Problem.validation([fieldError(from: decoding)])
    }

    static func methodNotAllowed(_ allowed: [HTTPMethod], headers: inout HTTPHeaders) -> Problem {
        let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        headers.replaceOrAdd(name: .allow, value: list)
        return Problem(type: Problem.typeBase + "method-not-allowed", title: "Method not allowed", status: 405,
                       detail: "This address answers \(list).")
    }

    /// The methods the router answers for this request's path, if any: for each method, the most
    /// specific matching route (constants before parameters, as the router picks) must not be one
    /// that exists only to refuse the method.
    static func allowedMethods(for request: Request) -> [HTTPMethod] {
        let segments = request.url.path.split(separator: "/").map(String.init)
        var best: [String: (constants: Int, refuses: Bool)] = [:]
        for route in request.application.routes.all where route.path.count == segments.count {
            var constants = 0
            let matches = zip(route.path, segments).allSatisfy { component, segment in
                switch component {
                case .constant(let value):
                    constants += 1
                    return value == segment
                case .parameter, .anything, .catchall:
                    return true
                }
            }
            guard matches else { continue }
            let method = route.method.rawValue
            if constants > best[method]?.constants ?? -1 {
                best[method] = (constants, route.userInfo[MethodNotAllowed.routeMarker] != nil)
            }
        }
        return best.filter { !$0.value.refuses }.map { HTTPMethod(rawValue: $0.key) }
    }

    static func isOurs(_ error: any Error) -> Bool {
        error is AppError || error is RuleViolation || error is ValidationFailure || error is any AbortError || error is MethodNotAllowed
    }

    static func fieldError(from error: DecodingError) -> FieldError {
        func path(_ context: DecodingError.Context, appending key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "\($0)" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return FieldError(path(context, appending: key), "This field is required.")
        case .typeMismatch(let type, let context):
            return FieldError(path(context), "Expected \(describe(type)).")
        case .valueNotFound(let type, let context):
            return FieldError(path(context), "Expected \(describe(type)), found null.")
        case .dataCorrupted(let context):
            let field = path(context)
            if field == "body" { return FieldError("body", "The body is not valid JSON.") }
            return FieldError(field, "This value is not one of those allowed here.")
        @unknown default:
            return FieldError("body", "The body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.contains("Bool") { return "true or false" }
        if name.contains("Int") || name.contains("Double") { return "a number" }
        if name.contains("Array") { return "a list" }
        if name.contains("String") { return "text" }
        return "a different kind of value"
    }
}
