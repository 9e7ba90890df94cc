@testable import ASBServer
import Foundation
import Testing

@Suite("The allocator's settings")
struct MallocTuningTests {
    @Test("asb demo-data starts itself again with the settings, unless the environment names its own; other commands never")
    func restartOnlyForDemoDataWithoutTheOperatorsOwn() {
        let demo = ["/usr/local/bin/asb", "demo-data", "--cases", "1000"]
        #expect(MallocTuning.restartValue(arguments: demo, current: nil) == MallocTuning.tunables)
        // Set, even empty: the operator's choice (glibc's defaults, or other settings) stands, and
        // the program started again (which has the variable) does not start itself once more.
        #expect(MallocTuning.restartValue(arguments: demo, current: "") == nil)
        #expect(MallocTuning.restartValue(arguments: demo, current: "glibc.malloc.tcache_count=7") == nil)
        #expect(MallocTuning.restartValue(arguments: demo, current: MallocTuning.tunables) == nil)
        // The server (no command, a flag, or `serve`) and the other commands run as they are.
        for arguments in [["asb"], ["asb", "serve"], ["asb", "--help"], ["asb", "migrate"], ["asb", "import", "--from", "x"],
                          ["asb", "serve", "demo-data"]] {
            #expect(MallocTuning.restartValue(arguments: arguments, current: nil) == nil, "\(arguments)")
        }
    }

    /// glibc ignores a tunable it does not know or a value out of its range without a word:
    /// its dynamic loader lists the values it would run a program with.
    @Test("glibc takes every setting as written (the dynamic loader's own list)")
    func glibcTakesTheSettings() throws {
        let loader = "/lib64/ld-linux-x86-64.so.2"
        guard FileManager.default.isExecutableFile(atPath: loader) else {
            Issue.record("No glibc dynamic loader at \(loader): asb's allocator settings are for glibc on Linux")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: loader)
        process.arguments = ["--list-tunables"]
        process.environment = ["GLIBC_TUNABLES": MallocTuning.tunables]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let listed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // Lines such as "glibc.malloc.tcache_count: 0x7d0 (min: 0x0, max: 0xffff)".
        var values: [String: UInt64] = [:]
        for line in listed.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let number = parts[1].split(separator: " ").first else { continue }
            let text = String(number)
            values[String(parts[0])] = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        }
        let settings = MallocTuning.tunables.split(separator: ":")
        #expect(settings.count == 4)
        for setting in settings {
            let pair = setting.split(separator: "=")
            #expect(pair.count == 2)
            #expect(values[String(pair[0])] == UInt64(pair[1]), "\(setting) as glibc reads it: \(values[String(pair[0])].map(String.init) ?? "not listed")")
        }
    }

    /// The built `asb` beside this test program (`swift build --build-tests` and `swift test` build both).
    static var asb: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("asb")
    }

    /// Runs the built `asb` with `arguments` and the environment given (and nothing else but PATH
    /// and a throwaway database), and returns what it logged of its allocator's settings.
    static func allocatorLine(_ arguments: [String], tunables: String?) throws -> String {
        let process = Process()
        process.executableURL = asb
        process.arguments = arguments
        var environment = ["LOG_LEVEL": "debug", "ASB_DATABASE_URL": "sqlite::memory:", "PATH": "/usr/bin:/bin"]
        environment["GLIBC_TUNABLES"] = tunables
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").first { $0.contains("The C library's allocator") }.map(String.init) ?? "no line in: \(text)"
    }

    @Test("The built asb runs demo-data with the settings, the server and the other commands without, and keeps an operator's own")
    func theBuiltProgramRestartsItself() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.asb.path) else {
            Issue.record("The built asb is not at \(Self.asb.path)")
            return
        }
        #expect(try Self.allocatorLine(["demo-data", "--help"], tunables: nil).contains("GLIBC_TUNABLES: \(MallocTuning.tunables)"))
        #expect(try Self.allocatorLine(["demo-data", "--help"], tunables: "").contains("GLIBC_TUNABLES: ]"))
        #expect(try Self.allocatorLine(["demo-data", "--help"], tunables: "glibc.malloc.tcache_count=9").contains("GLIBC_TUNABLES: glibc.malloc.tcache_count=9]"))
        #expect(try Self.allocatorLine(["migrate", "--help"], tunables: nil).contains("GLIBC_TUNABLES: (not set)]"))
        #expect(try Self.allocatorLine(["serve", "--help"], tunables: nil).contains("GLIBC_TUNABLES: (not set)]"))
    }
}
