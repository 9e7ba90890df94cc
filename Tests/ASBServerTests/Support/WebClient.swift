import Foundation
import Testing
import Vapor
import VaporTesting
@testable import ASBServer

/// A browser without JavaScript: keeps cookies, follows nothing by itself, and submits forms
/// with the CSRF token of the last page it loaded.
final class WebClient: @unchecked Sendable {
    let app: Application
    private(set) var cookies: [String: String] = [:]
    private(set) var lastPage = ""
    var origin: String? = nil

    init(_ app: Application) { self.app = app }

    struct Page {
        let status: HTTPStatus
        let headers: HTTPHeaders
        let html: String
        var location: String? { headers.first(name: .location) }
        func contains(_ text: String) -> Bool { html.contains(text) }
        /// The messages in the error summary.
        var errorSummary: [String] {
            guard let start = html.range(of: "error-summary-list") else { return [] }
            let list = html[start.upperBound...].prefix { _ in true }
            let end = list.range(of: "</ul>")?.lowerBound ?? list.endIndex
            return list[..<end].components(separatedBy: "<li><a href=\"").dropFirst().compactMap { item in
                item.split(separator: ">", maxSplits: 1).last.map { String($0.prefix { $0 != "<" }) }
            }
        }
        /// The text of the element with this id (first text node).
        func text(ofID id: String) -> String? {
            guard let r = html.range(of: "id=\"\(id)\">") else { return nil }
            return String(html[r.upperBound...].prefix { $0 != "<" })
        }
    }

    var csrf: String {
        guard let r = lastPage.range(of: "name=\"_csrf\" value=\"") else { return "" }
        return String(lastPage[r.upperBound...].prefix { $0 != "\"" })
    }

    @discardableResult
    func get(_ path: String) async throws -> Page { try await send(.GET, path, body: nil) }

    /// Posts a form; `_csrf` is added from the last page unless given.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf explicit: String? = nil) async throws -> Page {
        var all = fields
        if !fields.contains(where: { $0.0 == "_csrf" }) { all.append(("_csrf", explicit ?? csrf)) }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = all.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try await send(.POST, path, body: body)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> Page {
        var headers = HTTPHeaders()
        if !cookies.isEmpty { headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let origin { headers.replaceOrAdd(name: .origin, value: origin) }
        var buffer: ByteBuffer?
        if let body {
            headers.contentType = .urlEncodedForm
            buffer = ByteBuffer(string: body)
        }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: buffer)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]), value = String(pair[1])
            if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let html = String(buffer: response.body)
        if response.headers.contentType?.subType == "html" { lastPage = html }
        return Page(status: response.status, headers: response.headers, html: html)
    }

    /// Signs a staff user in through the sign-in page.
    func signIn(_ username: String, password: String) async throws {
        try await get("/staff/sign-in")
        let page = try await post("/staff/sign-in", [("username", username), ("password", password), ("next", "/staff")])
        guard page.status == .seeOther else { throw TestFailure("web sign-in failed: \(page.status)") }
    }
}
