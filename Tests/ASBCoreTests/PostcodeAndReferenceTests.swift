import ASBCore
import Testing

@Suite("UK postcodes")
struct PostcodeTests {
    @Test("Valid postcodes of every outward shape are normalised to their printed form",
          arguments: [
              ("ss26fy", "SS2 6FY"), ("SS1 1AA", "SS1 1AA"), (" ss1  1aa ", "SS1 1AA"), ("m11ae", "M1 1AE"),
              ("B338TH", "B33 8TH"), ("cr26xh", "CR2 6XH"), ("DN551PT", "DN55 1PT"), ("w1a0ax", "W1A 0AX"),
              ("EC1A1BB", "EC1A 1BB"), ("gir0aa", "GIR 0AA"),
          ])
    func valid(raw: String, normalised: String) throws {
        let postcode = try #require(Postcode(raw))
        #expect(postcode.value == normalised)
    }

    @Test("Malformed postcodes are refused",
          arguments: ["", "SS", "SS1", "12345", "SS1 1A", "QS1 1AA", "SZ1 1AA", "SS1 1CA", "SS1 AAA", "SS11 11A",
                      "SS1-1AA", "ŚS1 1AA", "AAAA 1AA"])
    func invalid(raw: String) {
        #expect(Postcode(raw) == nil)
    }

    @Test("Sector and outward code")
    func parts() throws {
        let postcode = try #require(Postcode("ss2 6fy"))
        #expect(postcode.outward == "SS2")
        #expect(postcode.sector == "SS2 6")
    }
}

@Suite("Case references")
struct CaseReferenceTests {
    @Test("References print as ASB-<year>-<5 digits> and parse back, case-insensitively")
    func roundTrip() throws {
        #expect(CaseReference(year: 2026, number: 42).description == "ASB-2026-00042")
        #expect(CaseReference(year: 2026, number: 99_999).description == "ASB-2026-99999")
        #expect(CaseReference(year: 2027, number: 123_456).description == "ASB-2027-123456", "A sixth digit, never an error")
        let parsed = try #require(CaseReference(" asb-2026-00042 "))
        #expect(parsed == CaseReference(year: 2026, number: 42))
    }

    @Test("Malformed references are refused",
          arguments: ["", "ASB-2026", "ASB-26-00001", "ASB-2026-0001", "XYZ-2026-00001", "ASB-2026-00000", "ASB-2026-0000A",
                      "ASB-２０２６-00001"])
    func invalid(raw: String) {
        #expect(CaseReference(raw) == nil)
    }

    @Test("References order by year, then number")
    func ordering() {
        #expect(CaseReference(year: 2026, number: 99_999) < CaseReference(year: 2027, number: 1))
        #expect(CaseReference(year: 2026, number: 2) < CaseReference(year: 2026, number: 10))
    }
}

@Suite("Access codes")
struct AccessCodeTests {
    @Test("A code is 12 characters from the unambiguous alphabet, in three groups")
    func shape() throws {
        var state: UInt64 = 42
        for _ in 0..<200 {
            let bytes = (0..<32).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            let code = try #require(AccessCode.make(fromRandomBytes: bytes))
            #expect(code.count == 14)
            #expect(code.split(separator: "-").map(\.count) == [4, 4, 4])
            #expect(code.filter { $0 != "-" }.allSatisfy { AccessCode.alphabet.contains($0) })
            #expect(!code.contains { "IL01O".contains($0) })
        }
    }

    @Test("Too few usable bytes give no code rather than a short one")
    func tooFewBytes() {
        #expect(AccessCode.make(fromRandomBytes: [1, 2, 3]) == nil)
        #expect(AccessCode.make(fromRandomBytes: Array(repeating: 255, count: 64)) == nil, "Bytes above the unbiased limit are rejected")
    }

    @Test("Codes compare without case, spaces or hyphens")
    func normalise() {
        #expect(AccessCode.normalise(" abcd-efgh jkmn ") == "ABCDEFGHJKMN")
    }
}
