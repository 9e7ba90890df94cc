import Foundation
import NIOCore
import NIOPosix
import NIOSSL

// A small SMTP client (RFC 5321) on SwiftNIO, with STARTTLS (RFC 3207), implicit TLS
// (RFC 8314), AUTH PLAIN/LOGIN (RFC 4954) and a deterministic MIME renderer (RFC 5322,
// 2045-2047). One `send` is one connection: no pooling and no pipelining.

// MARK: - Configuration

/// Where and how to deliver mail.
public struct SMTPConfiguration: Sendable, Equatable {
    /// How the connection is protected.
    public enum Security: String, Sendable {
        /// Plain TCP. AUTH is refused unless the host is loopback.
        case none
        /// Plain TCP upgraded with STARTTLS before anything else is said (usually port 587).
        /// If the server does not offer STARTTLS the send fails: there is no silent downgrade.
        case startTLS
        /// TLS from the first byte ("implicit TLS", usually port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// When set, the client authenticates (PLAIN, else LOGIN) after any TLS upgrade.
    public var username: String?
    public var password: String?
    /// The name the client gives itself in EHLO; ideally this server's public DNS name.
    public var heloName: String
    /// How long the client waits for each reply (the connection, the greeting and each
    /// command with its reply, including DATA with the whole message).
    public var timeout: TimeAmount
    /// How the server's certificate is checked. Keep `.fullVerification` outside tests.
    public var certificateVerification: CertificateVerification
    /// Extra trusted root certificates in PEM, on top of the system's (for example a
    /// test server's self-signed certificate, or a private CA).
    public var additionalTrustedCertificatesPEM: String?

    public init(
        host: String,
        port: Int? = nil,
        security: Security = .startTLS,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        timeout: TimeAmount = .seconds(30),
        certificateVerification: CertificateVerification = .fullVerification,
        additionalTrustedCertificatesPEM: String? = nil
    ) {
        self.host = host
        self.port = port ?? Self.defaultPort(for: security)
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.timeout = timeout
        self.certificateVerification = certificateVerification
        self.additionalTrustedCertificatesPEM = additionalTrustedCertificatesPEM
    }

    /// 25 for `.none`, 587 for `.startTLS`, 465 for `.tls`.
    public static func defaultPort(for security: Security) -> Int {
        switch security {
        case .none: 25
        case .startTLS: 587
        case .tls: 465
        }
    }
}

extension SMTPConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// A summary that never shows the password.
    public var description: String {
        let user = username.map { " user=\($0) password=\(password == nil ? "<none>" : "<redacted>")" } ?? ""
        return "SMTPConfiguration(\(host):\(port) security=\(security.rawValue)\(user) helo=\(heloName))"
    }

    public var debugDescription: String { description }
}

// MARK: - Message

/// One extra header line of an outgoing message, kept in order.
public struct MailHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A message to send. Addresses are plain `local@domain` (ASCII), without angle brackets.
public struct OutgoingMail: Sendable, Equatable {
    /// The sender's address, used in `MAIL FROM` and the `From` header.
    public var from: String
    /// The sender's display name; encoded (RFC 2047) when it is not plain ASCII.
    public var fromName: String?
    /// The recipients, used in `RCPT TO` and the `To` header.
    public var to: [String]
    public var subject: String
    public var textBody: String
    /// When set, the message is multipart/alternative with the text first.
    public var htmlBody: String?
    /// The Message-ID, with or without the angle brackets, e.g. `case-42.1@asb.example.org`.
    public var messageID: String
    /// Extra headers, appended after the standard ones. The client writes Date, From, To,
    /// Subject, Message-ID, MIME-Version and Content-* itself, so those names are refused.
    public var headers: [MailHeader]

    public init(
        from: String,
        fromName: String? = nil,
        to: [String],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        messageID: String,
        headers: [MailHeader] = []
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.messageID = messageID
        self.headers = headers
    }
}

// MARK: - Errors

/// Why a send failed, and whether trying again later could help.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad cause.
    public enum Kind: String, Sendable {
        /// The server answered a command with an error reply (see `code`).
        case rejected
        /// Connecting, reading or writing failed, or the server closed the connection.
        case network
        /// The server did not answer within the configured timeout.
        case timeout
        /// The TLS handshake failed (for instance an untrusted certificate).
        case tls
        /// The server's reply could not be understood.
        case protocolViolation
        /// The configuration cannot work with this server (for instance AUTH over an
        /// unencrypted connection, or STARTTLS required but not offered).
        case configuration
        /// The message itself is unfit to send (bad address, header injection, too large).
        case invalidMessage
    }

    public var kind: Kind
    /// The SMTP reply code, when the server gave one.
    public var code: Int?
    /// The server's reply text, or a description of what went wrong.
    public var message: String
    /// The step that failed, e.g. `RCPT TO:<someone@example.org>`; never holds credentials.
    public var stage: String?

    public init(kind: Kind, code: Int? = nil, message: String, stage: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.stage = stage
    }

    /// True when sending the same message again, unchanged and with the same configuration,
    /// would fail the same way: 5xx replies, configuration errors and invalid messages.
    public var isPermanent: Bool {
        switch kind {
        case .rejected: (500..<600).contains(code ?? 0)
        case .configuration, .invalidMessage: true
        case .network, .timeout, .tls, .protocolViolation: false
        }
    }

    /// True when a later attempt may succeed: 4xx replies, network trouble, timeouts.
    public var isTransient: Bool { !isPermanent }

    public var description: String {
        var text = "SMTP \(kind.rawValue)"
        if let code { text += " \(code)" }
        if let stage { text += " at \(stage)" }
        return text + ": \(message) (\(isPermanent ? "permanent" : "transient"))"
    }

    /// Wraps any error from NIO or NIOSSL as a network or TLS error.
    static func wrapping(_ error: any Error, stage: String?) -> SMTPError {
        if var smtp = error as? SMTPError {
            if smtp.stage == nil { smtp.stage = stage }
            return smtp
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return SMTPError(kind: .tls, message: "TLS failed: \(error)", stage: stage)
        }
        return SMTPError(kind: .network, message: "\(error)", stage: stage)
    }
}

// MARK: - Replies

/// One complete server reply, possibly built from several `250-…` continuation lines.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]
    /// True when more bytes had already arrived right behind this reply. Nothing may follow
    /// the reply to STARTTLS in plain text (that would be a command-injection attempt).
    var followedByData: Bool = false

    var text: String { lines.joined(separator: " ") }
}

/// Splits the byte stream into replies (RFC 5321 section 4.2), with limits so that a hostile
/// server cannot make the client buffer without end.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    static let maximumLineLength = 4096
    static let maximumLines = 256

    private var code: Int?
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength {
                throw SMTPError(kind: .protocolViolation, message: "reply line longer than \(Self.maximumLineLength) bytes")
            }
            return .needMoreData
        }
        let length = view.distance(from: view.startIndex, to: newline) + 1
        guard length <= Self.maximumLineLength + 2, var bytes = buffer.readBytes(length: length) else {
            throw SMTPError(kind: .protocolViolation, message: "reply line longer than \(Self.maximumLineLength) bytes")
        }
        bytes.removeLast()  // LF
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }

        let (lineCode, isLast, text) = try Self.parseLine(bytes)
        if let code, code != lineCode {
            throw SMTPError(kind: .protocolViolation, message: "reply code changed from \(code) to \(lineCode) within one reply")
        }
        code = lineCode
        lines.append(text)
        if !isLast {
            if lines.count >= Self.maximumLines {
                throw SMTPError(kind: .protocolViolation, message: "reply has more than \(Self.maximumLines) lines")
            }
            return .continue
        }
        let reply = SMTPReply(code: lineCode, lines: lines, followedByData: buffer.readableBytes > 0)
        code = nil
        lines = []
        context.fireChannelRead(Self.wrapInboundOut(reply))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Deliver whatever complete replies arrived before the close; a partial one is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// `250-text`, `250 text` or a bare `250`.
    static func parseLine(_ bytes: [UInt8]) throws -> (code: Int, isLast: Bool, text: String) {
        guard bytes.count >= 3,
              bytes[0] >= UInt8(ascii: "2"), bytes[0] <= UInt8(ascii: "5"),
              bytes[1...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            throw SMTPError(kind: .protocolViolation, message: "malformed reply line: \(String(decoding: bytes.prefix(80), as: UTF8.self))")
        }
        let code = bytes[0...2].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        if bytes.count == 3 { return (code, true, "") }
        let separator = bytes[3]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPError(kind: .protocolViolation, message: "malformed reply line: \(String(decoding: bytes.prefix(80), as: UTF8.self))")
        }
        return (code, separator == UInt8(ascii: " "), String(decoding: bytes[4...], as: UTF8.self))
    }
}

/// What the server said it supports in its EHLO reply.
struct SMTPCapabilities: Sendable, Equatable {
    var startTLS = false
    /// Upper-cased mechanism names, e.g. ["PLAIN", "LOGIN"].
    var authMechanisms: [String] = []
    /// The SIZE limit in bytes; nil when not advertised, 0 when advertised without a limit.
    var size: Int?
    var eightBitMIME = false

    init() {}

    /// Parses the lines of a 250 reply to EHLO; the first line is the server's greeting.
    init(ehloLines: [String]) {
        for line in ehloLines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            switch keyword {
            case "STARTTLS":
                startTLS = true
            case "8BITMIME":
                eightBitMIME = true
            case "SIZE":
                size = words.dropFirst().first.flatMap { Int($0) } ?? 0
            case "AUTH":
                authMechanisms += words.dropFirst().filter { !authMechanisms.contains($0) }
            default:
                // Some old servers write "AUTH=PLAIN LOGIN".
                if keyword.hasPrefix("AUTH=") {
                    let first = String(keyword.dropFirst(5))
                    authMechanisms += ([first] + words.dropFirst()).filter { !$0.isEmpty && !authMechanisms.contains($0) }
                }
            }
        }
    }
}

// MARK: - Connection

/// Set once by the event loop when a command's deadline passes.
private final class DeadlineFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false

    func fire() {
        lock.lock()
        fired = true
        lock.unlock()
    }

    var hasFired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return fired
    }
}

/// Keeps the first TLS error seen on a connection. A failed handshake both raises the error
/// and closes the channel, and the task may see the close (or a failed write) first; this
/// lets the client report the TLS cause rather than "connection closed".
private final class TLSErrorRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    private let lock = NSLock()
    nonisolated(unsafe) private var _error: (any Error)?

    var error: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return _error
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            lock.lock()
            if _error == nil { _error = error }
            lock.unlock()
        }
        context.fireErrorCaught(error)
    }
}

/// One open conversation: writes commands and reads replies, each under a deadline.
/// Used by a single task only.
private struct SMTPConnection {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let timeout: TimeAmount
    let tlsErrors: TLSErrorRecorder

    /// Writes `command` (a line without CRLF, or nil to only listen) and waits for the reply.
    /// When the deadline passes the connection is closed and an `SMTPError.timeout` thrown.
    mutating func exchange(_ command: String?, stage: String) async throws -> SMTPReply {
        var bytes: ByteBuffer?
        if let command { bytes = ByteBuffer(string: command + "\r\n") }
        return try await exchange(bytes: bytes, stage: stage)
    }

    mutating func exchange(bytes: ByteBuffer?, stage: String) async throws -> SMTPReply {
        let flag = DeadlineFlag()
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            flag.fire()
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        let timedOut = SMTPError(kind: .timeout, message: "no reply within \(Double(timeout.nanoseconds) / 1_000_000_000) s", stage: stage)
        let reply: SMTPReply?
        do {
            if let bytes { try await writer.write(bytes) }
            reply = try await replies.next()
        } catch {
            if flag.hasFired { throw timedOut }
            throw SMTPError.wrapping(tlsErrors.error ?? error, stage: stage)
        }
        // A reply that arrived in time but was handled after the deadline closed the connection
        // (a busy machine) is a timeout too: the next command would only find a closed channel.
        if flag.hasFired { throw timedOut }
        guard let reply else {
            throw SMTPError(kind: .network, message: "the server closed the connection", stage: stage)
        }
        return reply
    }

    /// Like `exchange`, and throws `.rejected` unless the reply code is one of `expected`.
    mutating func command(_ command: String?, stage: String? = nil, expect expected: Set<Int>) async throws -> SMTPReply {
        let stage = stage ?? command ?? "greeting"
        let reply = try await exchange(command, stage: stage)
        try Self.check(reply, expected, stage: stage)
        return reply
    }

    static func check(_ reply: SMTPReply, _ expected: Set<Int>, stage: String) throws {
        guard expected.contains(reply.code) else {
            throw SMTPError(kind: .rejected, code: reply.code, message: reply.text, stage: stage)
        }
    }
}

// MARK: - Client

/// Sends mail over SMTP, one connection per message.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup

    public init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
    }

    /// Connects, says EHLO, upgrades with STARTTLS when configured (and says EHLO again),
    /// authenticates (PLAIN, else LOGIN) when a username is set, then MAIL FROM, RCPT TO for
    /// each recipient, DATA with the message, and QUIT.
    ///
    /// If any recipient is refused nothing is sent, so retrying never duplicates a message.
    /// Once the server has accepted the message, later trouble (QUIT, closing) is ignored.
    /// The connection is closed on every path.
    /// - Throws: `SMTPError`; see `isPermanent` to decide whether to retry.
    public func send(_ mail: OutgoingMail) async throws {
        try Self.validate(mail)
        try checkConfiguration()
        let message = Self.render(mail, date: Date())
        let sslContext = try makeSSLContext()

        let stage = "connect to \(configuration.host):\(configuration.port)"
        let channel: NIOAsyncChannel<SMTPReply, ByteBuffer>
        let tlsErrors = TLSErrorRecorder()
        do {
            channel = try await connect(sslContext: sslContext, tlsErrors: tlsErrors)
        } catch {
            throw SMTPError.wrapping(error, stage: stage)
        }
        try await channel.executeThenClose { inbound, outbound in
            var connection = SMTPConnection(
                channel: channel.channel,
                replies: inbound.makeAsyncIterator(),
                writer: outbound,
                timeout: configuration.timeout,
                tlsErrors: tlsErrors
            )
            do {
                try await converse(&connection, mail: mail, message: message, sslContext: sslContext)
            } catch let error as SMTPError {
                // Say goodbye politely when the conversation itself is still usable.
                if error.kind == .rejected || error.kind == .configuration || error.kind == .invalidMessage {
                    _ = try? await connection.exchange("QUIT", stage: "QUIT")
                }
                throw error
            }
        }
    }

    private func converse(
        _ connection: inout SMTPConnection,
        mail: OutgoingMail,
        message: String,
        sslContext: NIOSSLContext?
    ) async throws {
        _ = try await connection.command(nil, stage: "greeting", expect: [220])
        var capabilities = try await hello(&connection)

        if configuration.security == .startTLS {
            guard capabilities.startTLS else {
                throw SMTPError(
                    kind: .configuration,
                    message: "the server does not offer STARTTLS, and security is .startTLS; refusing to go on unencrypted",
                    stage: "EHLO"
                )
            }
            let reply = try await connection.command("STARTTLS", expect: [220])
            guard !reply.followedByData else {
                throw SMTPError(kind: .protocolViolation, message: "the server sent data after its reply to STARTTLS", stage: "STARTTLS")
            }
            if let sslContext {
                try await startTLS(on: connection.channel, sslContext: sslContext, tlsErrors: connection.tlsErrors)
            }
            capabilities = try await hello(&connection)
        }

        if let username = configuration.username {
            try await authenticate(&connection, username: username, capabilities: capabilities)
        }

        var payload = ByteBuffer(bytes: Self.dotStuffed(message))
        payload.writeString(".\r\n")
        var mailFrom = "MAIL FROM:<\(mail.from)>"
        if let limit = capabilities.size {
            if limit > 0 && payload.readableBytes > limit {
                throw SMTPError(
                    kind: .invalidMessage,
                    message: "the message is \(payload.readableBytes) bytes, above the server's SIZE limit of \(limit)",
                    stage: "MAIL FROM"
                )
            }
            mailFrom += " SIZE=\(payload.readableBytes)"
        }
        _ = try await connection.command(mailFrom, expect: [250])
        for recipient in mail.to {
            _ = try await connection.command("RCPT TO:<\(recipient)>", expect: [250, 251])
        }
        _ = try await connection.command("DATA", expect: [354])

        let reply = try await connection.exchange(bytes: payload, stage: "end of DATA")
        try SMTPConnection.check(reply, [250], stage: "end of DATA")

        // Delivered: nothing after this may turn into an error the caller would retry.
        _ = try? await connection.exchange("QUIT", stage: "QUIT")
    }

    /// EHLO, or HELO when a server without ESMTP refuses EHLO and nothing needs extensions.
    private func hello(_ connection: inout SMTPConnection) async throws -> SMTPCapabilities {
        let stage = "EHLO \(configuration.heloName)"
        let reply = try await connection.exchange(stage, stage: stage)
        if reply.code == 250 { return SMTPCapabilities(ehloLines: reply.lines) }
        let needsExtensions = configuration.security == .startTLS || configuration.username != nil
        if (500...504).contains(reply.code) && !needsExtensions {
            _ = try await connection.command("HELO \(configuration.heloName)", expect: [250])
            return SMTPCapabilities()
        }
        throw SMTPError(kind: .rejected, code: reply.code, message: reply.text, stage: stage)
    }

    private func authenticate(_ connection: inout SMTPConnection, username: String, capabilities: SMTPCapabilities) async throws {
        let password = configuration.password ?? ""
        if capabilities.authMechanisms.contains("PLAIN") {
            let token = Self.base64("\0\(username)\0\(password)")
            _ = try await connection.command("AUTH PLAIN \(token)", stage: "AUTH PLAIN", expect: [235])
        } else if capabilities.authMechanisms.contains("LOGIN") {
            _ = try await connection.command("AUTH LOGIN", expect: [334])
            _ = try await connection.command(Self.base64(username), stage: "AUTH LOGIN (username)", expect: [334])
            _ = try await connection.command(Self.base64(password), stage: "AUTH LOGIN (password)", expect: [235])
        } else {
            let offered = capabilities.authMechanisms.isEmpty ? "none" : capabilities.authMechanisms.joined(separator: " ")
            throw SMTPError(
                kind: .configuration,
                message: "a username is set but the server offers no AUTH mechanism this client supports (PLAIN, LOGIN); offered: \(offered)",
                stage: "AUTH"
            )
        }
    }

    // MARK: Set-up

    /// Refuses set-ups that would leak credentials or cannot work, before connecting.
    private func checkConfiguration() throws {
        if !Self.isPlainToken(configuration.heloName) {
            throw SMTPError(kind: .configuration, message: "heloName must be a host name or address literal without spaces")
        }
        if configuration.username != nil, configuration.security == .none, !Self.isLoopback(configuration.host) {
            throw SMTPError(
                kind: .configuration,
                message: "refusing to send AUTH credentials over an unencrypted connection to \(configuration.host); "
                    + "use security .startTLS or .tls (plain-text AUTH is allowed only to a loopback host)",
                stage: "AUTH"
            )
        }
        if let username = configuration.username, username.contains("\0") || (configuration.password ?? "").contains("\0") {
            throw SMTPError(kind: .configuration, message: "the username and password must not contain NUL", stage: "AUTH")
        }
    }

    private func makeSSLContext() throws -> NIOSSLContext? {
        guard configuration.security != .none else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = configuration.certificateVerification
        do {
            if let pem = configuration.additionalTrustedCertificatesPEM {
                let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
                tls.additionalTrustRoots = [.certificates(certificates)]
            }
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPError(kind: .configuration, message: "cannot set up TLS: \(error)", stage: "TLS set-up")
        }
    }

    /// The name for SNI and certificate checks; nil for an IP literal, which NIOSSL then
    /// checks against the certificate's IP addresses.
    private var serverHostname: String? {
        let host = configuration.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (try? SocketAddress(ipAddress: host, port: 0)) == nil ? configuration.host : nil
    }

    private func connect(sslContext: NIOSSLContext?, tlsErrors: TLSErrorRecorder) async throws -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        guard let bootstrap = ClientBootstrap(validatingGroup: eventLoopGroup) else {
            throw SMTPError(kind: .configuration, message: "the event loop group cannot make TCP client channels")
        }
        let implicitTLS = configuration.security == .tls ? sslContext : nil
        let hostname = serverHostname
        let host = configuration.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return try await bootstrap
            .connectTimeout(configuration.timeout)
            .connect(host: host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        let handler = try NIOSSLClientHandler(context: implicitTLS, serverHostname: hostname)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        try channel.pipeline.syncOperations.addHandler(tlsErrors)
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Puts TLS under the reply decoder after the server's 220 to STARTTLS.
    private func startTLS(on channel: any Channel, sslContext: NIOSSLContext, tlsErrors: TLSErrorRecorder) async throws {
        let hostname = serverHostname
        do {
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: hostname)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                try channel.pipeline.syncOperations.addHandler(tlsErrors, position: .after(handler))
            }.get()
        } catch {
            throw SMTPError(kind: .tls, message: "cannot start TLS: \(error)", stage: "STARTTLS")
        }
    }

    // MARK: Checks

    /// Refuses messages that could not be sent faithfully or that would inject commands or headers.
    static func validate(_ mail: OutgoingMail) throws {
        func invalid(_ message: String) -> SMTPError { SMTPError(kind: .invalidMessage, message: message) }
        guard isAddress(mail.from) else { throw invalid("invalid sender address: \(mail.from.debugDescription)") }
        guard !mail.to.isEmpty else { throw invalid("no recipients") }
        for address in mail.to where !isAddress(address) {
            throw invalid("invalid recipient address: \(address.debugDescription)")
        }
        var id = mail.messageID
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 { id = String(id.dropFirst().dropLast()) }
        guard isPlainToken(id), id.contains("@"), !id.contains("<"), !id.contains(">") else {
            throw invalid("invalid Message-ID: \(mail.messageID.debugDescription) (expected left@right, no spaces)")
        }
        guard !hasLineBreak(mail.subject) else { throw invalid("the subject contains a line break") }
        guard !hasLineBreak(mail.fromName ?? "") else { throw invalid("the sender's name contains a line break") }
        for header in mail.headers {
            let name = header.name
            guard !name.isEmpty, name.utf8.count <= 76,
                  name.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") })
            else { throw invalid("invalid header name: \(name.debugDescription)") }
            guard !reservedHeaders.contains(name.lowercased()) else {
                throw invalid("the \(name) header is written by the client and cannot be set")
            }
            guard !header.value.unicodeScalars.contains(where: { $0.value < 32 && $0 != "\t" || $0.value == 127 }) else {
                throw invalid("the value of header \(name) contains a line break or control character")
            }
        }
    }

    static let reservedHeaders: Set<String> = [
        "date", "from", "to", "subject", "message-id", "mime-version", "content-type", "content-transfer-encoding",
    ]

    /// An ASCII `local@domain` without spaces, controls or angle brackets, at most 254 bytes.
    static func isAddress(_ address: String) -> Bool {
        guard (3...254).contains(address.utf8.count), isPlainToken(address),
              !address.contains("<"), !address.contains(">"),
              let at = address.lastIndex(of: "@"),
              at != address.startIndex, address.index(after: at) != address.endIndex
        else { return false }
        return true
    }

    /// Non-empty printable ASCII without spaces.
    static func isPlainToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 > 32 && $0 < 127 }
    }

    static func hasLineBreak(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host == "localhost." || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    // MARK: Rendering

    /// Adds a "." before every line that starts with "." (RFC 5321 section 4.5.2).
    static func dotStuffed(_ message: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count + 64)
        var atLineStart = true
        for byte in message.utf8 {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !atLineStart { out += [13, 10] }
        return out
    }

    /// The RFC 5322 message exactly as `send` transmits it (before dot-stuffing), with CRLF
    /// line endings, no line longer than 78 characters save for very long addresses, and
    /// 7-bit only: bodies are quoted-printable UTF-8 and non-ASCII header text is RFC 2047
    /// encoded. Expects a message that passed the checks in `send`; line breaks in header
    /// text are turned into spaces here so that nothing can be injected even so.
    public static func render(_ mail: OutgoingMail, date: Date) -> String {
        var lines: [String] = []
        lines.append("Date: \(rfc5322Date(date))")
        lines.append(fromHeader(address: mail.from, name: mail.fromName))
        lines.append(addressListHeader("To", mail.to))
        lines.append(unstructuredHeader("Subject", mail.subject))
        lines.append("Message-ID: <\(bareMessageID(mail.messageID))>")
        lines.append("MIME-Version: 1.0")

        // Each body ends with exactly one line break once decoded. In a multipart the CRLF
        // before a boundary belongs to the boundary, hence the extra empty line there.
        let textPart = [
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            quotedPrintable(mail.textBody),
        ]
        var body: [String]
        if let html = mail.htmlBody {
            let boundary = boundary(for: mail.messageID)
            lines.append("Content-Type: multipart/alternative;")
            lines.append(" boundary=\"\(boundary)\"")
            body = ["--\(boundary)"] + textPart + ["", "--\(boundary)"]
            body += [
                "Content-Type: text/html; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                quotedPrintable(html),
                "",
                "--\(boundary)--",
            ]
        } else {
            lines += textPart.prefix(2)
            body = Array(textPart.dropFirst(3))
        }
        for header in mail.headers {
            lines.append(unstructuredHeader(sanitizedHeaderName(header.name), header.value))
        }
        return (lines + [""] + body).joined(separator: "\r\n") + "\r\n"
    }

    /// "Tue, 02 Jun 2026 09:30:00 +0000".
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    static func bareMessageID(_ id: String) -> String {
        var id = id.trimmingCharacters(in: .whitespaces)
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 { id = String(id.dropFirst().dropLast()) }
        return sanitized(id).replacingOccurrences(of: " ", with: "")
    }

    /// A boundary that depends only on the Message-ID. It starts with "=_", which can never
    /// appear in quoted-printable text, so it cannot clash with the bodies.
    static func boundary(for messageID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64-bit
        for byte in bareMessageID(messageID).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "=_asb_alt_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : $0 }))
    }

    private static func sanitizedHeaderName(_ name: String) -> String {
        let kept = name.unicodeScalars.filter { $0.value > 32 && $0.value < 127 && $0 != ":" }
        return kept.isEmpty ? "X-Invalid" : String(String.UnicodeScalarView(kept))
    }

    static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 128 } }

    /// RFC 2047 "B" encoded-words, never splitting a character. Each holds at most 39 bytes
    /// of UTF-8, so is at most 64 characters long and fits a 76-character line after a
    /// header name such as "Subject: ".
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            if !chunk.isEmpty { words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=") }
            chunk = []
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 39 { flush() }
            chunk += bytes
        }
        flush()
        return words.isEmpty ? ["=?utf-8?B??="] : words
    }

    /// Subject and other free text: folded at spaces when plain ASCII, else encoded-words.
    static func unstructuredHeader(_ name: String, _ value: String) -> String {
        let value = sanitized(value)
        let words = value.split(separator: " ", omittingEmptySubsequences: false)
        let plain = isASCII(value) && !value.contains("=?") && words.allSatisfy { $0.utf8.count <= 70 }
        if !plain {
            return folded("\(name):", encodedWords(value), limit: 76)
        }
        return folded("\(name):", words.map(String.init))
    }

    /// Joins `head` and the words with single spaces, breaking lines before a word when a
    /// line would pass `limit` characters (78, or 76 for lines with encoded-words).
    private static func folded(_ head: String, _ words: [String], limit: Int = 78) -> String {
        var lines: [String] = []
        var line = head
        for word in words {
            if line.utf8.count + 1 + word.utf8.count > limit, !word.isEmpty, line != head {
                lines.append(line)
                line = " " + word
            } else {
                line += " " + word
            }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    static func addressListHeader(_ name: String, _ addresses: [String]) -> String {
        let cleaned = addresses.map { sanitized($0).replacingOccurrences(of: " ", with: "") }
        let withCommas = cleaned.enumerated().map { $0.offset < cleaned.count - 1 ? $0.element + "," : $0.element }
        return folded("\(name):", withCommas)
    }

    /// `From: Name <address>`. A plain ASCII name is written as is or as a quoted-string;
    /// otherwise words that need it are encoded (RFC 2047 section 5) and plain words are left
    /// between them, so that decoders that keep the space between adjacent encoded-words
    /// (Python's email package does) still read the name back correctly in most cases.
    static func fromHeader(address: String, name: String?) -> String {
        let address = sanitized(address).replacingOccurrences(of: " ", with: "")
        guard let name = name.map(sanitized)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return "From: \(address)"
        }
        let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~"))
        func isAtom(_ word: Substring) -> Bool {
            isASCII(String(word)) && !word.contains("=?") && word.unicodeScalars.allSatisfy { atext.contains($0) }
        }
        var words: [String] = []
        if isASCII(name) && name.utf8.count <= 60 && !name.contains("=?") {
            let atoms = name.split(separator: " ", omittingEmptySubsequences: false)
            if atoms.allSatisfy({ !$0.isEmpty && isAtom($0) }) {
                words = atoms.map(String.init)
            } else {
                words = ["\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""]
            }
        } else {
            var run: [Substring] = []
            func flushRun() {
                if !run.isEmpty { words += encodedWords(run.joined(separator: " ")) }
                run = []
            }
            for word in name.split(separator: " ") {
                if isAtom(word) && word.utf8.count <= 70 {
                    flushRun()
                    words.append(String(word))
                } else {
                    run.append(word)
                }
            }
            flushRun()
        }
        return folded("From:", words + ["<\(address)>"], limit: 76)
    }

    /// Quoted-printable (RFC 2045 section 6.7) of the UTF-8 text; any line ending becomes a
    /// hard CRLF line break, and no encoded line passes 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalised.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 && lines.last == "" { lines.removeLast() }
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [String] = []
        for line in lines {
            let bytes = Array(line.utf8)
            var current: [UInt8] = []
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 32 || byte == 9) && !isLast)
                let token = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                if current.count + token.count > (isLast ? 76 : 75) {
                    output.append(String(decoding: current + [UInt8(ascii: "=")], as: UTF8.self))
                    current = []
                }
                current += token
            }
            output.append(String(decoding: current, as: UTF8.self))
        }
        return output.joined(separator: "\r\n")
    }
}
