import Testing
@testable import ASBCore

@Suite("Staff passwords")
struct PasswordPolicyTests {
    @Test("A password has at least 12 characters", arguments: ["", "short", "elevenchars"])
    func tooShort(password: String) {
        #expect(PasswordPolicy.problem(with: password) == "Use a password of at least 12 characters.")
    }

    @Test("Known passwords and common words dressed up with digits and symbols are refused", arguments: [
        "123456789012", "qwertyuiop123", "Password1234", "P@ssword2026!", "password-2026", "LetMeIn!!2026", "Welcome12345",
        "iloveyou1234", "CorrectHorseBatteryStaple", "Housing12345", "zzzzzzzzzzzz", "121212121212", "ababababababab",
    ])
    func common(password: String) {
        #expect(PasswordPolicy.problem(with: password) != nil)
    }

    @Test("Long passphrases and random strings are accepted", arguments: [
        "kettle orbit lantern maple", "correct-horse-leader.a", "e2e-4f9a0b1c2d3e4f5a6b7c8d9e", "739201846253", "Tr0ub4dor&3xyz",
    ])
    func accepted(password: String) {
        #expect(PasswordPolicy.problem(with: password) == nil)
    }
}
