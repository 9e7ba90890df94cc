@testable import ASBServer
import Foundation
import NIOCore
import NIOPosix
import Testing

// Tests of the SMTP client. Most run against Tests/e2e/smtp_sink.py (aiosmtpd) on loopback
// and are skipped when `python3 -c "import aiosmtpd"` fails; install it with
// `pip install -r Tests/e2e/requirements-smtp.txt`.

// MARK: - Helpers

/// True when python3 can import aiosmtpd.
private let smtpSinkAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import aiosmtpd"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    } catch {
        return false
    }
}()

/// Runs blocking work (starting a Python process and waiting on its pipes) on a thread of its
/// own. Swift Testing runs every test at once on the cooperative pool, which has one thread per
/// core: a test blocking one of them for the seconds a loaded machine takes to start Python
/// stalls every other test, and an SMTP reply then waits so long to be handled that the
/// client's deadline closes the connection under it.
private func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Tests/e2e/smtp_sink.py, found from this file's path.
private let smtpSinkScript = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("e2e/smtp_sink.py")

private struct SinkFailure: Error, CustomStringConvertible {
    var description: String
}

/// One running smtp_sink.py on a free loopback port, with its own mail directory.
private final class SMTPSink: @unchecked Sendable {
    /// Starts a sink and waits for it to listen, off the cooperative pool.
    static func start(_ arguments: [String] = []) async throws -> SMTPSink {
        try await onOwnThread { try SMTPSink(arguments) }
    }

    let process = Process()
    /// The sink's stdin: closing it (or this process dying) stops the sink.
    private let lifeline = Pipe()
    let base: URL
    let directory: URL
    let certificateFile: URL
    private(set) var port = 0

    private init(_ arguments: [String]) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        directory = base.appendingPathComponent("mail")
        certificateFile = base.appendingPathComponent("cert.pem")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", smtpSinkScript.path, "--port", "0", "--dir", directory.path,
                             "--cert-out", certificateFile.path, "--stop-on-eof"] + arguments
        process.standardInput = lifeline
        process.standardOutput = output
        // Tracebacks of aborted handshakes and the like go to a log, not the test output.
        _ = FileManager.default.createFile(atPath: base.appendingPathComponent("sink.log").path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: base.appendingPathComponent("sink.log"))
        try process.run()
        // Wait for "ready PORT"; an early exit ends the pipe and fails the test.
        var seen = Data()
        while !seen.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        let line = String(decoding: seen, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("ready "), let port = Int(line.dropFirst(6)) else {
            stopWaiting()
            let log = (try? String(contentsOf: base.appendingPathComponent("sink.log"), encoding: .utf8)) ?? ""
            throw SinkFailure(description: "smtp_sink.py did not start: \(line.debugDescription)\n\(log)")
        }
        self.port = port
    }

    /// Stops the sink and removes its files, waiting for the process to exit.
    private func stopWaiting() {
        defer { try? FileManager.default.removeItem(at: base) }
        guard process.isRunning else { return }
        process.terminate()
        try? lifeline.fileHandleForWriting.close()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Stops the sink without waiting on the caller's thread: the wait for the process to exit
    /// (and the files' removal) happens on a thread of its own.
    func stop() {
        Thread { [self] in stopWaiting() }.start()
    }

    deinit { stopWaiting() }

    var certificatePEM: String { (try? String(contentsOf: certificateFile, encoding: .utf8)) ?? "" }

    /// The stored messages, oldest first.
    func messages() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "eml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The only stored message: its raw text and its envelope.
    func onlyMessage() throws -> (raw: String, envelope: [String: Any]) {
        let files = try messages()
        guard files.count == 1 else { throw SinkFailure(description: "expected one message, found \(files.count)") }
        let raw = try String(decoding: Data(contentsOf: files[0]), as: UTF8.self)
        let json = try Data(contentsOf: files[0].deletingPathExtension().appendingPathExtension("json"))
        let envelope = try JSONSerialization.jsonObject(with: json) as? [String: Any] ?? [:]
        return (raw, envelope)
    }

    func configuration(_ security: SMTPConfiguration.Security = .none) -> SMTPConfiguration {
        SMTPConfiguration(
            host: "127.0.0.1", port: port, security: security,
            heloName: "client.example.org", timeout: .seconds(10),
            additionalTrustedCertificatesPEM: security == .none ? nil : certificatePEM
        )
    }
}

/// The message as Python's email package (policy.default) reads it: an independent MIME parser.
private func parsedByPython(_ raw: String) async throws -> [String: Any] {
    let script = """
    import email, email.policy, json, sys
    # The parser keeps the message's CRLFs inside bodies; compare with LF.
    m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
    text, html = m.get_body(("plain",)), m.get_body(("html",))
    sender = m["from"].addresses[0]
    print(json.dumps({
        "subject": str(m["subject"]),
        "from_name": sender.display_name,
        "from_address": sender.addr_spec,
        "to": [a.addr_spec for a in m["to"].addresses],
        "message_id": m["message-id"],
        "content_type": m.get_content_type(),
        "text": text.get_content().replace("\\r\\n", "\\n") if text else None,
        "html": html.get_content().replace("\\r\\n", "\\n") if html else None,
        "defects": [repr(d) for part in m.walk() for d in part.defects],
        "headers": {k: str(v) for k, v in m.items()},
    }))
    """
    let data = try await onOwnThread {
        let process = Process()
        let input = Pipe(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(raw.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// Checks the wire format: CRLF only, no line over 998 characters, 7-bit.
private func expectWellFormed(_ raw: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let bytes = Array(raw.utf8)
    var bareLineFeeds = 0
    for (index, byte) in bytes.enumerated() where byte == 10 && (index == 0 || bytes[index - 1] != 13) {
        bareLineFeeds += 1
    }
    #expect(bareLineFeeds == 0, "bare LF in message", sourceLocation: sourceLocation)
    #expect(raw.hasSuffix("\r\n"), sourceLocation: sourceLocation)
    let longest = raw.components(separatedBy: "\r\n").map(\.utf8.count).max() ?? 0
    #expect(longest <= 998, "line of \(longest) characters", sourceLocation: sourceLocation)
    #expect(bytes.allSatisfy { $0 < 128 }, "8-bit byte in message", sourceLocation: sourceLocation)
}

/// The header block, unfolded, as "Name: value" lines.
private func headerLines(_ raw: String) -> [String] {
    let head = raw.components(separatedBy: "\r\n\r\n").first ?? ""
    return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
}

private func dropDate(_ raw: String) -> String {
    raw.components(separatedBy: "\r\n").filter { !$0.hasPrefix("Date: ") }.joined(separator: "\r\n")
}

private func sampleMail(_ id: String = "test-\(UUID().uuidString)@asb.example.org") -> OutgoingMail {
    OutgoingMail(
        from: "casework@example.org", fromName: "ASB Casework",
        to: ["officer@example.org"],
        subject: "Plain hello",
        textBody: "Hello,\nthis is a test.\n",
        messageID: id
    )
}

private func smtpClient(_ configuration: SMTPConfiguration) -> SMTPClient {
    SMTPClient(configuration: configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
}

/// Runs `body` and returns the SMTPError it throws (failing the test if it throws none).
private func smtpError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> SMTPError? {
    do {
        try await body()
        Issue.record("expected an SMTPError, but the send succeeded", sourceLocation: sourceLocation)
    } catch let error as SMTPError {
        return error
    } catch {
        Issue.record("expected an SMTPError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

// MARK: - Against the aiosmtpd sink

@Suite("SMTP client against an aiosmtpd sink", .enabled(if: smtpSinkAvailable, "needs python3 with aiosmtpd"))
struct SMTPClientSinkTests {
    @Test("plain text mail arrives with the standard headers and exactly the rendered bytes")
    func plainText() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let mail = sampleMail("plain-1@asb.example.org")
        try await smtpClient(sink.configuration()).send(mail)

        let (raw, envelope) = try sink.onlyMessage()
        expectWellFormed(raw)
        #expect(dropDate(raw) == dropDate(SMTPClient.render(mail, date: Date())))
        let headers = headerLines(raw)
        #expect(headers.contains("From: ASB Casework <casework@example.org>"))
        #expect(headers.contains("To: officer@example.org"))
        #expect(headers.contains("Subject: Plain hello"))
        #expect(headers.contains("Message-ID: <plain-1@asb.example.org>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(headers.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(headers.contains { $0.range(of: #"^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$"#, options: .regularExpression) != nil })
        #expect(envelope["mail_from"] as? String == "casework@example.org")
        #expect(envelope["rcpt_tos"] as? [String] == ["officer@example.org"])
        #expect(envelope["helo"] as? String == "client.example.org")
        #expect(envelope["tls"] as? Bool == false)
        #expect((envelope["mail_options"] as? [String] ?? []).contains { $0.hasPrefix("SIZE=") })

        let parsed = try await parsedByPython(raw)
        #expect(parsed["text"] as? String == "Hello,\nthis is a test.\n")
        #expect(parsed["html"] is NSNull)
        #expect(parsed["defects"] as? [String] == [])
    }

    @Test("HTML with text is multipart/alternative with a boundary derived from the Message-ID")
    func htmlAndText() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var mail = sampleMail("html-1@asb.example.org")
        mail.to = ["officer@example.org", "team.lead@example.org"]
        mail.textBody = "Case ASB-2026-0042 has a new report."
        mail.htmlBody = "<p>Case <a href=\"https://asb.example.org/cases/42\">ASB-2026-0042</a> has a new report.</p>"
        mail.headers = [MailHeader("X-ASB-Case", "ASB-2026-0042"), MailHeader("Reply-To", "no-reply@example.org")]
        try await smtpClient(sink.configuration()).send(mail)

        let (raw, envelope) = try sink.onlyMessage()
        expectWellFormed(raw)
        let boundary = SMTPClient.boundary(for: mail.messageID)
        #expect(boundary == SMTPClient.boundary(for: "<html-1@asb.example.org>"))
        #expect(boundary != SMTPClient.boundary(for: "html-2@asb.example.org"))
        let headers = headerLines(raw)
        #expect(headers.contains("Content-Type: multipart/alternative; boundary=\"\(boundary)\""))
        #expect(headers.contains("To: officer@example.org, team.lead@example.org"))
        #expect(headers.suffix(2) == ["X-ASB-Case: ASB-2026-0042", "Reply-To: no-reply@example.org"])
        #expect(raw.hasSuffix("--\(boundary)--\r\n"))
        #expect(envelope["rcpt_tos"] as? [String] == ["officer@example.org", "team.lead@example.org"])
        let date = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(SMTPClient.render(mail, date: date) == SMTPClient.render(mail, date: date))

        let parsed = try await parsedByPython(raw)
        #expect(parsed["content_type"] as? String == "multipart/alternative")
        #expect(parsed["text"] as? String == mail.textBody + "\n")
        #expect(parsed["html"] as? String == mail.htmlBody.map { $0 + "\n" })
        #expect(parsed["to"] as? [String] == mail.to)
        #expect(parsed["defects"] as? [String] == [])
    }

    @Test("non-ASCII subject, sender name and body are encoded and decode back")
    func nonASCII() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var mail = sampleMail("utf8-1@asb.example.org")
        mail.fromName = "Zoë Ørsted-Łukasiewicz (Anti-social behaviour team, Bezirksamt Köln)"
        mail.subject = "Lärmbeschwerde – Fall 42 ✓: „Nachbarn“ ärgern sich über Musik nach 23 Uhr, schon wieder 🎺"
        mail.textBody = "Grüße aus Köln – ça va? 你好\nZweite Zeile ✓"
        mail.headers = [MailHeader("X-Team", "Équipe d’intervention")]
        try await smtpClient(sink.configuration()).send(mail)

        let (raw, _) = try sink.onlyMessage()
        expectWellFormed(raw)
        let head = raw.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.contains("Subject: =?utf-8?B?"))
        #expect(head.contains("From: =?utf-8?B?"))
        #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })

        let parsed = try await parsedByPython(raw)
        #expect(parsed["subject"] as? String == mail.subject)
        #expect(parsed["from_name"] as? String == mail.fromName)
        #expect(parsed["from_address"] as? String == "casework@example.org")
        #expect(parsed["text"] as? String == mail.textBody + "\n")
        #expect((parsed["headers"] as? [String: String])?["X-Team"] == "Équipe d’intervention")
        #expect(parsed["defects"] as? [String] == [])
    }

    @Test("lines starting with a dot and very long lines survive the trip")
    func dotsAndLongLines() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        var mail = sampleMail("dots-1@asb.example.org")
        let longWords = Array(repeating: "noise", count: 700).joined(separator: " ")
        let longNoSpaces = String(repeating: "x", count: 2500)
        let longUnicode = String(repeating: "ä✓", count: 600)
        mail.textBody = [".", ".hidden line", "..two dots", "", ". ", "trailing space ", "tab\t",
                         longWords, longNoSpaces, longUnicode, "=3D is not an escape", "end"].joined(separator: "\n")
        mail.htmlBody = ".<p>\(longWords)</p>\r\n.\r\n"
        mail.subject = "A very long subject " + Array(repeating: "about noise", count: 40).joined(separator: " ")
        try await smtpClient(sink.configuration()).send(mail)

        let (raw, _) = try sink.onlyMessage()
        expectWellFormed(raw)
        #expect(raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(dropDate(raw) == dropDate(SMTPClient.render(mail, date: Date())))
        #expect(raw.contains("\r\n.hidden line\r\n"))
        #expect(raw.contains("\r\n..two dots\r\n"))

        let parsed = try await parsedByPython(raw)
        #expect(parsed["text"] as? String == mail.textBody + "\n")
        #expect(parsed["html"] as? String == ".<p>\(longWords)</p>\n.\n")
        #expect(parsed["subject"] as? String == mail.subject)
        #expect(parsed["defects"] as? [String] == [])
    }

    @Test("STARTTLS with a self-signed certificate that the test trusts")
    func startTLS() async throws {
        let sink = try await SMTPSink.start(["--tls", "starttls", "--require-tls"])
        defer { sink.stop() }
        try await smtpClient(sink.configuration(.startTLS)).send(sampleMail())
        let (_, envelope) = try sink.onlyMessage()
        #expect(envelope["tls"] as? Bool == true)
    }

    @Test("STARTTLS with an untrusted certificate fails with a TLS error and sends nothing")
    func startTLSUntrusted() async throws {
        let sink = try await SMTPSink.start(["--tls", "starttls"])
        defer { sink.stop() }
        var configuration = sink.configuration(.startTLS)
        configuration.additionalTrustedCertificatesPEM = nil
        let error = await smtpError { try await smtpClient(configuration).send(sampleMail()) }
        #expect(error?.kind == .tls)
        #expect(try sink.messages().isEmpty)
    }

    @Test("STARTTLS required but not offered is refused, not downgraded")
    func startTLSNotOffered() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let error = await smtpError { try await smtpClient(sink.configuration(.startTLS)).send(sampleMail()) }
        #expect(error?.kind == .configuration)
        #expect(error?.isPermanent == true)
        #expect(try sink.messages().isEmpty)
    }

    @Test("implicit TLS (as on port 465)")
    func implicitTLS() async throws {
        let sink = try await SMTPSink.start(["--tls", "implicit"])
        defer { sink.stop() }
        var configuration = sink.configuration(.tls)
        configuration.host = "localhost"  // checked against the certificate's DNS name
        try await smtpClient(configuration).send(sampleMail())
        let (_, envelope) = try sink.onlyMessage()
        #expect(envelope["tls"] as? Bool == true)
    }

    @Test("AUTH PLAIN after STARTTLS")
    func authPlain() async throws {
        let sink = try await SMTPSink.start(["--tls", "starttls", "--auth"])
        defer { sink.stop() }
        var configuration = sink.configuration(.startTLS)
        configuration.username = "asb-test"
        configuration.password = "asb-test-password"
        try await smtpClient(configuration).send(sampleMail())
        let (_, envelope) = try sink.onlyMessage()
        #expect(envelope["auth_login"] as? String == "asb-test")
    }

    @Test("AUTH LOGIN when PLAIN is not offered, in plain text to loopback")
    func authLoginOnLoopback() async throws {
        let sink = try await SMTPSink.start(["--auth", "--auth-plaintext", "--auth-exclude", "PLAIN"])
        defer { sink.stop() }
        var configuration = sink.configuration()
        configuration.username = "asb-test"
        configuration.password = "asb-test-password"
        try await smtpClient(configuration).send(sampleMail())
        let (_, envelope) = try sink.onlyMessage()
        #expect(envelope["auth_login"] as? String == "asb-test")
    }

    @Test("a wrong password is a permanent 535")
    func authFailure() async throws {
        let sink = try await SMTPSink.start(["--tls", "starttls", "--auth"])
        defer { sink.stop() }
        var configuration = sink.configuration(.startTLS)
        configuration.username = "asb-test"
        configuration.password = "wrong"
        let error = await smtpError { try await smtpClient(configuration).send(sampleMail()) }
        #expect(error?.kind == .rejected)
        #expect(error?.code == 535)
        #expect(error?.isPermanent == true)
        #expect(error?.description.contains("wrong") == false)
    }

    @Test("a 550 for one recipient is a permanent error and nothing is sent")
    func rejectedRecipient() async throws {
        let sink = try await SMTPSink.start(["--reject", "reject@example.org"])
        defer { sink.stop() }
        var mail = sampleMail()
        mail.to = ["officer@example.org", "reject@example.org"]
        let error = await smtpError { try await smtpClient(sink.configuration()).send(mail) }
        #expect(error?.kind == .rejected)
        #expect(error?.code == 550)
        #expect(error?.isPermanent == true)
        #expect(error?.stage == "RCPT TO:<reject@example.org>")
        #expect(error?.message.contains("mailbox unavailable") == true)
        #expect(try sink.messages().isEmpty)
    }

    @Test("a 451 for a recipient is transient")
    func deferredRecipient() async throws {
        let sink = try await SMTPSink.start(["--defer", "later@example.org"])
        defer { sink.stop() }
        var mail = sampleMail()
        mail.to = ["later@example.org"]
        let error = await smtpError { try await smtpClient(sink.configuration()).send(mail) }
        #expect(error?.code == 451)
        #expect(error?.isTransient == true)
    }
}

// MARK: - Without the sink

@Suite("SMTP client without a mail server")
struct SMTPClientOfflineTests {
    /// A loopback port with nothing listening on it.
    private func closedPort() async throws -> Int {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress?.port ?? 9
        try await server.close()
        return port
    }

    @Test("connection refused is a transient network error")
    func connectionRefused() async throws {
        let port = try await closedPort()
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, timeout: .seconds(5))
        let error = await smtpError { try await smtpClient(configuration).send(sampleMail()) }
        #expect(error?.kind == .network)
        #expect(error?.isTransient == true)
    }

    @Test("a server that never greets times out, transiently")
    func silentServer() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress?.port ?? 9
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, timeout: .milliseconds(300))
        let started = ContinuousClock.now
        let error = await smtpError { try await smtpClient(configuration).send(sampleMail()) }
        try await server.close()
        #expect(error?.kind == .timeout)
        #expect(error?.stage == "greeting")
        #expect(error?.isTransient == true)
        // It gives up rather than waiting for ever; the bound is loose, as CI machines are busy.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("credentials are never sent unencrypted to a host that is not loopback")
    func insecureAuthRefused() async throws {
        let configuration = SMTPConfiguration(
            host: "mail.example.org", security: .none, username: "asb-test", password: "secret"
        )
        let error = await smtpError { try await smtpClient(configuration).send(sampleMail()) }
        #expect(error?.kind == .configuration)
        #expect(error?.isPermanent == true)
        #expect(error?.message.contains("unencrypted") == true)
        #expect(!configuration.description.contains("secret"))
    }

    @Test("header injection and bad addresses are refused before connecting", arguments: [
        { (mail: inout OutgoingMail) in mail.headers = [MailHeader("X-Note", "a\r\nBcc: victim@example.org")] },
        { (mail: inout OutgoingMail) in mail.headers = [MailHeader("X-Bad\r\nBcc", "x")] },
        { (mail: inout OutgoingMail) in mail.headers = [MailHeader("Subject", "second subject")] },
        { (mail: inout OutgoingMail) in mail.subject = "Hi\r\nBcc: victim@example.org" },
        { (mail: inout OutgoingMail) in mail.fromName = "Evil\nBcc: victim@example.org" },
        { (mail: inout OutgoingMail) in mail.to = ["officer@example.org>\r\nRCPT TO:<victim@example.org"] },
        { (mail: inout OutgoingMail) in mail.from = "no-at-sign" },
        { (mail: inout OutgoingMail) in mail.to = [] },
        { (mail: inout OutgoingMail) in mail.messageID = "two words@example.org" },
    ] as [@Sendable (inout OutgoingMail) -> Void])
    func invalidMessages(change: @Sendable (inout OutgoingMail) -> Void) async throws {
        var mail = sampleMail()
        change(&mail)
        // Port 9 (discard) on loopback: the check must fail before any connection is tried.
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: 9, security: .none)
        let error = await smtpError { try await smtpClient(configuration).send(mail) }
        #expect(error?.kind == .invalidMessage)
        #expect(error?.isPermanent == true)
    }

    @Test("render keeps header text on one logical line even when not validated")
    func renderNeutralisesLineBreaks() {
        var mail = sampleMail("render-1@asb.example.org")
        mail.subject = "Hi\r\nBcc: victim@example.org"
        mail.headers = [MailHeader("X-Note", "a\nb")]
        let raw = SMTPClient.render(mail, date: Date(timeIntervalSince1970: 0))
        #expect(!headerLines(raw).contains { $0.hasPrefix("Bcc:") })
        #expect(raw.hasPrefix("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        expectWellFormed(raw)
    }

    @Test("quoted-printable keeps lines short and escapes what it must")
    func quotedPrintable() {
        let encoded = SMTPClient.quotedPrintable("a=b \nend\t\n" + String(repeating: "é", count: 100))
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines[0] == "a=3Db=20")
        #expect(lines[1] == "end=09")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(!lines.dropLast().contains { $0.hasSuffix(" ") })
        #expect(!encoded.contains("=\r\n=\r\n"))
    }

    @Test("multi-line replies and EHLO capabilities are parsed")
    func capabilities() throws {
        let lines = ["mail.example.org greets you", "SIZE 10240000", "8BITMIME", "STARTTLS", "AUTH LOGIN PLAIN", "AUTH=CRAM-MD5", "HELP"]
        let capabilities = SMTPCapabilities(ehloLines: lines)
        #expect(capabilities.startTLS)
        #expect(capabilities.eightBitMIME)
        #expect(capabilities.size == 10_240_000)
        #expect(capabilities.authMechanisms == ["LOGIN", "PLAIN", "CRAM-MD5"])

        #expect(try SMTPReplyDecoder.parseLine(Array("250-SIZE 1000".utf8)) == (250, false, "SIZE 1000"))
        #expect(try SMTPReplyDecoder.parseLine(Array("250".utf8)) == (250, true, ""))
        #expect(throws: SMTPError.self) { try SMTPReplyDecoder.parseLine(Array("25O ok".utf8)) }
        #expect(throws: SMTPError.self) { try SMTPReplyDecoder.parseLine(Array("250_ok".utf8)) }
    }

    @Test("loopback hosts are recognised")
    func loopback() {
        #expect(SMTPClient.isLoopback("127.0.0.1"))
        #expect(SMTPClient.isLoopback("127.1.2.3"))
        #expect(SMTPClient.isLoopback("localhost"))
        #expect(SMTPClient.isLoopback("[::1]"))
        #expect(!SMTPClient.isLoopback("127.example.org"))
        #expect(!SMTPClient.isLoopback("mail.example.org"))
        #expect(!SMTPClient.isLoopback("10.0.0.1"))
    }
}
