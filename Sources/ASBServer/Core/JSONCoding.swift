import Foundation

extension JSONEncoder {
    /// Sorted keys and ISO 8601 dates: stable bytes for hashing and for the session.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var iso: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// A text-to-text object as JSON, byte for byte what `JSONEncoder.sorted` writes for it: keys in
/// the order of their UTF-8 bytes; `"`, `\` and `/` escaped with a backslash, the control
/// characters as `\b`, `\f`, `\n`, `\r`, `\t` or `\u00xx`; everything else as it is. Audit
/// entries, assessments and incidents store one each, and the encoder's generic path cost more
/// than the rest of building an audit entry.
enum SortedJSON {
    static func object(_ dictionary: [String: String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(dictionary.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        let keys = dictionary.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for (index, key) in keys.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendString(dictionary[key] ?? "", to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A list of texts as JSON, as any `JSONEncoder` writes it (`["a","b"]`, escaped as above).
    static func array(_ strings: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, string) in strings.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(string, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendString(_ string: String, to bytes: inout [UInt8]) {
        let backslash = UInt8(ascii: "\\")
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), backslash, UInt8(ascii: "/"): bytes += [backslash, byte]
            case 0x08: bytes += [backslash, UInt8(ascii: "b")]
            case 0x0C: bytes += [backslash, UInt8(ascii: "f")]
            case 0x0A: bytes += [backslash, UInt8(ascii: "n")]
            case 0x0D: bytes += [backslash, UInt8(ascii: "r")]
            case 0x09: bytes += [backslash, UInt8(ascii: "t")]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
