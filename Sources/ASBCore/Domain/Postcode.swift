import Foundation

/// A UK postcode, validated and normalised to its printed form (`ss26fy` → `SS2 6FY`).
///
/// Accepts the six outward formats (A9, A99, AA9, AA99, A9A, AA9A) followed by an inward code
/// (9AA), with any spacing and case, and the special non-geographic `GIR 0AA`.
public struct Postcode: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The normalised form, outward and inward code separated by one space.
    public let value: String

    public init?(_ raw: String) {
        let compact = raw.uppercased().filter { !$0.isWhitespace }
        guard (5...7).contains(compact.count), compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return nil
        }
        let outward = String(compact.dropLast(3))
        let inward = String(compact.suffix(3))
        guard Self.isValidInward(inward), Self.isValidOutward(outward) || compact == "GIR0AA" else { return nil }
        self.value = "\(outward) \(inward)"
    }

    /// The outward code, e.g. `SS2`.
    public var outward: String { String(value.split(separator: " ")[0]) }
    /// The postcode sector, e.g. `SS2 6`: the usual unit for mapping a postcode to a neighbourhood.
    public var sector: String { String(value.dropLast(2)) }

    public var description: String { value }
    public static func < (lhs: Postcode, rhs: Postcode) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let postcode = Postcode(raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Not a UK postcode"))
        }
        self = postcode
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// Inward letters never include C, I, K, M, O or V.
    private static let inwardLetters = Set("ABDEFGHJLNPQRSTUWXYZ")
    private static let outwardShapes: Set = ["A9", "A99", "AA9", "AA99", "A9A", "AA9A"]

    private static func isValidInward(_ s: String) -> Bool {
        let c = Array(s)
        return c.count == 3 && c[0].isNumber && inwardLetters.contains(c[1]) && inwardLetters.contains(c[2])
    }

    private static func isValidOutward(_ s: String) -> Bool {
        // A = letter, 9 = digit.
        let shape = String(s.map { $0.isLetter ? "A" : "9" })
        guard outwardShapes.contains(shape) else { return false }
        // The first letter is never Q, V or X; the second (in AA… forms) never I, J or Z.
        let c = Array(s)
        if "QVX".contains(c[0]) { return false }
        if shape.hasPrefix("AA"), "IJZ".contains(c[1]) { return false }
        return true
    }
}
