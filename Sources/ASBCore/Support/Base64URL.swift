/// Base64 with the URL and file name safe alphabet and no padding (RFC 4648 §5): what the server's
/// random tokens (survey links, public sessions' CSRF values), staff CSRF tokens and pagination
/// cursors are written in, so they go into a URL, a form field or a cookie as they are.
///
/// One implementation for all of them, written over the bytes: the three copies it replaces each
/// encoded with Foundation and then replaced `+`, `/` and `=` in three passes of
/// `replacingOccurrences`, which on Linux goes through `NSString`: 2% of `asb demo-data`'s
/// samples, most of the time it spent closing a case (whose survey link is a token).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The bytes as base64url, without padding: 4 characters for every 3 bytes, 2 or 3 for the last 1 or 2.
    public static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let length = bytes.count / 3 * 4 + [0, 2, 3][bytes.count % 3]
        guard length > 0 else { return "" }
        return String(unsafeUninitializedCapacity: length, initializingUTF8With: { (out: UnsafeMutableBufferPointer<UInt8>) -> Int in
            var written = 0
            var group: UInt32 = 0
            var held = 0
            for byte in bytes {
                group = group << 8 | UInt32(byte)
                held += 1
                if held == 3 {
                    out[written] = alphabet[Int(group >> 18 & 0x3F)]
                    out[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                    out[written + 2] = alphabet[Int(group >> 6 & 0x3F)]
                    out[written + 3] = alphabet[Int(group & 0x3F)]
                    written += 4
                    group = 0
                    held = 0
                }
            }
            if held > 0 {
                // The last one or two bytes, shifted to the top of a three-byte group.
                group <<= UInt32(8 * (3 - held))
                out[written] = alphabet[Int(group >> 18 & 0x3F)]
                out[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                written += 2
                if held == 2 {
                    out[written] = alphabet[Int(group >> 6 & 0x3F)]
                    written += 1
                }
            }
            return written
        })
    }

    /// The bytes a base64url text stands for, or nil unless it is exactly what `encode` writes for
    /// some bytes: only the URL-safe alphabet, no padding or white space, not a length that
    /// leaves one character over, and no bits set past the last byte.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count * 3 / 4)
        var group: UInt32 = 0
        var held = 0
        for character in utf8 {
            guard let value = sextet(character) else { return nil }
            group = group << 6 | value
            held += 1
            if held == 4 {
                bytes.append(UInt8(truncatingIfNeeded: group >> 16))
                bytes.append(UInt8(truncatingIfNeeded: group >> 8))
                bytes.append(UInt8(truncatingIfNeeded: group))
                group = 0
                held = 0
            }
        }
        switch held {
        case 2:
            // 12 bits: one byte and four bits that must be zero.
            guard group & 0xF == 0 else { return nil }
            bytes.append(UInt8(truncatingIfNeeded: group >> 4))
        case 3:
            // 18 bits: two bytes and two bits that must be zero.
            guard group & 0x3 == 0 else { return nil }
            bytes.append(UInt8(truncatingIfNeeded: group >> 10))
            bytes.append(UInt8(truncatingIfNeeded: group >> 2))
        default:
            break
        }
        return bytes
    }

    private static func sextet(_ character: UInt8) -> UInt32? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(character - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(character - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(character - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
