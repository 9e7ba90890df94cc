import Foundation

/// A case reference: `ASB-<year>-<5 digits>`, sequential per year (`ASB-2026-00042`). A landlord
/// with more than 99,999 cases in a year gets a sixth digit rather than an error.
public struct CaseReference: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let number: Int

    public init(year: Int, number: Int) {
        precondition(number >= 1, "Case numbers start at 1")
        self.year = year
        self.number = number
    }

    /// Parses `ASB-2026-00042` (case-insensitive, surrounding spaces ignored).
    public init?(_ raw: String) {
        let parts = raw.trimmingCharacters(in: .whitespaces).uppercased().split(separator: "-")
        guard parts.count == 3, parts[0] == "ASB", parts[1].count == 4, parts[2].count >= 5, parts[2].count <= 9,
              let year = Int(parts[1]), let number = Int(parts[2]), number >= 1,
              parts[1].allSatisfy(\.isASCII), parts[2].allSatisfy(\.isASCII)
        else { return nil }
        self.year = year
        self.number = number
    }

    public var description: String {
        let digits = String(number)
        return "ASB-\(year)-\(String(repeating: "0", count: max(0, 5 - digits.count)))\(digits)"
    }

    public static func < (lhs: CaseReference, rhs: CaseReference) -> Bool {
        (lhs.year, lhs.number) < (rhs.year, rhs.number)
    }
}
