/// The reporter's private access code: 12 characters from an alphabet without look-alikes
/// (no I, L, O, 0 or 1), shown as `ABCD-EFGH-JKMN`. About 59 bits of randomness.
public enum AccessCode {
    public static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    public static let length = 12

    /// Builds a code from random bytes (one byte a character, rejection-sampled to avoid bias).
    /// Returns `nil` when the bytes run out before the code is complete; ask for more.
    public static func make(fromRandomBytes bytes: [UInt8]) -> String? {
        let limit = UInt8(256 - 256 % alphabet.count)
        var chars: [Character] = []
        for byte in bytes where byte < limit {
            chars.append(alphabet[Int(byte) % alphabet.count])
            if chars.count == length { break }
        }
        guard chars.count == length else { return nil }
        return stride(from: 0, to: length, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The form codes are compared in: upper case, no separators or spaces.
    public static func normalise(_ raw: String) -> String {
        raw.uppercased().filter { $0 != "-" && !$0.isWhitespace }
    }
}
