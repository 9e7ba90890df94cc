import ASBCore
import Foundation
import Testing

@Suite("Report validation (SS-REP-1, SS-DEF-2)")
struct ReportValidatorTests {
    let now = ISO8601DateFormatter().date(from: "2026-11-24T10:15:00Z")!
    let reporter = ReportDraft.Person(name: "Alex Example", email: "Alex@Example.org", postcode: "ss26fy",
                                      preferredContactMethod: .email)

    func validate(_ draft: ReportDraft, staff: Bool = false) -> Result<ValidReport, ValidationFailure> {
        Result { () throws(ValidationFailure) in try ReportValidator.validate(draft, by: .init(isStaff: staff), now: now) }
    }

    func fields(_ result: Result<ValidReport, ValidationFailure>) -> Set<String> {
        if case .failure(let failure) = result { return Set(failure.errors.map(\.field)) }
        return []
    }

    @Test("A complete web report is accepted, trimmed and normalised")
    func valid() throws {
        let draft = ReportDraft(channel: .web, reporter: reporter, description: "  Loud music.  ", occurredOn: "2026-11-20",
                                occurredAt: "23:30", postcode: "ss11aa", categories: [.noise, .noise])
        let report = try validate(draft).get()
        #expect(report.description == "Loud music.")
        #expect(report.postcode?.value == "SS1 1AA")
        #expect(report.reporter?.email == "alex@example.org")
        #expect(report.reporter?.postcode?.value == "SS2 6FY")
        #expect(report.categories == [.noise])
        #expect(report.receivedAt == now)
    }

    @Test("SS-REP-1: the public may use only the web channel", arguments: ReportChannel.allCases)
    func channels(channel: ReportChannel) {
        let draft = ReportDraft(channel: channel, reporter: reporter, description: "x")
        #expect(fields(validate(draft)).contains("channel") == !channel.isPublic)
        #expect(!fields(validate(draft, staff: true)).contains("channel"))
    }

    @Test("A reporter needs a name and a way to be contacted, matching their preferred method")
    func reporterDetails() {
        #expect(fields(validate(ReportDraft(channel: .web, reporter: .init(), description: "x")))
                == ["reporter.name", "reporter"])
        let phoneOnly = ReportDraft.Person(name: "Sam Sample", phone: "07700 900982", preferredContactMethod: .letter)
        #expect(fields(validate(ReportDraft(channel: .web, reporter: phoneOnly, description: "x")))
                == ["reporter.preferredContactMethod"])
        let badPhone = ReportDraft.Person(name: "Sam Sample", phone: "call me maybe")
        #expect(fields(validate(ReportDraft(channel: .web, reporter: badPhone, description: "x"))) == ["reporter.phone"])
    }

    @Test("SS-DEF-2: hate needs at least one strand, and strands need hate")
    func hateStrands() {
        #expect(fields(validate(ReportDraft(channel: .web, reporter: reporter, description: "x", hate: true)))
                == ["hateStrands"])
        #expect(fields(validate(ReportDraft(channel: .web, reporter: reporter, description: "x", hateStrands: [.race])))
                == ["hate"])
        let ok = try? validate(ReportDraft(channel: .web, reporter: reporter, description: "x", hate: true,
                                           hateStrands: [.genderIdentity, .disability])).get()
        #expect(ok?.hateStrands == [.genderIdentity, .disability])
    }

    @Test("Dates and times: real dates only, not in the future; a time needs a date")
    func datesAndTimes() {
        func check(_ on: String?, _ at: String?) -> Set<String> {
            fields(validate(ReportDraft(channel: .web, reporter: reporter, description: "x", occurredOn: on, occurredAt: at)))
        }
        #expect(check("2026-11-24", "00:00") == [])
        #expect(check("2024-02-29", "23:59") == [])
        #expect(check("2026-02-29", nil) == ["occurredOn"])
        #expect(check("24/11/2026", nil) == ["occurredOn"])
        #expect(check("2027-01-01", nil) == ["occurredOn"])
        #expect(check("2026-11-24", "24:00") == ["occurredAt"])
        #expect(check("2026-11-24", "9:30") == ["occurredAt"])
        #expect(check(nil, "09:30") == ["occurredOn"])
    }

    @Test("A date is read as YYYY-MM-DD and means 00:00 in the UK, as Foundation's London calendar gives it")
    func parseDate() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        func reference(_ y: Int, _ m: Int, _ d: Int) -> Date? {
            let components = DateComponents(year: y, month: m, day: d)
            return components.isValidDate(in: calendar) ? calendar.date(from: components) : nil
        }
        // Every day of 1900-2100 (clock changes, leap years, 1900 and 2100 not leap years), and
        // the 29th to 32nd of every month of a few years.
        var day = ReportValidator.parseDate("1900-01-01")!
        let end = ReportValidator.parseDate("2100-12-31")!
        var checked = 0
        while day <= end {
            let local = LondonTime.localDateTime(for: day).date
            let text = local.description
            #expect(ReportValidator.parseDate(text) == reference(local.year, local.month, local.day), "\(text)")
            day = ReportValidator.parseDate(local.adding(days: 1).description)!
            checked += 1
        }
        #expect(checked == 73_414)
        for year in [1900, 2000, 2023, 2024, 2100] {
            for month in 0...13 {
                for dayOfMonth in [0, 1, 28, 29, 30, 31, 32] {
                    let text = String(format: "%04d-%02d-%02d", year, month, dayOfMonth)
                    #expect(ReportValidator.parseDate(text) == reference(year, month, dayOfMonth), "\(text)")
                }
            }
        }
        for bad in ["", "2026-1-05", "2026-01-5", "26-01-05", "2026/01/05", "2026-+1-05", "+026-01-05", "2026-01-05 ",
                    "2026-01-05T00:00", "２０２６-01-05", "2026-01-0a"] {
            #expect(ReportValidator.parseDate(bad) == nil, "\(bad)")
        }
    }

    @Test("Trimming white space gives exactly Foundation's trimming of whitespacesAndNewlines")
    func trimming() {
        let pieces = [" ", "\t", "\n", "\r\n", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{200B}", "\u{FEFF}", "\u{301}",
                      "e\u{301}", "a", "Zo", "ß", "😀", "👍🏽", "ق", "-", ""]
        var random = SplitMix64(seed: 42)
        var texts = pieces + ["  Loud music.  ", "Loud music.", "\n\t", " \u{301}", "\u{301} "]
        for _ in 0..<5_000 {
            texts.append((0..<Int(random.next() % 7)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined())
        }
        for text in texts {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.unicodeScalars.map(\.value))")
            let inner = text.dropFirst()
            #expect(inner.trimmingWhitespace() == inner.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test("Staff may backdate receipt (a letter's stamp) but not into the future; the public may not set it")
    func receivedAt() throws {
        let earlier = now.addingTimeInterval(-4 * 86_400)
        let draft = ReportDraft(channel: .letter, reporter: reporter, description: "x", receivedAt: earlier)
        #expect(try validate(draft, staff: true).get().receivedAt == earlier)
        #expect(fields(validate(ReportDraft(channel: .letter, reporter: reporter, description: "x",
                                            receivedAt: now.addingTimeInterval(3600)), staff: true)) == ["receivedAt"])
        #expect(fields(validate(ReportDraft(channel: .web, reporter: reporter, description: "x", receivedAt: earlier)))
                == ["receivedAt"])
    }

    @Test("Anonymous reports carry no reporter; a new incident on a case takes none either")
    func anonymity() throws {
        #expect(try validate(ReportDraft(channel: .web, anonymous: true, description: "x")).get().isAnonymous)
        #expect(fields(validate(ReportDraft(channel: .web, anonymous: true, reporter: reporter, description: "x"))) == ["reporter"])
        let incident = Result { () throws(ValidationFailure) in
            try ReportValidator.validate(ReportDraft(channel: .phone, description: "Again"), by: .init(isStaff: true),
                                         now: now, existingCase: true)
        }
        #expect((try? incident.get()) != nil)
    }

    @Test("What happened: required, at most 10,000 characters (counted as a person sees them)")
    func descriptionLength() {
        #expect(fields(validate(ReportDraft(channel: .web, reporter: reporter, description: " \n "))) == ["description"])
        let emoji = String(repeating: "🔊", count: 10_000)
        #expect(fields(validate(ReportDraft(channel: .web, reporter: reporter, description: emoji))) == [])
        #expect(fields(validate(ReportDraft(channel: .web, reporter: reporter, description: emoji + "!"))) == ["description"])
    }

    @Test("Email addresses and phone numbers",
          arguments: [("a@example.org", true), ("first.last+tag@sub.example.co.uk", true), ("no-at.example.org", false),
                      ("a@b", false), ("a @example.org", false), ("a@-example.org", false), ("@example.org", false)])
    func emails(address: String, valid: Bool) {
        #expect(ReportValidator.isEmailAddress(address) == valid)
    }

    @Test("SS-REP-2: the emergency advice says to call 999, and 101 for other crime")
    func emergencyAdvice() {
        #expect(IntakeTriage.emergencyAdvice.contains("999"))
        #expect(IntakeTriage.emergencyAdvice.contains("101"))
    }
}
