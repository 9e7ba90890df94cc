import ASBCore
import Testing

/// The first bytes of a file, with a label for the test log.
struct CaseworkSample: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    var testDescription: String { name }

    init(_ name: String, _ parts: [CaseworkBytes]) {
        self.name = name
        self.bytes = parts.flatMap(\.bytes)
    }
}

/// A piece of a sample: raw bytes or ASCII text.
enum CaseworkBytes: Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    case raw([UInt8])
    init(stringLiteral text: String) { self = .raw(Array(text.utf8)) }
    init(arrayLiteral bytes: UInt8...) { self = .raw(bytes) }
    var bytes: [UInt8] {
        switch self {
        case .raw(let bytes): bytes
        }
    }
}

@Suite("Evidence files by content (SS-PRG-1)")
struct CaseworkEvidenceSnifferTests {
    static let accepted: [(CaseworkSample, EvidenceType)] = [
        (CaseworkSample("JPEG (JFIF)", [[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10], "JFIF", [0x00, 0x01, 0x01]]), .jpeg),
        (CaseworkSample("JPEG (Exif, from a phone)", [[0xFF, 0xD8, 0xFF, 0xE1, 0x2F, 0xFE], "Exif", [0, 0]]), .jpeg),
        (CaseworkSample("PNG", [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D], "IHDR"]), .png),
        (CaseworkSample("GIF87a", ["GIF87a", [0x01, 0x00, 0x01, 0x00, 0x80]]), .gif),
        (CaseworkSample("GIF89a", ["GIF89a", [0x0A, 0x00, 0x0A, 0x00, 0x91]]), .gif),
        (CaseworkSample("WebP", ["RIFF", [0x24, 0x1A, 0x00, 0x00], "WEBPVP8 ", [0x18, 0x1A, 0, 0]]), .webp),
        (CaseworkSample("HEIC (heic)", [[0, 0, 0, 0x18], "ftypheic", [0, 0, 0, 0], "mif1heic"]), .heic),
        (CaseworkSample("HEIC (heix)", [[0, 0, 0, 0x18], "ftypheix", [0, 0, 0, 0], "mif1heix"]), .heic),
        (CaseworkSample("HEIF (mif1)", [[0, 0, 0, 0x1C], "ftypmif1", [0, 0, 0, 0], "mif1heicmiaf"]), .heic),
        (CaseworkSample("PDF", ["%PDF-1.7\n%", [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]]), .pdf),
        (CaseworkSample("PDF 1.4", ["%PDF-1.4\n1 0 obj\n"]), .pdf),
        (CaseworkSample("MP3 with an ID3 tag", ["ID3", [0x04, 0x00, 0x00, 0x00, 0x00, 0x1F, 0x76]]), .mp3),
        (CaseworkSample("MP3 frame, MPEG-1 layer III, 128 kbit/s, 44.1 kHz", [[0xFF, 0xFB, 0x90, 0x64, 0x00]]), .mp3),
        (CaseworkSample("MP3 frame with CRC", [[0xFF, 0xFA, 0x92, 0x04]]), .mp3),
        (CaseworkSample("MP3 frame, MPEG-2 layer III", [[0xFF, 0xF3, 0x64, 0xC4]]), .mp3),
        (CaseworkSample("MP3 frame, MPEG-2.5 layer III", [[0xFF, 0xE3, 0x18, 0xC4]]), .mp3),
        (CaseworkSample("WAV", ["RIFF", [0x24, 0x08, 0x00, 0x00], "WAVEfmt ", [0x10, 0, 0, 0]]), .wav),
        (CaseworkSample("M4A (M4A )", [[0, 0, 0, 0x20], "ftypM4A ", [0, 0, 0, 0], "M4A mp42isom"]), .m4a),
        (CaseworkSample("M4A (isom)", [[0, 0, 0, 0x1C], "ftypisom", [0, 0, 0x02, 0], "isomiso2mp41"]), .m4a),
        (CaseworkSample("M4A (mp42)", [[0, 0, 0, 0x1C], "ftypmp42", [0, 0, 0, 0], "mp42isom"]), .m4a),
        (CaseworkSample("Ogg", ["OggS", [0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]]), .ogg),
        (CaseworkSample("plain text with tabs and CRLF", ["Noise from flat 3 at 23:30\r\n\tLoud music again.\n"]), .text),
        (CaseworkSample("UTF-8 text", ["Café — £5 for the taxi 😀 ✓"]), .text),
        (CaseworkSample("UTF-8 text with a byte order mark", [[0xEF, 0xBB, 0xBF], "Diary"]), .text),
        (CaseworkSample("one letter", ["a"]), .text),
        (CaseworkSample("HTML without NUL", ["<html><body>Diary</body></html>\n"]), .text),
        (CaseworkSample("text starting ID3", ["ID3 is the bin store door code"]), .text),
        (CaseworkSample("text starting OggS", ["OggS and ends"]), .text),
        (CaseworkSample("MP3 with an ID3v2.3 tag", ["ID3", [0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21], "TIT2"]), .mp3),
    ]

    @Test("SS-PRG-1: evidence files are recognised by their magic numbers", arguments: accepted)
    func detects(sample: CaseworkSample, type: EvidenceType) {
        #expect(EvidenceSniffer.detect(sample.bytes) == type)
        #expect(EvidenceSniffer.check(size: sample.bytes.count, bytes: sample.bytes, limit: 10_485_760) == .success(type))
    }

    @Test("SS-PRG-1: every accepted type is recognised by at least one sample")
    func everyTypeCovered() {
        #expect(Set(Self.accepted.map(\.1)) == Set(EvidenceType.allCases))
    }

    static let refused: [CaseworkSample] = [
        CaseworkSample("empty", []),
        CaseworkSample("ELF program named .pdf", [[0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0, 0, 0, 0]]),
        CaseworkSample("ELF magic followed by text", [[0x7F], "ELF then some text"]),
        CaseworkSample("Windows program", ["MZ", [0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00], "PE"]),
        CaseworkSample("MZ followed by text", ["MZ This program cannot be run in DOS mode."]),
        CaseworkSample("Mach-O 64-bit", [[0xCF, 0xFA, 0xED, 0xFE, 0x07, 0x00, 0x00, 0x01]]),
        CaseworkSample("Mach-O 32-bit, big-endian", [[0xFE, 0xED, 0xFA, 0xCE, 0x00, 0x00, 0x00, 0x12]]),
        CaseworkSample("Java class or universal binary", [[0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x34]]),
        CaseworkSample("ZIP (or Word document)", ["PK", [0x03, 0x04, 0x14, 0x00, 0x06, 0x00]]),
        CaseworkSample("HTML with a NUL", ["<html><body>", [0x00], "</body></html>"]),
        CaseworkSample("text with escape codes", ["Diary ", [0x1B], "[31mred"]),
        CaseworkSample("text with a form feed", ["page 1", [0x0C], "page 2"]),
        CaseworkSample("text with DEL", ["abc", [0x7F]]),
        CaseworkSample("text with a C1 control (NEL)", ["abc", [0xC2, 0x85], "def"]),
        CaseworkSample("UTF-16 text with a byte order mark", [[0xFF, 0xFE, 0x48, 0x00, 0x69, 0x00]]),
        CaseworkSample("Latin-1 text", [[0x43, 0x61, 0x66, 0xE9, 0x20, 0x61, 0x62]]),
        CaseworkSample("overlong UTF-8", [[0x41, 0xC0, 0x80]]),
        CaseworkSample("overlong three-byte UTF-8", [[0x41, 0xE0, 0x80, 0xAF]]),
        CaseworkSample("UTF-8 surrogate", [[0x41, 0xED, 0xA0, 0x80]]),
        CaseworkSample("beyond U+10FFFF", [[0x41, 0xF4, 0x90, 0x80, 0x80]]),
        CaseworkSample("F5 lead byte", [[0x41, 0xF5, 0x80, 0x80, 0x80]]),
        CaseworkSample("lone continuation byte", [[0x41, 0x80, 0x42]]),
        CaseworkSample("character cut off at the end of a short file", ["abc", [0xE2, 0x82]]),
        CaseworkSample("AVI", ["RIFF", [0x24, 0, 0, 0], "AVI LIST"]),
        CaseworkSample("RIFF too short", ["RIFF", [0x24, 0, 0, 0], "WEB"]),
        CaseworkSample("QuickTime video", [[0, 0, 0, 0x14], "ftypqt  ", [0, 0, 0, 0]]),
        CaseworkSample("AVIF", [[0, 0, 0, 0x1C], "ftypavif", [0, 0, 0, 0]]),
        CaseworkSample("ftyp without a brand", [[0, 0, 0, 0x14], "ftyp"]),
        CaseworkSample("GIF88a", ["GIF88a", [0x00]]),
        CaseworkSample("PNG signature cut short", [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]]),
        CaseworkSample("JPEG cut short", [[0xFF, 0xD8]]),
        CaseworkSample("two FF bytes", [[0xFF, 0xFF, 0xFF, 0xFF]]),
        CaseworkSample("MPEG layer I frame", [[0xFF, 0xFF, 0x90, 0x64]]),
        CaseworkSample("MPEG layer II frame", [[0xFF, 0xFD, 0x90, 0x64]]),
        CaseworkSample("MPEG reserved version", [[0xFF, 0xEB, 0x90, 0x64]]),
        CaseworkSample("MP3 frame with a bad bit rate", [[0xFF, 0xFB, 0xF0, 0x64]]),
        CaseworkSample("MP3 frame with a bad sample rate", [[0xFF, 0xFB, 0x9C, 0x64]]),
        CaseworkSample("MP3 frame cut short", [[0xFF, 0xFB, 0x90]]),
        CaseworkSample("gzip", [[0x1F, 0x8B, 0x08, 0x00]]),
        CaseworkSample("ID3 with an unknown version", ["ID3", [0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21]]),
        CaseworkSample("ID3 with a bad size", ["ID3", [0x04, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00]]),
        CaseworkSample("ID3 cut short", ["ID3", [0x04, 0x00]]),
        CaseworkSample("Ogg with an unknown version", ["OggS", [0x01, 0x02, 0x00]]),
        CaseworkSample("random binary", [[0x00, 0x13, 0x37, 0xBE, 0xEF]]),
    ]

    @Test("SS-PRG-1: programs, archives and anything else are refused, whatever the file is called",
          arguments: refused)
    func refuses(sample: CaseworkSample) {
        #expect(EvidenceSniffer.detect(sample.bytes) == nil)
        let result = EvidenceSniffer.check(size: max(sample.bytes.count, 1), bytes: sample.bytes, limit: 10_485_760)
        guard case .failure(let error) = result else {
            Issue.record("\(sample.name) was accepted")
            return
        }
        #expect(error.field == "file")
    }

    @Test("SS-PRG-1: programs are named as programs when refused",
          arguments: [[0x7F, 0x45, 0x4C, 0x46, 0x02], Array("MZ".utf8) + [0x90, 0x00]] as [[UInt8]])
    func programs(bytes: [UInt8]) {
        #expect(EvidenceSniffer.isExecutable(bytes))
        let result = EvidenceSniffer.check(size: 50_000, bytes: bytes, limit: 10_485_760)
        guard case .failure(let error) = result else {
            Issue.record("a program was accepted")
            return
        }
        #expect(error.message.hasPrefix("This file is a program"))
    }

    @Test("SS-PRG-1: plain text is judged on its first 4096 bytes")
    func textWindow() {
        let window = EvidenceSniffer.textWindow
        #expect(window == 4096)
        let full = [UInt8](repeating: UInt8(ascii: "a"), count: window)
        #expect(EvidenceSniffer.detect(full) == .text)
        #expect(EvidenceSniffer.detect(full + [0x00, 0x01]) == .text)  // a NUL after the window is not read
        #expect(EvidenceSniffer.detect(Array(full.dropLast()) + [0x00]) == nil)  // the last byte of the window is
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        let cut = [UInt8](repeating: UInt8(ascii: "a"), count: window - 2) + euro + [UInt8(ascii: "b")]
        #expect(EvidenceSniffer.detect(cut) == .text)  // "€" cut off by the end of the window
        let cutInvalid = [UInt8](repeating: UInt8(ascii: "a"), count: window - 2) + [0xE2, 0x41]
        #expect(EvidenceSniffer.detect(cutInvalid) == nil)  // not a continuation byte, even at the end
        #expect(EvidenceSniffer.detect(Array("ab".utf8) + euro) == .text)
    }

    @Test("SS-PRG-1: an empty file is refused", arguments: [(0, [UInt8]()), (0, Array("%PDF-".utf8)), (10, [UInt8]())])
    func empty(size: Int, bytes: [UInt8]) {
        let result = EvidenceSniffer.check(size: size, bytes: bytes, limit: 10_485_760)
        #expect(result == .failure(FieldError("file", "The file is empty. Choose the file again.")))
    }

    @Test("SS-PRG-1: a file over the size limit is refused, naming the limit in MB",
          arguments: [(10_485_760, 10_485_760, nil), (10_485_761, 10_485_760, "10 MB"),
                      (1, 10_485_760, nil), (2_621_440, 2_621_440, nil), (2_621_441, 2_621_440, "2.5 MB"),
                      (26_214_401, 26_214_400, "25 MB"), (2_000_000, 1_000_000, "1 MB"),
                      (600_000, 500_000, "0.5 MB")] as [(Int, Int, String?)])
    func sizeLimit(size: Int, limit: Int, named: String?) {
        let pdf = Array("%PDF-1.7\n".utf8)
        let result = EvidenceSniffer.check(size: size, bytes: pdf, limit: limit)
        if let named {
            #expect(result == .failure(FieldError("file", "The file is larger than the \(named) limit.")))
        } else {
            #expect(result == .success(.pdf))
        }
    }

    @Test("SS-PRG-1: an unknown type is refused with the list of allowed types")
    func unknownListsAllowed() {
        let result = EvidenceSniffer.check(size: 6, bytes: Array("PK".utf8) + [0x03, 0x04], limit: 1_048_576)
        #expect(result == .failure(FieldError(
            "file", "This type of file cannot be added. The file must be JPEG, PNG, GIF, WebP, HEIC, PDF, MP3, WAV, M4A, Ogg or plain text.")))
    }

    @Test("SS-PRG-1: each type is stored and served with its media type",
          arguments: [(EvidenceType.jpeg, "image/jpeg", "jpg"), (.png, "image/png", "png"), (.gif, "image/gif", "gif"),
                      (.webp, "image/webp", "webp"), (.heic, "image/heic", "heic"), (.pdf, "application/pdf", "pdf"),
                      (.mp3, "audio/mpeg", "mp3"), (.wav, "audio/wav", "wav"), (.m4a, "audio/mp4", "m4a"),
                      (.ogg, "audio/ogg", "ogg"), (.text, "text/plain; charset=utf-8", "txt")])
    func mimeTypes(type: EvidenceType, mime: String, fileExtension: String) {
        #expect(type.mimeType == mime)
        #expect(type.fileExtension == fileExtension)
        #expect(EvidenceType(rawValue: type.rawValue) == type)
    }
}
