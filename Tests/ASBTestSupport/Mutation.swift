import ASBCore
import Foundation

// Mutation fuzzing with a fixed seed, shared by the parser and route robustness tests: the same
// seed gives the same inputs, so a failure is reproducible.

/// Bytes that matter to parsers, favoured when mutating.
public let interestingBytes: [UInt8] = Array("=?<>\r\n-\";:&#()\\_ \t@,/*'".utf8) + [0x00, 0x80, 0x93, 0xA3, 0xC3, 0xE2, 0xF0, 0xFF]

/// Up to eight random edits: replace, insert, delete, duplicate, truncate or swap bytes.
public func mutate(_ input: [UInt8], using generator: inout SplitMix64) -> [UInt8] {
    var bytes = input
    for _ in 0..<Int.random(in: 1...8, using: &generator) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
        let randomByte = Bool.random(using: &generator)
            ? interestingBytes.randomElement(using: &generator) ?? 0
            : UInt8.random(in: 0...255, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0 where !bytes.isEmpty:
            bytes[position] = randomByte
        case 1:
            bytes.insert(contentsOf: Array(repeating: randomByte, count: Int.random(in: 1...4, using: &generator)), at: position)
        case 2 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...64, using: &generator))
            bytes.removeSubrange(position..<end)
        case 3 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...128, using: &generator))
            let copy = Array(bytes[position..<end])
            let target = Int.random(in: 0...bytes.count, using: &generator)
            bytes.insert(contentsOf: copy, at: target)
        case 4:
            bytes = Array(bytes.prefix(position))
        default:
            if !bytes.isEmpty { bytes.swapAt(position, Int.random(in: 0..<bytes.count, using: &generator)) }
        }
    }
    return bytes
}

