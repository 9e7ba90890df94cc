import Foundation

/// Separates what a reply says from the history it quotes.
///
/// A reply is cut at the first sign of quoted history: an attribution line ("On Tue, 24 Nov 2026 at
/// 10:15, Sam Example <sam@example.org> wrote:", even when wrapped over two or three lines), Outlook's
/// "-----Original Message-----" or its "From: … Sent: … To: …" block, and a trailing run of `>` lines.
/// A signature after the standard "-- " line goes too. Forwarded messages are kept, since what was
/// forwarded is often the report itself.
public enum QuotedReply {
    /// The new part of `text`, or `text` itself (trimmed) when nothing would be left.
    public static func newText(of text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        var kept = Array(lines[..<historyStart(in: lines)])

        dropTrailingQuotes(&kept)
        if let signature = kept.lastIndex(where: { $0 == "-- " || $0 == "--" }) {
            kept.removeSubrange(signature...)
            dropTrailingQuotes(&kept)
        }
        let result = kept.joined(separator: "\n").trimmingWhitespace()
        return result.isEmpty ? text.trimmingWhitespace() : result
    }

    /// The index of the first line of quoted history, or `lines.count` if there is none.
    static func historyStart(in lines: [String]) -> Int {
        for index in lines.indices {
            if isAttribution(lines, at: index) || isOriginalMessageMarker(lines[index]) || isOutlookHeader(lines, at: index) {
                var start = index
                // Outlook draws a line of underscores above its header block.
                while start > 0, isBlankOrRule(lines[start - 1]) {
                    start -= 1
                    if !lines[start].trimmingCharacters(in: .whitespaces).isEmpty { break }
                }
                return start
            }
        }
        return lines.count
    }

    private static func dropTrailingQuotes(_ lines: inout [String]) {
        while let last = lines.last {
            let trimmed = last.trimmingCharacters(in: .whitespaces)
            guard trimmed.isEmpty || trimmed.hasPrefix(">") else { return }
            lines.removeLast()
        }
    }

    private static func isBlankOrRule(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || (trimmed.count >= 10 && trimmed.allSatisfy { $0 == "_" })
    }

    /// "On … wrote:" on one line or wrapped over up to three; also "Sam <sam@example.org> wrote:".
    private static func isAttribution(_ lines: [String], at index: Int) -> Bool {
        let first = lines[index].trimmingCharacters(in: .whitespaces)
        guard !first.hasPrefix(">") else { return false }
        if endsAttribution(first) && (startsAttribution(first) || first.contains("@")) { return true }
        // German clients name the writer last: "Am 24.11.2026 um 10:15 schrieb Sam <sam@example.org>:"
        if first.hasPrefix("Am "), first.contains(" schrieb "), first.hasSuffix(":"), first.count <= 300 { return true }
        guard startsAttribution(first) else { return false }
        var joined = first
        for next in lines.dropFirst(index + 1).prefix(2) {
            let line = next.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix(">") else { return false }
            joined += " " + line
            if endsAttribution(line) { return joined.count <= 300 }
        }
        return false
    }

    private static func startsAttribution(_ line: String) -> Bool {
        let lowered = line.lowercased()
        return ["on ", "le ", "am ", "el "].contains { lowered.hasPrefix($0) }
    }

    private static func endsAttribution(_ line: String) -> Bool {
        let lowered = line.lowercased()
        return ["wrote:", "écrit :", "écrit:", "schrieb:", "escribió:"].contains { lowered.hasSuffix($0) }
    }

    /// "-----Original Message-----", with any number of dashes and spaces.
    private static func isOriginalMessageMarker(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("--") else { return false }
        let words = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "- ")).lowercased()
        return words == "original message"
    }

    /// Outlook's header block: "From:" followed within a few lines by "Sent:" (or "Date:") and by
    /// "To:" or "Subject:".
    /// A block that introduces a forwarded message (a "Forwarded message" line just above it, or a
    /// subject starting "FW:" or "Fwd:") is not history.
    private static func isOutlookHeader(_ lines: [String], at index: Int) -> Bool {
        guard hasField(lines[index], ["from:"]) else { return false }
        let following = lines.dropFirst(index + 1).prefix(5)
        guard following.contains(where: { hasField($0, ["sent:", "date:"]) }),
              following.contains(where: { hasField($0, ["to:", "subject:", "cc:"]) }) else { return false }
        let forwardedSubject = following.contains { line in
            let lowered = line.trimmingCharacters(in: .whitespaces).lowercased()
            return ["subject: fw:", "subject: fwd:"].contains { lowered.hasPrefix($0) }
        }
        let above = lines[..<index].reversed().lazy.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.prefix(2)
        let forwardMarker = above.contains { $0.lowercased().contains("forwarded message") }
        return !forwardedSubject && !forwardMarker
    }

    private static func hasField(_ line: String, _ names: [String]) -> Bool {
        let lowered = line.trimmingCharacters(in: .whitespaces).lowercased()
        return names.contains { lowered.hasPrefix($0) }
    }
}
