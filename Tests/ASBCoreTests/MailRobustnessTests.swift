import Foundation
import Testing

@testable import ASBCore
import ASBTestSupport


/// Parses and checks what must hold of any message we return. Returns whether it parsed.
@discardableResult
private func parseChecking(_ bytes: [UInt8]) -> Bool {
    do {
        let message = try MailParser.parse(Data(bytes))
        #expect(!message.subject.contains("\n") && !message.subject.contains("\r"))
        #expect(!message.text.contains("\0") && !message.text.contains("\r"))
        #expect(message.newText.isEmpty == message.text.isEmpty)
        if let from = message.from { #expect(from.address == from.address.lowercased()) }
        return true
    } catch {
        // Typed throws guarantees a MailParseError; it must say why.
        #expect(!error.reason.isEmpty)
        return false
    }
}

@Suite("Mail: robustness")
struct MailRobustnessTests {
    static let fixtures: [[UInt8]] = MailFixtures.all.flatMap { [Array(mailData($0)), Array(mailData($0, lineEnding: "\n"))] }

    @Test("Every truncation of every fixture either parses or throws MailParseError, never crashes")
    func truncations() {
        for fixture in Self.fixtures {
            for length in 0...fixture.count { parseChecking(Array(fixture.prefix(length))) }
        }
    }

    @Test("Randomly mutated fixtures (fixed seed) either parse or throw MailParseError, never crash")
    func mutations() {
        var generator = SplitMix64(seed: 0x00A5_B202_6000_0042)
        var parsed = 0
        var refused = 0
        for fixture in Self.fixtures {
            for _ in 0..<400 {
                if parseChecking(mutate(fixture, using: &generator)) { parsed += 1 } else { refused += 1 }
            }
        }
        #expect(parsed + refused == Self.fixtures.count * 400)
        #expect(parsed > refused, "Most mutations still leave a readable message")
    }

    @Test("Random bytes and random HTML never crash")
    func randomNoise() {
        var generator = SplitMix64(seed: 20_261_124)
        for _ in 0..<500 {
            let length = Int.random(in: 0...600, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? interestingBytes.randomElement(using: &generator) ?? 0 : UInt8.random(in: 0...255, using: &generator)
            }
            parseChecking(bytes)
            parseChecking(Array("From: a@example.org\r\nContent-Type: text/html\r\n\r\n".utf8) + bytes)
            _ = HTMLText.plainText(from: String(decoding: Array("<p>".utf8) + bytes, as: UTF8.self))
            _ = QuotedReply.newText(of: String(decoding: bytes, as: UTF8.self))
            _ = MailSubject.caseReference(in: String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("Hostile shapes: many unclosed hidden tags, huge headers, thousands of parts, a 3 MB attachment")
    func hostileShapes() throws {
        let titles = String(repeating: "<title>x", count: 20_000) + "end"
        #expect(HTMLText.plainText(from: titles).hasSuffix("end"))

        let longSubject = String(repeating: "=?utf-8?q?a?= ", count: 5_000)
        let subjectMessage = try parseMail("From: a@example.org\nSubject: \(longSubject)\n\nHi")
        #expect(subjectMessage.subject == String(repeating: "a", count: 5_000))

        var manyParts = "From: a@example.org\nContent-Type: multipart/mixed; boundary=p\n\n"
        for index in 0..<3_000 { manyParts += "--p\nContent-Type: image/png; name=\"\(index).png\"\n\nx\n" }
        #expect(try parseMail(manyParts).attachments.count == 3_000)

        let payload = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let encoded = Data(payload).base64EncodedString(options: .lineLength76Characters)
        let big = try parseMail("""
            From: a@example.org
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: video/mp4
            Content-Transfer-Encoding: base64

            \(encoded)
            --b--
            """)
        #expect(big.attachments.first?.data == Data(payload))
        #expect(big.attachments.first?.fileName == "attachment.mp4")
    }
}
