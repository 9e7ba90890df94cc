import Testing

@testable import ASBServer

@Suite("The system's random bytes")
struct RandomSourceTests {
    @Test("As many bytes as asked, every value drawn, no draw repeated, no two access codes alike")
    func liveBytes() {
        for count in [0, 1, 7, 8, 9, 31, 32, 33, 100] {
            #expect(RandomSource.live.bytes(count).count == count)
        }
        // 65,536 bytes: the chance that a byte value never appears is about e^-256.
        let many = RandomSource.live.bytes(65_536)
        #expect(Set(many).count == 256)
        // Eight-byte draws are not repeated within a request for more.
        let words = stride(from: 0, to: many.count, by: 8).map { Array(many[$0..<$0 + 8]) }
        #expect(Set(words).count == words.count)
        let codes = (0..<1_000).map { _ in RandomSource.live.accessCode() }
        #expect(Set(codes).count == codes.count)
    }
}
