@testable import ASBServer
import ASBCore
import Foundation
import Testing

@Suite("Stored JSON objects")
struct SortedJSONTests {
    /// Characters that need care: every control character, the escaped ones, and text of one to
    /// four UTF-8 bytes (a combining accent, a letter that sorts differently by bytes and by
    /// locale, an emoji).
    static let alphabet: [String] = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        + ["\"", "\\", "/", " ", "a", "B", "z", "Z", "_", "0", "9", ":", ",", "{", "}", "\u{7F}", "é", "e\u{301}", "Å", "ß", "€", "🏠", "\u{2028}"]

    @Test("Audit changes, answers and checklists are stored exactly as the sorted JSON encoder writes them")
    func sameBytesAsTheEncoder() throws {
        var generator = SplitMix64(seed: 0x5027_ED15)
        func text(_ length: Int) -> String {
            (0..<length).map { _ in Self.alphabet[Int(generator.next() % UInt64(Self.alphabet.count))] }.joined()
        }
        var cases: [[String: String]] = [[:], ["": ""], ["status": "open"], ["b": "1", "a": "2", "B": "3", "aa": "4", "a\u{0}": "5"],
                                         ["allocatedOfficerId": UUID().uuidString, "status": "open", "riskLevel": "high"]]
        for _ in 0..<500 {
            var dictionary: [String: String] = [:]
            for _ in 0..<Int(generator.next() % 6) { dictionary[text(Int(generator.next() % 5))] = text(Int(generator.next() % 12)) }
            cases.append(dictionary)
        }
        for dictionary in cases {
            let expected = String(decoding: try JSONEncoder.sorted.encode(dictionary), as: UTF8.self)
            #expect(SortedJSON.object(dictionary) == expected, "\(dictionary)")
            // And it reads back to the same object.
            #expect(try JSONDecoder().decode([String: String].self, from: Data(SortedJSON.object(dictionary).utf8)) == dictionary)
        }
    }
}
