import ASBCore
import Foundation
import Testing

@Suite("Base64url (tokens, CSRF values, cursors)")
struct Base64URLTests {
    /// What the server wrote before `Base64URL`: Foundation's base64 with `+`, `/` and `=` replaced.
    static func foundationBase64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("RFC 4648's test vectors, without padding")
    func vectors() {
        let cases: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in cases {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
        // The two characters that differ from base64's alphabet.
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test("Every length from 0 to 100 bytes, random bytes: the same text as Foundation's base64 made URL-safe, and back")
    func matchesFoundation() {
        var generator = SplitMix64(seed: 0xB64_0A11)
        for length in 0...100 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let encoded = Base64URL.encode(bytes)
                #expect(encoded == Self.foundationBase64URL(bytes), "\(bytes)")
                #expect(Base64URL.decode(encoded) == bytes)
                // Any collection of bytes, not only arrays.
                #expect(Base64URL.encode(Data(bytes)) == encoded)
                #expect(Base64URL.encode(bytes[...]) == encoded)
            }
        }
    }

    @Test("Only exactly what encode writes is decoded: other characters, padding, a lone last character and stray bits are refused")
    func refusesWhatEncodeNeverWrites() {
        for text in [
            "Zm9v=", "Zg==", "Zg=", // padding
            "Zm9v+", "Zm+v", "Zm/v", // base64's own alphabet
            "Zm9 v", "Zm9v\n", " Zm9v", // white space
            "Z", "Zm9vY", // a length that leaves one character over
            "Zh", "Zm9", // bits set past the last byte ("Zg" and "Zm8" are the real ones)
            "Zm9v£", "Zm9v🏠", // not ASCII
        ] {
            #expect(Base64URL.decode(text) == nil, "\(text)")
        }
        #expect(Base64URL.decode("") == [])
    }

    @Test("A 32-byte token is 43 characters of the URL-safe alphabet")
    func tokenLength() {
        let token = Base64URL.encode([UInt8](repeating: 0xFF, count: 32))
        #expect(token.count == 43)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }
}
