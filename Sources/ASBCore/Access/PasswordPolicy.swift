import Foundation

/// What a staff password must be: at least 12 characters, not one of the passwords attackers try
/// first, not a common word dressed up with digits and symbols ("Password2026!"), and not one or
/// two characters repeated.
public enum PasswordPolicy {
    public static let minimumLength = 12

    /// Passwords of 12 or more characters that appear at the top of breach lists.
    static let common: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "123456789123", "1234567891011", "111111111111",
        "000000000000", "123123123123", "121212121212", "qwertyuiop12", "qwertyuiop123", "qwertyuiopas",
        "1q2w3e4r5t6y", "1qaz2wsx3edc", "qazwsxedcrfv", "zaq12wsxcde3", "asdfghjkl123", "zxcvbnm12345",
        "passwordpassword", "password1234", "password12345", "password123456", "iloveyou1234", "letmeinplease",
        "welcome12345", "changeme1234", "administrator", "administrator1", "correcthorsebatterystaple",
        "thequickbrownfox", "trustno1trustno1", "football1234", "baseball1234", "liverpool1234", "manchesterunited",
        "chelseafc1234", "arsenal12345", "sunshine1234", "princess1234", "starwars1234", "superman1234",
        "batman123456", "whatever1234", "abcdefghijkl", "abcdefg12345", "abc123abc123", "aaaaaaaaaaaa",
        "qwerty123456", "qwertyqwerty", "asdfasdfasdf", "monkey123456", "dragon123456", "mustang12345",
        "shadow123456", "michael12345", "jennifer1234", "jordan123456", "hunter123456", "master123456",
        "computer1234", "internet1234", "samsung12345", "google123456", "facebook1234", "linkedin1234",
        "housing12345", "tenant123456", "landlord1234", "council12345",
    ]

    /// Words that, with only digits and symbols added, make a guessable password.
    static let commonWords: Set<String> = [
        "password", "passw", "qwerty", "qwertyuiop", "letmein", "welcome", "admin", "administrator", "iloveyou",
        "monkey", "dragon", "football", "baseball", "sunshine", "princess", "starwars", "superman", "batman",
        "trustno", "master", "login", "changeme", "secret", "abc", "abcdef", "asdf", "zxcvbnm", "housing",
        "tenant", "landlord", "council", "summer", "winter", "spring", "autumn", "london", "england",
    ]

    /// The problem with `password`, or nil when it is acceptable.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "Use a password of at least \(minimumLength) characters." }
        let lower = password.lowercased()
        if common.contains(lower) || commonWords.contains(Self.word(in: lower)) || !lower.contains(where: \.isLetter) && Set(lower).count <= 4 {
            return "This password is too common: choose one that is not a known password, like three or four random words."
        }
        if Set(lower).count <= 2 { return "Use more than one or two different characters." }
        return nil
    }

    /// The word under the decoration: digits and symbols trimmed from both ends, look-alike
    /// characters read as letters (`p@ssw0rd` → `password`), anything else left out.
    static func word(in lower: String) -> String {
        let lookAlikes: [Character: Character] = ["@": "a", "4": "a", "0": "o", "1": "i", "3": "e", "$": "s", "5": "s", "7": "t", "!": "i"]
        let core = lower.drop(while: { !$0.isLetter }).reversed().drop(while: { !$0.isLetter }).reversed()
        return String(core.compactMap { $0.isLetter ? $0 : lookAlikes[$0] })
    }
}
