import ASBCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import ASBServer

@Suite("Open311 GeoReport v2")
struct Open311Tests {
    private func call(_ t: TestApp, _ method: HTTPMethod, _ path: String, form: String? = nil) async throws -> TestApp.Reply {
        var headers = HTTPHeaders()
        var body: ByteBuffer?
        if let form {
            headers.contentType = .urlEncodedForm
            body = ByteBuffer(string: form)
        }
        let response = try await t.app.testing().sendRequest(method, path, headers: headers, body: body)
        return TestApp.Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
    }

    private func key(_ t: TestApp, _ name: String) async throws -> String {
        try await Open311Service(app: t.app, db: t.app.db, requestID: nil).issueKey(name: name, by: .system).key
    }

    private func array(_ reply: TestApp.Reply) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])
    }

    @Test("Discovery, services and service definitions in JSON and XML, with the risk questions as attributes")
    func services() async throws {
        try await TestApp.run { t in
            let list = try await call(t, .GET, "/open311/v2/services.json")
            #expect(list.status == .ok && list.headers.contentType?.subType == "json")
            let services = try array(list)
            #expect(services.map { $0["service_code"] as? String } == IncidentCategory.allCases.map(\.rawValue))
            #expect(services.first?["metadata"] as? Bool == true && services.first?["type"] as? String == "realtime")
            let xml = try await call(t, .GET, "/open311/v2/services.xml")
            #expect(xml.text.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service><service_code>noise</service_code>"))
            let definition = try await call(t, .GET, "/open311/v2/services/noise.json")
            let json = try #require(try JSONSerialization.jsonObject(with: definition.body) as? [String: Any])
            let attributes = try #require(json["attributes"] as? [[String: Any]])
            #expect(attributes.map { $0["code"] as? String }.contains("threats"))
            #expect(attributes.first { $0["code"] as? String == "hate_strands" }?["datatype"] as? String == "multivaluelist")
            #expect(try await call(t, .GET, "/open311/v2/services/unknown.json").status == .notFound)
            let discovery = try await call(t, .GET, "/open311/v2/discovery.xml")
            #expect(discovery.status == .ok && discovery.text.contains("<discovery>"))
        }
    }

    @Test("SS-REP-1: a request becomes an open311 case; its id is the reference; the notice states the promise; status only comes back")
    func submitAndReadBack() async throws {
        try await TestApp.run { t in
            let apiKey = try await key(t, "FixMyStreet")
            let posted = try await call(t, .POST, "/open311/v2/requests.json", form: [
                "api_key=\(apiKey)", "service_code=noise", "address_string=12%20Sample%20Road%2C%20SS1%201AA",
                "description=Party%20music%20every%20night", "first_name=Alex", "last_name=Example", "email=alex%40example.org",
                "attribute%5Bthreats%5D=yes",
            ].joined(separator: "&"))
            #expect(posted.status == .created, "\(posted.text)")
            let receipt = try #require(try array(posted).first)
            let reference = try #require(receipt["service_request_id"] as? String)
            #expect((receipt["service_notice"] as? String)?.hasPrefix("Priority 1: response within 24 working hours") == true)
            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            #expect(stored.channel == .open311 && stored.postcode == "SS1 1AA" && stored.categories == [.noise])

            let back = try await call(t, .GET, "/open311/v2/requests/\(reference).json?api_key=\(apiKey)")
            let request = try #require(try array(back).first)
            #expect(Set(request.keys) == ["service_request_id", "status", "status_notes", "service_name", "service_code",
                                          "requested_datetime", "updated_datetime", "expected_datetime"])
            #expect(request["status"] as? String == "open")
            #expect(!back.text.contains("Party music") && !back.text.contains("Sample Road") && !back.text.contains("Alex"))
            #expect(request["expected_datetime"] as? String == "2026-11-25T10:15:00Z")

            let xml = try await call(t, .GET, "/open311/v2/requests.xml?api_key=\(apiKey)")
            #expect(xml.text.contains("<service_requests><request><service_request_id>\(reference)</service_request_id><status>open</status>"))
            let token = try #require(receipt["token"] as? String)
            let byToken = try array(try await call(t, .GET, "/open311/v2/tokens/\(token).json?api_key=\(apiKey)"))
            #expect(byToken.first?["service_request_id"] as? String == reference)
        }
    }

    @Test("Privacy: another client's key cannot read the request; no key is a 403 in the specification's error format")
    func privacy() async throws {
        try await TestApp.run { t in
            let mine = try await key(t, "Site A"), theirs = try await key(t, "Site B")
            let posted = try await call(t, .POST, "/open311/v2/requests.json",
                                        form: "api_key=\(mine)&service_code=vandalism&lat=51.54&long=0.71&description=Graffiti")
            let reference = try #require(try array(posted).first?["service_request_id"] as? String)
            #expect(try await call(t, .GET, "/open311/v2/requests/\(reference).json?api_key=\(theirs)").status == .notFound)
            #expect(try array(try await call(t, .GET, "/open311/v2/requests.json?api_key=\(theirs)")).isEmpty)
            let noKey = try await call(t, .GET, "/open311/v2/requests/\(reference).xml")
            #expect(noKey.status == .forbidden)
            #expect(noKey.text.contains("<errors><error><code>403</code><description>api_key is missing or not valid</description></error></errors>"))
            _ = try await Open311Service(app: t.app, db: t.app.db, requestID: nil).setActive(false, name: "Site A", by: .system)
            #expect(try await call(t, .GET, "/open311/v2/requests/\(reference).json?api_key=\(mine)").status == .forbidden)
        }
    }

    @Test("Bad requests are 400 with every problem listed; nothing is stored")
    func badRequests() async throws {
        try await TestApp.run { t in
            let apiKey = try await key(t, "FixMyStreet")
            let noLocation = try await call(t, .POST, "/open311/v2/requests.json", form: "api_key=\(apiKey)&service_code=noise&description=x")
            #expect(noLocation.status == .badRequest)
            #expect(try array(noLocation).first?["description"] as? String == "a location is required: lat and long, address_string or address_id")
            let badCode = try await call(t, .POST, "/open311/v2/requests.json", form: "api_key=\(apiKey)&service_code=potholes&lat=1&long=1")
            #expect(badCode.status == .badRequest)
            let noDescription = try await call(t, .POST, "/open311/v2/requests.json",
                                               form: "api_key=\(apiKey)&service_code=noise&lat=51.5&long=0.7&attribute%5Bthreats%5D=maybe")
            let problems = try array(noDescription).compactMap { $0["description"] as? String }
            #expect(problems.contains { $0.hasPrefix("description:") } && problems.contains { $0.hasPrefix("attribute[threats]:") })
            #expect(try await call(t, .GET, "/open311/v2/requests.json?api_key=\(apiKey)&start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z").status == .badRequest)
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
    }

    @Test("servicerequestupdates tells the submitting client each step in fixed words, never notes or names")
    func updates() async throws {
        try await TestApp.run { t in
            let apiKey = try await key(t, "FixMyStreet")
            let posted = try await call(t, .POST, "/open311/v2/requests.json",
                                        form: "api_key=\(apiKey)&service_code=noise&lat=51.54&long=0.71&description=Loud%20music&email=sam%40example.org&first_name=Sam")
            let reference = try #require(try array(posted).first?["service_request_id"] as? String)
            let (token, leader) = try await t.staffToken(.teamLeader)
            _ = try await t.assess(reference, token: token)
            _ = try await t.allocate(reference, to: leader, token: token)
            let updates = try array(try await call(t, .GET, "/open311/v2/servicerequestupdates.json?api_key=\(apiKey)"))
            #expect(updates.map { $0["description"] as? String }.contains("An officer has been allocated to the case."))
            #expect(updates.allSatisfy { $0["service_request_id"] as? String == reference && $0["status"] as? String == "open" })
            #expect(!updates.contains { ($0["description"] as? String ?? "").contains(leader.displayName) })
        }
    }
}
