import ASBCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import ASBServer

/// Walks the public site through its question pages, as a browser without JavaScript would.
private func reportThroughTheForm(_ web: WebClient, anonymous: Bool = false, hate: Bool = false) async throws -> WebClient.Page {
    try await web.get("/report/what")
    let steps: [(String, [(String, String)])] = [
        ("what", [("immediateDanger", "no"), ("description", "Loud music from the flat above until 3am"), ("categories", "noise")]),
        ("when", [("occurredOn", "2026-11-20"), ("occurredAt", "23:30")]),
        ("where", [("location", "Flat 3, 12 Sample Road"), ("postcode", "ss1 1aa")]),
        ("who", [("allegedPerpetrator.name", "The tenant of flat 4")]),
        ("hate", hate ? [("hate", "yes"), ("hateStrands", "race"), ("hateStrands", "religionOrBelief")] : [("hate", "no")]),
        ("risk", [("riskAnswers.frequency", "daily"), ("riskAnswers.duration", "oneToSixMonths")]),
        ("support", []),
        ("about-you", anonymous ? [("anonymous", "yes")]
            : [("anonymous", "no"), ("reporter.name", "Robin Example"), ("reporter.email", "robin@example.org"),
               ("reporter.preferredContactMethod", "email")]),
    ]
    for (step, fields) in steps {
        let page = try await web.post("/report/\(step)", fields)
        guard page.status == .seeOther else { throw TestFailure("/report/\(step): \(page.status) \(page.errorSummary)") }
    }
    let check = try await web.get("/report/check")
    #expect(check.status == .ok)
    let sent = try await web.post("/report/check", [])
    #expect(sent.status == .seeOther && sent.location == "/report/done")
    return try await web.get("/report/done")
}

@Suite("The public site")
struct PublicSiteTests {
    @Test("SS-REP-2: the start page tells people to call 999 before anything else, and shows the response times by priority")
    func startPage() async throws {
        try await TestApp.run { t in
            let page = try await WebClient(t.app).get("/")
            #expect(page.status == .ok)
            let emergency = try #require(page.html.range(of: "call 999"))
            let heading = try #require(page.html.range(of: "<h1"))
            #expect(emergency.lowerBound < heading.lowerBound)
            #expect(page.contains("101"))
            for priority in Priority.allCases {
                for rule in ServiceClock.schedule(for: priority) { #expect(page.contains("\(rule.milestone.displayName) within \(rule.rule)")) }
            }
            for strand in HateStrand.allCases { #expect(page.contains(strand.displayName)) }
            #expect(page.headers.first(name: "Content-Security-Policy") != nil)
            // Reading the site stores nothing: no session until a page with a form.
            #expect(page.headers[.setCookie].isEmpty)
            for path in ["/case-review", "/notices", "/performance"] {
                #expect(try await WebClient(t.app).get(path).headers[.setCookie].isEmpty, "\(path)")
            }
            #expect(!(try await WebClient(t.app).get("/report/what").headers[.setCookie].isEmpty))
        }
    }

    @Test("The stylesheet and script are served under /assets/ to GET and HEAD; nothing else is looked for on disk")
    func assets() async throws {
        try await TestApp.run { t in
            let css = try await t.send(.GET, "/assets/site.css")
            #expect(css.status == .ok)
            #expect(css.headers.contentType == .css)
            #expect(String(decoding: css.body, as: UTF8.self).contains("{"))
            #expect(try await t.send(.GET, "/assets/site.js").status == .ok)
            let head = try await t.send(.HEAD, "/assets/site.css")
            #expect(head.status == .ok)
            let missing = try await t.send(.GET, "/assets/none.css")
            #expect(missing.status == .notFound)
            #expect(missing.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            // A POST to a file's path is not a file request: no route takes it.
            #expect(try await t.send(.POST, "/assets/site.css", json: [:] as [String: String]).status == .notFound)
        }
    }

    @Test("SS-REP-1: a report through the question pages becomes one case; the access code is shown once")
    func reportFromStartToConfirmation() async throws {
        try await TestApp.run { t in
            let web = WebClient(t.app)
            let done = try await reportThroughTheForm(web)
            let reference = try #require(done.text(ofID: "case-reference"))
            let code = try #require(done.text(ofID: "access-code"))
            #expect(CaseReference(reference) != nil)
            #expect(code.count >= 8)
            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            #expect(stored.channel == .web)
            #expect(stored.postcode == "SS1 1AA")
            #expect(done.contains("Response by") || done.contains("Acknowledgement by"))
            // Shown once: reloading the confirmation does not show the code again.
            let again = try await web.get("/report/done")
            #expect(again.status == .seeOther)
            // The answers are gone: sending again starts a new report rather than a second case.
            try await web.get("/report/what")
            let resend = try await web.post("/report/check", [])
            #expect(resend.location == "/report/what")
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
        }
    }

    @Test("SS-DEF-2: a hate report through the form is priority 1 with its strands")
    func hateReport() async throws {
        try await TestApp.run { t in
            let done = try await reportThroughTheForm(WebClient(t.app), anonymous: true, hate: true)
            let reference = try #require(done.text(ofID: "case-reference"))
            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            #expect(stored.hate && stored.priority == .p1)
            #expect(Set(stored.hateStrands) == [.race, .religionOrBelief])
            #expect(done.contains("Priority 1"))
        }
    }

    @Test("A question page with a problem is re-shown: 422, error summary linked to the field, message beside it, answers kept")
    func questionPageErrors() async throws {
        try await TestApp.run { t in
            let web = WebClient(t.app)
            try await web.get("/report/what")
            let page = try await web.post("/report/what", [("description", ""), ("categories", "noise"), ("immediateDanger", "no")])
            #expect(page.status == .unprocessableEntity)
            #expect(page.errorSummary == ["Tell us what happened."])
            #expect(page.contains("<a href=\"#description\">"))
            #expect(page.contains("id=\"description-error\""))
            #expect(page.contains("aria-describedby=\"description-hint description-error\""))
            #expect(page.contains("<title>Error: "))
            #expect(page.contains("value=\"noise\" checked"))
            // The about-you page names each missing contact detail beside its own field.
            try await web.get("/report/about-you")
            let about = try await web.post("/report/about-you", [("anonymous", "no"), ("reporter.email", "not-an-email")])
            #expect(about.status == .unprocessableEntity)
            #expect(about.contains("id=\"reporter-name-error\""))
            #expect(about.contains("id=\"reporter-email-error\""))
            #expect(about.contains("value=\"not-an-email\""))
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
    }

    @Test("A form without the right CSRF token is refused with 403 and changes nothing")
    func csrf() async throws {
        try await TestApp.run { t in
            let web = WebClient(t.app)
            try await web.get("/report/what")
            let page = try await web.post("/report/what", [("description", "Something")], csrf: "forged")
            #expect(page.status == .forbidden)
            #expect(page.contains("This form has expired"))
            let check = try await web.get("/report/check")
            #expect(check.location == "/report/what")
        }
    }

    @Test("SS-PRG-1: the reporter tracks their case and adds an incident; a wrong code gets the same answer as an unknown reference")
    func trackAndAddIncident() async throws {
        try await TestApp.run { t in
            let web = WebClient(t.app)
            let done = try await reportThroughTheForm(web)
            let reference = try #require(done.text(ofID: "case-reference"))
            let code = try #require(done.text(ofID: "access-code"))

            let reporter = WebClient(t.app)
            try await reporter.get("/track")
            let wrong = try await reporter.post("/track", [("reference", reference), ("accessCode", "WRONG-CODE")])
            let unknown = try await reporter.post("/track", [("reference", "ASB-2026-99999"), ("accessCode", code)])
            #expect(wrong.status == .notFound, "\(wrong.status) \(wrong.errorSummary)")
            #expect(unknown.status == .notFound)
            #expect(wrong.errorSummary == unknown.errorSummary)

            let tracked = try await reporter.post("/track", [("reference", reference), ("accessCode", code)])
            #expect(tracked.location == "/track/case")
            let view = try await reporter.get("/track/case")
            #expect(view.contains(reference))
            #expect(view.contains("Not allocated yet"))
            let added = try await reporter.post("/track/incident", [("description", "It happened again last night"),
                                                                    ("occurredOn", "2026-11-23"), ("hate", "no")])
            #expect(added.location == "/track/case")
            #expect(try await reporter.get("/track/case").contains("Thank you. We have added what you told us to your case."))
            let incidents = try await IncidentReport.query(on: t.app.db).count()
            #expect(incidents == 2)
            let bad = try await reporter.post("/track/incident", [("description", ""), ("hate", "no")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.contains("id=\"description-error\""))
            #expect(try await IncidentReport.query(on: t.app.db).count() == 2)
        }
    }

    @Test("The ASB Case Review page states the configured threshold; community notices list by neighbourhood")
    func informationPages() async throws {
        try await TestApp.run(configure: { $0.caseReview.reportsNeeded = 4 }) { t in
            let web = WebClient(t.app)
            let review = try await web.get("/case-review")
            #expect(review.status == .ok && review.contains("4 or more times"))
            #expect(try await web.get("/notices").status == .ok)
            #expect(try await web.get("/notices?neighbourhood=not-a-uuid").status == .ok)
            let missing = try await web.get("/no-such-page")
            #expect(missing.status == .notFound && missing.contains("Page not found"))
        }
    }
}

@Suite("The staff workspace")
struct StaffWorkspaceTests {
    @Test("Staff pages send a signed-out browser to sign in and back, and never to another site")
    func signInRedirect() async throws {
        try await TestApp.run { t in
            let web = WebClient(t.app)
            let page = try await web.get("/staff/search?q=Sample")
            #expect(page.status == .seeOther)
            #expect(page.location == "/staff/sign-in?next=%2Fstaff%2Fsearch%3Fq%3DSample")
            #expect(StaffSite.safeNext("https://evil.example/") == "/staff")
            #expect(StaffSite.safeNext("//evil.example/") == "/staff")
            #expect(StaffSite.safeNext("/staff/cases/ASB-2026-00001") == "/staff/cases/ASB-2026-00001")
        }
    }

    @Test("Sign-in sets an HttpOnly SameSite=Lax cookie (Secure over TLS); a bad password is re-shown; sign-out revokes the token")
    func signInAndOut() async throws {
        try await TestApp.run { t in
            let (_, user) = try await t.staffToken(.officer)
            let web = WebClient(t.app)
            try await web.get("/staff/sign-in")
            let wrong = try await web.post("/staff/sign-in", [("username", user.username), ("password", "wrong-password-1")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorSummary == ["The username or password is not right."])
            #expect(wrong.contains("value=\"\(user.username)\""))

            let ok = try await web.post("/staff/sign-in", [("username", user.username), ("password", "correct-horse-\(user.username)")])
            let cookie = try #require(ok.headers[.setCookie].first { $0.hasPrefix(WebCookies.staff + "=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            let home = try await web.get("/staff")
            #expect(home.status == .ok && home.contains("Work queues"))

            let out = try await web.post("/staff/sign-out", [])
            #expect(out.location == "/staff/sign-in")
            #expect(try await APIToken.query(on: t.app.db).filter(\.$revokedAt != nil).count() == 1)
            #expect(try await web.get("/staff").status == .seeOther)

            // Behind a TLS proxy the cookie is Secure.
            let tls = WebClient(t.app)
            var headers = HTTPHeaders()
            headers.add(name: "X-Forwarded-Proto", value: "https")
            headers.contentType = .urlEncodedForm
            let response = try await t.app.testing().sendRequest(.POST, "/staff/sign-in", headers: headers,
                body: ByteBuffer(string: "username=\(user.username)&password=correct-horse-\(user.username)"))
            _ = tls
            #expect(response.headers[.setCookie].contains { $0.hasPrefix(WebCookies.staff + "=") && $0.contains("Secure") })
        }
    }

    @Test("Every case form posted empty is answered with what is missing, and the server keeps serving")
    func emptyCaseForms() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (_, leader) = try await t.staffToken(.teamLeader)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            // An ASB Case Review application has no required field: the reporter applies today.
            for form in CaseForm.allCases where form != .attachment && form != .caseReviewApply {
                try await web.get("/staff/cases/\(reference)")
                let page = try await web.post("/staff/cases/\(reference)/\(form.rawValue)", [])
                #expect((400..<500).contains(page.status.code), "\(form.rawValue) answered \(page.status)")
            }
            #expect(try await web.get("/staff/cases/\(reference)").status == .ok)
        }
    }

    @Test("A sign-in posted from another site is refused")
    func crossSiteSignIn() async throws {
        try await TestApp.run { t in
            let (_, user) = try await t.staffToken(.officer)
            let web = WebClient(t.app)
            web.origin = "https://evil.example"
            let page = try await web.post("/staff/sign-in", [("username", user.username), ("password", "correct-horse-\(user.username)")])
            #expect(page.status == .forbidden)
            #expect(web.cookies[WebCookies.staff] == nil)
        }
    }

    @Test("SS-RT-1, SS-NXT-1: a team leader assesses and allocates from the case page; a stale form shows a conflict and changes nothing")
    func assessAndAllocate() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (_, leader) = try await t.staffToken(.teamLeader)
            let (_, officer) = try await t.staffToken(.officer)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            let home = try await web.get("/staff")
            #expect(home.contains(reference))
            let casePage = try await web.get("/staff/cases/\(reference)")
            #expect(casePage.status == .ok)
            let staleVersion = "1"
            let assessed = try await web.post("/staff/cases/\(reference)/assess", [("version", "1"), ("riskAnswers.threats", "yes")])
            #expect(assessed.status == .seeOther)
            // The form loaded before the assessment still carries version 1.
            let stale = try await web.post("/staff/cases/\(reference)/allocate", [("version", staleVersion), ("allocatedOfficerId", officer.id!.uuidString)])
            #expect(stale.status == .conflict)
            #expect(stale.contains("your change was not saved"))
            var stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            #expect(stored.$allocatedOfficer.id == nil)
            #expect(stored.priority == .p1)

            try await web.get("/staff/cases/\(reference)")
            let allocated = try await web.post("/staff/cases/\(reference)/allocate",
                                               [("version", String(stored.version)), ("allocatedOfficerId", officer.id!.uuidString)])
            #expect(allocated.status == .seeOther)
            let after = try await web.get("/staff/cases/\(reference)")
            #expect(after.contains("Allocated to \(officer.displayName)."))
            stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            #expect(stored.status == .open && stored.$allocatedOfficer.id == officer.id)
        }
    }

    @Test("SS-NXT-2, SS-NXT-5, SS-CLS-2: the officer agrees a plan and logs contact; closing before the agreement call is refused with the rule")
    func officerCaseworkAndClosure() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (leaderToken, _) = try await t.staffToken(.teamLeader)
            let (_, officer) = try await t.staffToken(.officer)
            _ = try await t.assess(reference, token: leaderToken, answers: ["frequency": "daily"])
            _ = try await t.allocate(reference, to: officer, token: leaderToken)
            let reporterID = try await t.partyID("reporter", on: reference, token: leaderToken)

            let web = WebClient(t.app)
            try await web.signIn(officer.username, password: "correct-horse-\(officer.username)")
            try await web.get("/staff/cases/\(reference)")
            let badPlan = try await web.post("/staff/cases/\(reference)/action-plan", [("howAgreed", "visit"), ("actions.0.what", "")])
            #expect(badPlan.status == .unprocessableEntity)
            #expect(badPlan.contains("form-action-plan-details\" open"))
            let plan = try await web.post("/staff/cases/\(reference)/action-plan", [
                ("agreedOn", "2026-11-24"), ("howAgreed", "visit"),
                ("actions.0.what", "Write to the tenant of flat 4"), ("actions.0.owner", "landlord"), ("actions.0.dueOn", "2026-12-01"),
                ("actions.1.what", "Keep a diary of the noise"), ("actions.1.owner", "reporter"), ("actions.1.dueOn", "2026-12-08"),
                ("actions.2.what", ""),
            ])
            #expect(plan.status == .seeOther)
            let contact = try await web.post("/staff/cases/\(reference)/contact", [
                ("partyId", reporterID), ("method", "phone"), ("direction", "outbound"), ("summary", "Agreed the action plan by phone")])
            #expect(contact.status == .seeOther)
            let page = try await web.get("/staff/cases/\(reference)")
            #expect(page.contains("Keep a diary of the noise") && page.contains("Agreed the action plan by phone"))

            #expect(try await web.post("/staff/cases/\(reference)/closure-propose",
                                       [("reason", "resolved"), ("explanation", "The noise has stopped")]).status == .seeOther)
            try await web.get("/staff/cases/\(reference)")
            let early = try await web.post("/staff/cases/\(reference)/close", [])
            #expect(early.status == .conflict)
            #expect(early.errorSummary.count == 1)
            #expect(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first()?.status == .closurePending)
            #expect(try await web.post("/staff/cases/\(reference)/closure-contact",
                                       [("method", "phone"), ("outcome", "agreed"), ("reasons", "Happy for it to close")]).status == .seeOther)
            try await web.get("/staff/cases/\(reference)")
            #expect(try await web.post("/staff/cases/\(reference)/close", []).status == .seeOther)
            #expect(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first()?.status == .closed)
        }
    }

    @Test("SS-REP-1: staff record a letter with its date stamp from one page; the case page shows the reference and the code once")
    func staffRecordsAReport() async throws {
        try await TestApp.run { t in
            let (_, intake) = try await t.staffToken(.intake)
            let web = WebClient(t.app)
            try await web.signIn(intake.username, password: "correct-horse-\(intake.username)")
            try await web.get("/staff/reports/new")
            let fields: [(String, String)] = [
                ("channel", "letter"), ("receivedAt", "2026-11-23T09:00"), ("description", "Graffiti on the bin store"),
                ("categories", "vandalism"), ("anonymous", "no"), ("reporter.name", "Sam Sample"), ("reporter.address", "1 Sample Road"),
                ("guidanceGiven", "police101"), ("submissionKey", "key-1"),
            ]
            let first = try await web.post("/staff/reports/new", fields)
            #expect(first.status == .seeOther)
            // A double click sends the same form again: still one case.
            let second = try await web.post("/staff/reports/new", fields)
            #expect(second.location == first.location)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.channel == .letter)
            #expect(stored.receivedAt == ISO8601DateFormatter().date(from: "2026-11-23T09:00:00Z"))
        }
    }

    @Test("Search by name finds the person and their cases; a reference goes straight to the case; admin pages add and list")
    func searchAndAdmin() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport(["reporter": ["name": "Quinn Sampleton", "email": "quinn@example.org"]]).string("reference")!
            let (_, leader) = try await t.staffToken(.teamLeader)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            let found = try await web.get("/staff/search?q=Quinn")
            #expect(found.contains("Quinn Sampleton") && found.contains(reference))
            #expect(try await web.get("/staff/search?q=\(reference)").location == "/staff/cases/\(reference)")
            #expect(try await web.get("/staff/search?q=Q").status == .unprocessableEntity)
            #expect(try await web.get("/staff/admin/users").status == .forbidden)

            let (_, admin) = try await t.staffToken(.admin)
            let adminWeb = WebClient(t.app)
            try await adminWeb.signIn(admin.username, password: "correct-horse-\(admin.username)")
            for page in ["users", "agencies", "neighbourhoods", "calendar", "open311", "homes"] {
                #expect(try await adminWeb.get("/staff/admin/\(page)").status == .ok)
            }
            let added = try await adminWeb.post("/staff/admin/neighbourhoods", [("name", "Sample Ward"), ("postcodeSectors", "SS1 1, SS1 2")])
            #expect(added.status == .seeOther)
            #expect(try await adminWeb.get("/staff/admin/neighbourhoods").contains("Sample Ward"))
            let closure = try await adminWeb.post("/staff/admin/calendar", [("kind", "closureDay"), ("date", "2026-12-24"), ("name", "Office closed")])
            #expect(closure.status == .seeOther)
            let homes = try await adminWeb.post("/staff/admin/homes", [("year", "2026/27"), ("homes", "12,480")])
            #expect(homes.status == .seeOther)
            #expect(try await adminWeb.get("/staff/admin/homes").contains("<td>2026/27</td>"))
            let badHomes = try await adminWeb.post("/staff/admin/homes", [("year", "2026"), ("homes", "many")])
            #expect(badHomes.status == .unprocessableEntity && badHomes.errorSummary.count == 1)
            let badYear = try await adminWeb.post("/staff/admin/homes", [("year", "2026"), ("homes", "100")])
            #expect(badYear.status == .unprocessableEntity && badYear.html.contains("Enter a financial year like 2026/27."))
            #expect(try await HomesService(app: t.app, db: t.app.db, requestID: nil).all().map(\.homes) == [12480])
            let bad = try await adminWeb.post("/staff/admin/users", [("username", "x"), ("role", "officer"), ("password", "short")])
            #expect(bad.status == .unprocessableEntity && !bad.errorSummary.isEmpty)
        }
    }
}

@Suite("Web building blocks")
struct WebBuildingBlockTests {
    @Test("A urlencoded form keeps every value of a repeated name, decodes + and %XX, and survives bad escapes")
    func formParsing() {
        let form = FormData(urlencoded: "a=1&b=x+y&c=%C3%A9t%C3%A9&a=2&bad=%ZZ&empty=&=nameless")
        #expect(form.all("a") == ["1", "2"])
        #expect(form["b"] == "x y")
        #expect(form["c"] == "été")
        #expect(form["bad"] == "%ZZ")
        #expect(form["empty"] == nil)
        #expect(form.values[""] == nil)
    }

    @Test("Each question page shows only its own problems; the check page links each problem to its page")
    func wizardProblems() {
        var wizard = ReportWizard(answers: FormData())
        let now = tuesdayMorning
        #expect(wizard.problems(on: .what, now: now).map(\.field) == ["description"])
        #expect(wizard.problems(on: .when, now: now).isEmpty)
        wizard.answers.set("occurredOn", "2030-01-01")
        #expect(wizard.problems(on: .when, now: now).map(\.field) == ["occurredOn"])
        #expect(wizard.step(owning: "reporter.email") == .aboutYou)
        #expect(wizard.step(owning: "riskAnswers.disability") == .support)
        #expect(wizard.step(owning: "riskAnswers.threats") == .risk)
        wizard.answers.set("anonymous", "yes")
        #expect(!wizard.summary.contains { $0.question == "Email address" })
    }

    @Test("SS-RT-4: a deadline at midnight reads as the end of the working day before it")
    func dueTimesInWords() {
        let endOfDay = ISO8601DateFormatter().date(from: "2026-12-10T00:00:00Z")!
        #expect(CaseClock.describeDue(endOfDay) == "end of Wed 9 Dec 2026")
        let summer = ISO8601DateFormatter().date(from: "2026-06-09T23:00:00Z")!   // 00:00 BST on 10 June
        #expect(CaseClock.describeDue(summer) == "end of Tue 9 Jun 2026")
        #expect(CaseClock.describeDue(tuesdayMorning) == "Tue 24 Nov 2026 10:15 GMT")
    }

    @Test("Form fields escape every value in text and in attributes")
    func fieldEscaping() {
        #expect(Markup.escape(#"<b a="1">Tom & Jerry's</b>"#) == "&lt;b a=&quot;1&quot;&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;")
        #expect(Markup.escape("Zoë — no change") == "Zoë — no change")
        let hostile = #""><script>alert('x')</script>"#
        var text = FormField(kind: .text, name: "q", label: hostile, hint: hostile, value: hostile, autocomplete: hostile)
        text.error = hostile
        let choices = FormField(kind: .checkboxes, name: "c", label: hostile,
                                options: [.init(value: hostile, label: hostile, hint: hostile, selected: true)])
        let select = FormField(kind: .select, name: "s", label: "S", options: [.init(value: hostile, label: hostile)])
        let area = FormField(kind: .textarea, name: "t", label: "T", value: "</textarea>" + hostile)
        for field in [text, choices, select, area] {
            #expect(!field.html.contains("<script>") && !field.html.contains(#"""><"#), "\(field.kind)")
            #expect(field.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(field.kind)")
        }
        #expect(!area.html.contains("</textarea><"))
        #expect(choices.html.contains(#"<input class="choice-input" id="c-1" name="c" type="checkbox" value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" checked aria-describedby="c-1-hint">"#))
        #expect(text.html.contains(#"<p id="q-error" class="error-message"><span class="visually-hidden">Error:</span> &quot;&gt;"#))
    }

    @Test("A form's fields are laid out by kind: a password never shows its value, a file accepts evidence types")
    func fieldLayouts() {
        let password = FormField(kind: .password, name: "password", label: "Password", value: "secret-value")
        #expect(password.html.contains(#"<input class="input" id="password" name="password" type="password">"#))
        let file = FormField(kind: .file, name: "file", label: "File")
        #expect(file.html.contains(#"type="file" accept="image/*,application/pdf,audio/*,video/*">"#))
        let when = FormField(kind: .datetime, name: "at", label: "When", value: "2026-11-25T10:30", width: "medium")
        #expect(when.html.contains(#"<input class="input input-medium" id="at" name="at" type="datetime-local" value="2026-11-25T10:30">"#))
        let hidden = FormField(kind: .hidden, name: "version", label: "", value: "3")
        #expect(hidden.html == "<input type=\"hidden\" name=\"version\" value=\"3\">\n")
        let heading = FormField(kind: .radios, name: "role", label: "Who are you?", options: [.init(value: "a", label: "A")], isPageHeading: true)
        #expect(heading.html.contains(#"<legend class="fieldset-legend fieldset-legend-l"><h1 class="fieldset-heading">Who are you?</h1></legend>"#))
        #expect(heading.html.contains(#"type="radio" value="a">"#))
        #expect(FormField.id(for: "actions.0.what") == "actions-0-what" && FormField.id(for: "naïve name") == "naïve-name")
        let form = FormModel(id: "f", title: "t", action: "/", submitLabel: "Go", fields: [hidden, password])
        #expect(form.fieldsHTML == hidden.html + password.html)
    }

    @Test("Tables escape every cell; a button cell posts with the page's CSRF token")
    func tableHTML() {
        let hostile = #"<img src=x onerror="alert('x')">"#
        let table = Table(caption: hostile, headers: [hostile], rows: [
            [.init(text: hostile), .init(text: hostile, href: #"/x?a=1&b="2""#), .init(text: hostile, tag: #"tag-red" onclick="x"#)],
            [.init(text: "", button: .init(action: "/staff/admin/users/1/active", label: hostile, context: hostile, csrf: "token-1"))],
        ], captionHidden: true)
        let html = table.html
        #expect(!html.contains("<img"))
        #expect(html.components(separatedBy: "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;").count == 8)
        #expect(html.contains(#"<caption class="table-caption visually-hidden">"#))
        #expect(html.contains(#"<a href="/x?a=1&amp;b=&quot;2&quot;">"#))
        #expect(html.contains(#"<strong class="tag tag-red&quot; onclick=&quot;x">"#))
        #expect(html.contains(#"<form method="post" action="/staff/admin/users/1/active" class="inline-form"><input type="hidden" name="_csrf" value="token-1"><button type="submit" class="button button-secondary button-small">"#))
        #expect(html.components(separatedBy: "<tr>").count == 4)   // the header row and two rows
    }

    @Test("A case page section escapes every value; each form folds in its details and posts the page's CSRF token")
    func sectionHTML() {
        let hostile = #"<img src=x onerror="alert('x')">"#
        var open = FormModel(id: "plan", title: hostile, action: "/staff/cases/ASB-2026-00001/plan", submitLabel: hostile,
                             fields: [FormField(kind: .text, name: "what", label: hostile)], hidden: [.init(name: "version", value: hostile)],
                             intro: hostile, isWarning: true)
        open.open = true
        let folded = FormModel(id: "close", title: "Close", action: "/staff/cases/ASB-2026-00001/close", submitLabel: "Close the case",
                               fields: [], multipart: true)
        let section = PageSection(id: "plan", title: hostile, items: [.init(key: hostile, value: hostile, tag: hostile), .init(key: "Agreed", value: hostile)],
                                  empty: hostile, forms: [open, folded])
        var w = HTMLWriter()
        section.write(csrf: "token-1", into: &w)
        let html = w.html
        #expect(!html.contains("<img"))
        #expect(html.components(separatedBy: "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;").count == 12)
        #expect(html.hasPrefix(#"<section class="case-section" aria-labelledby="plan">"#) && html.hasSuffix("</section>\n"))
        #expect(html.contains(#"<dl class="summary-list">"#) && html.components(separatedBy: #"<div class="summary-row">"#).count == 3)
        #expect(html.contains(#"<strong class="tag &lt;img"#))
        #expect(html.contains(#"<details class="details" id="plan-details" open>"#) && html.contains(#"<details class="details" id="close-details">"#))
        #expect(html.components(separatedBy: #"<input type="hidden" name="_csrf" value="token-1">"#).count == 3)
        #expect(html.contains(#"<input type="hidden" name="version" value="&lt;img"#))
        #expect(html.contains(#"<button type="submit" class="button button-warning">"#) && html.contains(#"<button type="submit" class="button">Close the case</button>"#))
        #expect(html.contains(#"<form method="post" action="/staff/cases/ASB-2026-00001/close" id="close" novalidate enctype="multipart/form-data">"#))
    }

    @Test("A form is written only while Request.page renders its page, posting that page's CSRF token")
    func formNeedsItsPage() throws {
        let form = FormModel(id: "f", title: "Title", action: "/a", submitLabel: "Go", fields: [FormField(kind: .text, name: "q", label: "Q")])
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(form) }
        let data = try PageRendering.$csrf.withValue("token-2") { try JSONEncoder().encode(form) }
        let encoded = try JSONDecoder().decode([String: String].self, from: data)
        #expect(encoded["html"]?.contains(#"<input type="hidden" name="_csrf" value="token-2">"#) == true)
        #expect(encoded["fieldsHTML"] == form.fieldsHTML && encoded["title"] == "Title" && encoded["submitLabel"] == "Go")
    }

    @Test("Field ids, hints and errors are tied together for assistive technology")
    func fieldAccessibility() {
        var field = FormField(kind: .text, name: "reporter.email", label: "Email", hint: "We never share it")
        #expect(field.id == "reporter-email")
        #expect(field.describedBy == "reporter-email-hint")
        field.error = "Enter an email address"
        #expect(field.describedBy == "reporter-email-hint reporter-email-error")
        var form = FormModel(id: "f", title: "t", action: "/", submitLabel: "Go", fields: [field,
            FormField(kind: .radios, name: "role", label: "Role", options: [.init(value: "a", label: "A")])])
        let links = form.apply([FieldError("role", "Choose a role."), FieldError("somethingElse", "Other problem.")])
        #expect(links.map(\.href) == ["#role-1", "#f"])
        #expect(form.open)
    }
}

@Suite("Partners, notices and evidence on the web")
struct StaffWorkspaceSharingTests {
    @Test("SS-PRG-3: a partner sees only what the referral shares and adds an update; the landlord's staff see it on the case")
    func partnerView() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (leaderToken, leader) = try await t.staffToken(.teamLeader)
            let (_, partner) = try await t.staffToken(.partner, agency: "Police")
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            try await web.get("/staff/cases/\(reference)")
            let missing = try await web.post("/staff/cases/\(reference)/referral", [("agencyId", try await t.agencyID("Police")),
                                                                                   ("reason", "Drug dealing on the stairs"), ("consentGiven", "no")])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.contains("id=\"referral-lawfulBasisWithoutConsent-error\""))
            let sent = try await web.post("/staff/cases/\(reference)/referral", [("agencyId", try await t.agencyID("Police")),
                                                                                ("reason", "Drug dealing on the stairs"), ("consentGiven", "yes"),
                                                                                ("sharedFields", "caseSummary")])
            #expect(sent.status == .seeOther)
            _ = leaderToken

            let police = WebClient(t.app)
            try await police.signIn(partner.username, password: "correct-horse-\(partner.username)")
            let page = try await police.get("/staff/cases/\(reference)")
            #expect(page.status == .ok)
            #expect(page.contains("Drug dealing on the stairs"))
            #expect(!page.contains("Reports and incidents"))            // incidents not shared
            #expect(!page.contains(Fixtures.webReport(seed: 0)["description"] as? String ?? "never"))
            #expect(page.contains("No personal details are shared with your agency."))
            #expect(!page.contains("form-assess"))
            let referralID = try #require(try await Referral.query(on: t.app.db).first()?.id)
            let update = try await police.post("/staff/cases/\(reference)/referral-update",
                                               [("referralId", referralID.uuidString), ("text", "Patrols added on Friday nights"), ("status", "accepted")])
            #expect(update.status == .seeOther)
            #expect(try await Referral.query(on: t.app.db).first()?.status == .accepted)
            // A partner cannot use a caseworker's form.
            let refused = try await police.post("/staff/cases/\(reference)/contact", [("summary", "x")])
            #expect(refused.status == .forbidden || refused.status == .notFound)
        }
    }

    @Test("SS-PRG-6: an officer drafts a community notice from the case; a team leader publishes it; the public page shows it")
    func communityNotice() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin)
            let area = try await t.send(.POST, "/api/v1/neighbourhoods", json: ["name": "Example Ward", "postcodeSectors": ["SS1 1"]], token: admin.token)
            let areaID = try #require(area.string("id"))
            let reference = try await t.submitReport(["postcode": "SS1 1AA"]).string("reference")!
            let (leaderToken, leader) = try await t.staffToken(.teamLeader)
            _ = try await t.assess(reference, token: leaderToken)
            _ = try await t.allocate(reference, to: leader, token: leaderToken)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            let page = try await web.get("/staff/cases/\(reference)")
            #expect(page.contains("form-notice"))
            let drafted = try await web.post("/staff/cases/\(reference)/notice", [
                ("neighbourhoodId", areaID), ("title", "Action on noise"), ("text", "We warned a household after reports of loud music.")])
            #expect(drafted.status == .seeOther)
            let list = try await web.get("/staff/notices")
            #expect(list.contains("Approve and publish"))
            let id = try #require(try await CommunityNotice.query(on: t.app.db).first()?.id)
            #expect(try await web.post("/staff/notices/\(id.uuidString)/publish", []).status == .seeOther)
            let publicPage = try await WebClient(t.app).get("/notices?neighbourhood=\(areaID)")
            #expect(publicPage.contains("Action on noise") && publicPage.contains("We warned a household"))
        }
    }

    @Test("SS-PRG-1: evidence is uploaded from the case page and downloaded as an attachment; an empty upload is refused beside the field")
    func evidence() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (leaderToken, leader) = try await t.staffToken(.teamLeader)
            _ = try await t.assess(reference, token: leaderToken)
            _ = try await t.allocate(reference, to: leader, token: leaderToken)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            try await web.get("/staff/cases/\(reference)")
            let csrf = web.csrf
            func upload(_ name: String, _ content: String) async throws -> XCTHTTPResponseLike {
                let boundary = "XyZboundary"
                var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n"
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: text/plain\r\n\r\n\(content)\r\n"
                body += "--\(boundary)--\r\n"
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                headers.replaceOrAdd(name: .cookie, value: web.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                let response = try await t.app.testing().sendRequest(.POST, "/staff/cases/\(reference)/attachments", headers: headers,
                                                                     body: ByteBuffer(string: body))
                return XCTHTTPResponseLike(status: response.status, body: String(buffer: response.body))
            }
            let ok = try await upload("diary.txt", "Monday: music until 2am")
            #expect(ok.status == .seeOther)
            let empty = try await upload("empty.txt", "")
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.contains("id=\"attachment-file-error\""))
            let page = try await web.get("/staff/cases/\(reference)")
            #expect(page.contains("diary.txt"))
            let id = try #require(try await Attachment.query(on: t.app.db).first()?.id)
            let download = try await web.get("/staff/cases/\(reference)/attachments/\(id.uuidString)")
            #expect(download.status == .ok && download.html == "Monday: music until 2am")
            #expect(download.headers.first(name: .contentDisposition) == "attachment; filename=\"diary.txt\"")
        }
    }
}

struct XCTHTTPResponseLike {
    let status: HTTPStatus
    let body: String
}

@Suite("Work queue tables")
struct QueueTableTests {
    @Test("SS-NXT-1: a queue's table shows each case's link, hate tag, status, priority or Not assessed, officer or Not allocated, and what is due in its state's colour, escaped")
    func caseTableCells() {
        let rows = [
            StaffSite.CaseRow(reference: "ASB-2026-00001", href: "/staff/cases/ASB-2026-00001", status: "Open", statusClass: "tag-blue",
                              priority: "Priority 1", priorityClass: "tag-red", hate: true, officer: "Dana O'Neill",
                              due: "Response due Tue 24 Nov 2026 10:15 GMT (Breached)", dueClass: "tag-red",
                              received: "Mon 23 Nov 2026 09:00 GMT"),
            StaffSite.CaseRow(reference: "ASB-2026-00002", href: "/staff/cases/ASB-2026-00002", status: "Received", statusClass: "tag-grey",
                              priority: nil, priorityClass: nil, hate: false, officer: nil, due: "Contact due Wednesday 25 November 2026",
                              dueClass: nil, received: "Tue 24 Nov 2026 08:00 GMT"),
            StaffSite.CaseRow(reference: "ASB-2026-00003", href: "/staff/cases/ASB-2026-00003", status: "Open", statusClass: "tag-blue",
                              priority: "Priority 3", priorityClass: "tag-green", hate: false, officer: "Sam <Lee>", due: nil,
                              dueClass: nil, received: "Tue 24 Nov 2026 08:30 GMT"),
        ]
        let html = StaffSite.CaseTable(caption: "Triage & more", rows: rows).html
        #expect(html.contains(#"<caption class="table-caption visually-hidden">Triage &amp; more</caption>"#))
        #expect(html.components(separatedBy: "<tr>").count == 5, "the heading row and three cases")
        #expect(html.contains(#"<td><a href="/staff/cases/ASB-2026-00001">ASB-2026-00001</a> <strong class="tag tag-red">Hate</strong></td>"#))
        #expect(html.contains(#"<td><strong class="tag tag-blue">Open</strong></td>"#))
        #expect(html.contains(#"<td><strong class="tag tag-red">Priority 1</strong></td>"#))
        #expect(html.contains("<td>Dana O&#39;Neill</td>"))
        #expect(html.contains(#"<td><span class="due tag-red-text">Response due Tue 24 Nov 2026 10:15 GMT (Breached)</span></td>"#))
        #expect(html.contains("<td>Mon 23 Nov 2026 09:00 GMT</td>"))
        #expect(html.contains(#"<td><a href="/staff/cases/ASB-2026-00002">ASB-2026-00002</a></td>"#))
        #expect(html.contains("<td>Not assessed</td>") && html.contains("<td>Not allocated</td>"))
        #expect(html.contains("<td>Contact due Wednesday 25 November 2026</td>"))
        #expect(html.contains("<td>Sam &lt;Lee&gt;</td>") && html.contains("<td>–</td>"))
        #expect(!html.contains("Sam <Lee>"))
    }

    @Test("SS-NXT-1: each queue sorts most or least urgent first and pages either way without losing a case")
    func sortingAndPaging() async throws {
        try await TestApp.run { t in
            var references: [String] = []
            for _ in 0..<30 {
                references.append(try await t.submitReport().string("reference")!)
                t.clock.advance(by: 60)
            }
            let (_, leader) = try await t.staffToken(.teamLeader)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            func collect(_ sort: String) async throws -> [String] {
                var seen: [String] = []
                var path: String? = "/staff/queues/triage?sort=\(sort)"
                while let next = path {
                    let page = try await web.get(next)
                    #expect(page.status == .ok)
                    seen += references.filter { page.contains(">\($0)</a>") }.sorted { a, b in
                        page.html.range(of: ">\(a)</a>")!.lowerBound < page.html.range(of: ">\(b)</a>")!.lowerBound
                    }
                    path = page.html.range(of: "href=\"/staff/queues/triage?cursor=").map { r in
                        String(page.html[page.html.index(r.lowerBound, offsetBy: 6)...].prefix { $0 != "\"" })
                            .replacingOccurrences(of: "&amp;", with: "&")
                    }
                }
                return seen
            }
            let urgent = try await collect("urgent")
            let least = try await collect("least")
            #expect(urgent == references)            // triage: the longest waiting first
            #expect(least == references.reversed())
            #expect(try await web.get("/staff/queues/triage").contains("aria-current=\"true\" class=\"sort-current\">Most urgent first"))
        }
    }
}

@Suite("Page rendering")
struct PageRenderingTests {
    @Test("Templates are parsed once, also in Vapor's development environment, which asb serve runs in by default")
    func templatesParsedOnce() async throws {
        let app = try await Application.make(.development)
        do {
            var config = AppConfig(bcryptCost: 4)
            config.database = .sqliteMemory
            try await ASBServer.configure(app, config: config)
            try await app.autoMigrate()
            #expect(app.leaf.cache.count == 0)
            let first = try await app.testing().sendRequest(.GET, "/")
            #expect(first.status == .ok && first.body.string.contains("999"))
            let parsed = app.leaf.cache.count
            #expect(parsed > 0, "the start page's templates were not kept")
            let again = try await app.testing().sendRequest(.GET, "/")
            #expect(again.body.string == first.body.string)
            #expect(app.leaf.cache.count == parsed)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
