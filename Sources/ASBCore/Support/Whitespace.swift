import Foundation

extension StringProtocol {
    /// The text without the white space and line breaks at either end: exactly what
    /// `trimmingWhitespace()` gives (Unicode scalars of that set),
    /// without Foundation's copy when there is nothing to trim, as for most fields of a form.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        let whitespace = WhitespaceSet.whitespacesAndNewlines
        if !whitespace.contains(first) && !whitespace.contains(last) { return String(self) }
        return trimmingCharacters(in: whitespace)
    }
}

/// Foundation's set, made once.
private enum WhitespaceSet {
    static let whitespacesAndNewlines = CharacterSet.whitespacesAndNewlines
}
