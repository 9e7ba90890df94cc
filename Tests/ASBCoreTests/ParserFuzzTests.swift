import Foundation
import Testing

@testable import ASBCore
import ASBTestSupport

/// Every parser of outside input is fed random and mutated input with a fixed seed: it must
/// answer (a value or a clear error), never crash, and stay within the suite's time limit.
@Suite("Parsers of outside input: no crash, no hang, a clear error", .timeLimit(.minutes(1)))
struct ParserFuzzTests {
    static func randomString(_ generator: inout SplitMix64, alphabet: [Character], maxLength: Int) -> String {
        String((0..<Int.random(in: 0...maxLength, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }

    static let postcodeAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789  -\t\n.ÀÉ١٢߀😀\u{200B}\u{0}")

    @Test("Postcodes: any string is refused or gives a normalised postcode that parses to itself")
    func postcodes() throws {
        var generator = SplitMix64(seed: 0x5057_2026)
        let shape = try NSRegularExpression(pattern: "^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
        var accepted = 0
        for _ in 0..<20_000 {
            let raw = Self.randomString(&generator, alphabet: Self.postcodeAlphabet, maxLength: 12)
            guard let postcode = Postcode(raw) else { continue }
            accepted += 1
            #expect(Postcode(postcode.value)?.value == postcode.value, "\(raw)")
            #expect(shape.firstMatch(in: postcode.value, range: NSRange(postcode.value.startIndex..., in: postcode.value)) != nil, "\(raw)")
        }
        // Built to be valid: outward code (area and district), space or not, inward code, any case.
        for _ in 0..<2_000 {
            // The Royal Mail's letters: never Q, V or X first, never I, J or Z second.
            let first = Array("ABCDEFGHIJKLMNOPRSTUWYZ"), second = Array("ABCDEFGHKLMNOPQRSTUVWXY"), digits = Array("0123456789")
            let inward = Array("ABDEFGHJLNPQRSTUWXYZ")
            let area = String(first.randomElement(using: &generator)!)
                + (Bool.random(using: &generator) ? String(second.randomElement(using: &generator)!) : "")
            let raw = area + String(digits.randomElement(using: &generator)!) + (Bool.random(using: &generator) ? " " : "")
                + String(digits.randomElement(using: &generator)!) + String(inward.randomElement(using: &generator)!) + String(inward.randomElement(using: &generator)!)
            let cased = Bool.random(using: &generator) ? raw.lowercased() : raw
            #expect(Postcode(cased) != nil, "\(cased)")
        }
        #expect(accepted < 20_000)
    }

    @Test("GOV.UK bank-holidays JSON: truncated and mutated files decode or throw, never crash; what decodes has real dates")
    func govukCalendar() {
        let sample = Array(GovUKBankHolidaysTests.sample.utf8)
        var generator = SplitMix64(seed: 0x60F0_2026)
        var decoded = 0
        for length in stride(from: 0, through: sample.count, by: 7) {
            if (try? GovUKBankHolidays.decode(from: Data(sample.prefix(length)))) != nil { decoded += 1 }
        }
        for _ in 0..<3_000 {
            guard let file = try? GovUKBankHolidays.decode(from: Data(mutate(sample, using: &generator))) else { continue }
            decoded += 1
            for division in file.divisions.values {
                for event in division.events { #expect(LocalDate(iso: event.date.description) == event.date) }
            }
        }
        #expect(decoded > 0)
    }

    @Test("Report bodies: random drafts are accepted or refused with named fields, never crash")
    func reports() {
        var generator = SplitMix64(seed: 0x0BAD_2026)
        let text = Array("abc XYZ 0123 ,.;:'\"<>&@/\\\n\t£€ éß ١ 😀\u{0}\u{202E}")
        let now = Date(timeIntervalSince1970: 1_795_600_000)
        let known: Set<String> = ["channel", "anonymous", "description", "occurredOn", "occurredAt", "location", "postcode", "categories",
                                  "hate", "hateStrands", "reporter", "reporter.name", "reporter.email", "reporter.phone", "reporter.address",
                                  "reporter.postcode", "reporter.preferredContactMethod", "allegedPerpetrator", "allegedPerpetrator.name",
                                  "allegedPerpetrator.address", "allegedPerpetrator.postcode", "allegedPerpetrator.email",
                                  "allegedPerpetrator.phone", "immediateDanger", "receivedAt"]
        func maybe(_ maxLength: Int) -> String? {
            Bool.random(using: &generator) ? Self.randomString(&generator, alphabet: text, maxLength: maxLength) : nil
        }
        var accepted = 0
        for index in 0..<5_000 {
            let person = Bool.random(using: &generator) ? ReportDraft.Person(name: maybe(40), email: maybe(30), phone: maybe(16), address: maybe(60),
                                                                            postcode: maybe(9), preferredContactMethod: ContactMethod.allCases.randomElement(using: &generator)) : nil
            let draft = ReportDraft(
                channel: ReportChannel.allCases.randomElement(using: &generator)!, anonymous: Bool.random(using: &generator), reporter: person,
                description: Self.randomString(&generator, alphabet: text, maxLength: index.isMultiple(of: 100) ? 12_000 : 200),
                occurredOn: maybe(12), occurredAt: maybe(6), location: maybe(80), postcode: maybe(9),
                categories: IncidentCategory.allCases.filter { _ in Bool.random(using: &generator) },
                hate: Bool.random(using: &generator), hateStrands: HateStrand.allCases.filter { _ in Bool.random(using: &generator) },
                immediateDanger: Bool.random(using: &generator))
            do {
                _ = try ReportValidator.validate(draft, by: .init(isStaff: Bool.random(using: &generator)), now: now)
                accepted += 1
            } catch {
                #expect(!error.errors.isEmpty)
                for fieldError in error.errors {
                    #expect(known.contains(fieldError.field), "unexpected field \(fieldError.field)")
                    #expect(!fieldError.message.isEmpty)
                }
            }
        }
        #expect(accepted < 5_000)
    }
}
