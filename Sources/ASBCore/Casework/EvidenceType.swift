import Foundation

/// A kind of file the landlord accepts as evidence of incidents (photos, documents, recordings,
/// notes; SS-PRG-1), known by its content and never by its name. Stored and exchanged as its raw value.
public enum EvidenceType: String, Sendable, Codable, CaseIterable {
    case jpeg
    case png
    case gif
    case webp
    case heic
    case pdf
    case mp3
    case wav
    case m4a
    case ogg
    /// Plain text in UTF-8.
    case text

    /// The media type to store and serve the file with.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .pdf: "application/pdf"
        case .mp3: "audio/mpeg"
        case .wav: "audio/wav"
        case .m4a: "audio/mp4"
        case .ogg: "audio/ogg"
        case .text: "text/plain; charset=utf-8"
        }
    }

    /// The usual file name extension, without the dot, for downloads.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .text: "txt"
        default: rawValue
        }
    }

    /// The short name people know the type by, for messages: "JPEG", "PDF", "plain text".
    public var displayName: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .gif: "GIF"
        case .webp: "WebP"
        case .heic: "HEIC"
        case .pdf: "PDF"
        case .mp3: "MP3"
        case .wav: "WAV"
        case .m4a: "M4A"
        case .ogg: "Ogg"
        case .text: "plain text"
        }
    }

    /// Every allowed type, in words: "JPEG, PNG, …, Ogg or plain text".
    public static var allowedList: String {
        let names = allCases.map(\.displayName)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}

/// Tells what a file is from its first bytes (its magic number), never from its name or the type
/// the browser claims, so a program renamed `statement.pdf` is refused (SS-PRG-1).
public enum EvidenceSniffer {
    /// How many leading bytes `detect(_:)` looks at to decide whether a file is plain text.
    public static let textWindow = 4096
    private static let megabyte = 1_048_576

    /// The type of a file whose content starts with `bytes` (pass at least the first `textWindow`
    /// bytes, or the whole file when shorter), or `nil` when it is not an accepted type:
    /// - JPEG `FF D8 FF`; PNG `89 50 4E 47 0D 0A 1A 0A`; GIF `GIF87a` or `GIF89a`;
    /// - WebP and WAV: `RIFF`, a 4-byte size, then `WEBP` or `WAVE`;
    /// - HEIC and M4A: an ISO media `ftyp` box at offset 4 whose major brand is `heic`, `heix` or
    ///   `mif1` (HEIC), or `M4A `, `isom` or `mp42` (M4A);
    /// - PDF `%PDF-`; Ogg `OggS` followed by stream structure version 0;
    /// - MP3: an ID3v2 tag header (`ID3`, major version 2 to 4, then a size in four 7-bit bytes), or
    ///   an MPEG audio layer III frame header (11 sync bits, then a valid version, layer III, and a
    ///   valid bit rate and sample rate);
    /// - plain text: the first `textWindow` bytes are valid UTF-8 (a character cut off by the end of
    ///   a full window is allowed) with no control characters except tab, line feed and carriage return.
    /// Programs (ELF, Windows `MZ`, Mach-O, Java class) are never accepted, whatever follows.
    public static func detect(_ bytes: [UInt8]) -> EvidenceType? {
        if bytes.isEmpty || isExecutable(bytes) { return nil }
        if starts(bytes, [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(bytes, ascii: "GIF87a") || starts(bytes, ascii: "GIF89a") { return .gif }
        if starts(bytes, ascii: "RIFF") {
            if has(bytes, ascii: "WEBP", at: 8) { return .webp }
            if has(bytes, ascii: "WAVE", at: 8) { return .wav }
        }
        if has(bytes, ascii: "ftyp", at: 4), bytes.count >= 12 {
            let brand = String(decoding: bytes[8..<12], as: UTF8.self)
            if ["heic", "heix", "mif1"].contains(brand) { return .heic }
            if ["M4A ", "isom", "mp42"].contains(brand) { return .m4a }
        }
        if starts(bytes, ascii: "%PDF-") { return .pdf }
        if starts(bytes, ascii: "OggS"), bytes.count > 4, bytes[4] == 0 { return .ogg }
        if isID3Tag(bytes) || isMP3Frame(bytes) { return .mp3 }
        if isPlainText(bytes.prefix(textWindow), truncated: bytes.count >= textWindow) { return .text }
        return nil
    }

    /// Whether the bytes start like a program: ELF (`7F 45 4C 46`), a Windows or DOS executable
    /// (`MZ`), Mach-O (`FE ED FA CE`/`CF` either way round) or a Java class or universal binary
    /// (`CA FE BA BE`).
    public static func isExecutable(_ bytes: [UInt8]) -> Bool {
        starts(bytes, [0x7F, 0x45, 0x4C, 0x46]) || starts(bytes, ascii: "MZ")
            || starts(bytes, [0xFE, 0xED, 0xFA, 0xCE]) || starts(bytes, [0xFE, 0xED, 0xFA, 0xCF])
            || starts(bytes, [0xCE, 0xFA, 0xED, 0xFE]) || starts(bytes, [0xCF, 0xFA, 0xED, 0xFE])
            || starts(bytes, [0xCA, 0xFE, 0xBA, 0xBE])
    }

    /// Checks an uploaded file of `size` bytes that starts with `bytes` against the size `limit` in
    /// bytes, and tells its type. Errors are on the field `file`: an empty file; a file over the limit
    /// (naming the limit in MB, 1 MB = 1,048,576 bytes); a program; any type not accepted (listing
    /// the accepted ones).
    public static func check(size: Int, bytes: [UInt8], limit: Int) -> Result<EvidenceType, FieldError> {
        if size <= 0 || bytes.isEmpty {
            return .failure(FieldError("file", "The file is empty. Choose the file again."))
        }
        if size > limit {
            return .failure(FieldError("file", "The file is larger than the \(megabytes(limit)) limit."))
        }
        if isExecutable(bytes) {
            return .failure(FieldError(
                "file", "This file is a program, which cannot be added as evidence. The file must be \(EvidenceType.allowedList)."))
        }
        guard let type = detect(bytes) else {
            return .failure(FieldError("file", "This type of file cannot be added. The file must be \(EvidenceType.allowedList)."))
        }
        return .success(type)
    }

    /// A size in MB, to at most one decimal place: "10 MB", "2.5 MB".
    static func megabytes(_ bytes: Int) -> String {
        let tenths = bytes / megabyte * 10 + (bytes % megabyte * 10 + megabyte / 2) / megabyte
        return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10).\(tenths % 10) MB"
    }

    // MARK: Signatures

    private static func starts(_ bytes: [UInt8], _ prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && bytes[0..<prefix.count].elementsEqual(prefix)
    }

    private static func starts(_ bytes: [UInt8], ascii: String) -> Bool { has(bytes, ascii: ascii, at: 0) }

    private static func has(_ bytes: [UInt8], ascii: String, at offset: Int) -> Bool {
        let pattern = Array(ascii.utf8)
        return bytes.count >= offset + pattern.count && bytes[offset..<offset + pattern.count].elementsEqual(pattern)
    }

    /// An ID3v2 tag header: `ID3`, major version 2, 3 or 4, a revision other than `FF`, flags, and a
    /// "syncsafe" size whose four bytes are each below `80`. (So text that starts "ID3" stays text.)
    private static func isID3Tag(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 10, starts(bytes, ascii: "ID3") else { return false }
        return (2...4).contains(bytes[3]) && bytes[4] != 0xFF && bytes[6..<10].allSatisfy { $0 < 0x80 }
    }

    /// An MPEG audio frame header: `FF`, then `111VVLLP` with version `VV` not reserved (01) and
    /// layer `LL` = 01 (layer III), then a bit rate index other than 1111 and a sample rate other
    /// than 11. (So the UTF-16 byte order mark `FF FE` is not taken for MP3.)
    private static func isMP3Frame(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0 else { return false }
        let version = (bytes[1] >> 3) & 0b11
        let layer = (bytes[1] >> 1) & 0b11
        let bitrate = bytes[2] >> 4
        let sampleRate = (bytes[2] >> 2) & 0b11
        return version != 0b01 && layer == 0b01 && bitrate != 0b1111 && sampleRate != 0b11
    }

    /// Valid UTF-8 with no control characters other than tab, line feed and carriage return (so no
    /// NUL, no DEL and no C1 controls). When `truncated`, a character cut off at the end is allowed.
    private static func isPlainText(_ bytes: ArraySlice<UInt8>, truncated: Bool) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            if lead < 0x80 {
                if (lead < 0x20 && lead != 0x09 && lead != 0x0A && lead != 0x0D) || lead == 0x7F { return false }
                index += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
            default: return false  // continuation byte, overlong lead (C0, C1) or beyond U+10FFFF (F5…FF)
            }
            for offset in 1..<length {
                let position = index + offset
                guard position < bytes.endIndex else { return truncated }
                let byte = bytes[position]
                guard byte & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
                // Refuse overlong forms, surrogates and code points past U+10FFFF as early as possible.
                if offset == 1 {
                    switch lead {
                    case 0xE0: guard byte >= 0xA0 else { return false }
                    case 0xED: guard byte <= 0x9F else { return false }
                    case 0xF0: guard byte >= 0x90 else { return false }
                    case 0xF4: guard byte <= 0x8F else { return false }
                    default: break
                    }
                }
            }
            if (0x80...0x9F).contains(scalar) { return false }  // C1 control characters
            index += length
        }
        return true
    }
}

/// So a single field's problem can be the failure of a `Result`, as in `EvidenceSniffer.check`.
extension FieldError: Error {}
