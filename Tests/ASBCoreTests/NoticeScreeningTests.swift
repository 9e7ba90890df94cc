import ASBCore
import Testing

/// A notice text and the parties or addresses it is screened against, with whether it is refused.
struct ClosureTestNoticeCase: Sendable, CustomTestStringConvertible {
    let text: String
    let names: [String]
    let addresses: [String]
    let refused: Bool
    var testDescription: String { "\"\(text)\" (\(refused ? "refused" : "passes"))" }

    init(_ text: String, names: [String] = [], addresses: [String] = [], refused: Bool) {
        self.text = text
        self.names = names
        self.addresses = addresses
        self.refused = refused
    }
}

/// The messages of the notice problems found in `text`.
private func closureTestNoticeMessages(_ text: String, names: [String] = [], addresses: [String] = []) -> [String] {
    let errors = NoticeScreening.problems(in: text, partyNames: names, addresses: addresses)
    #expect(errors.allSatisfy { $0.field == "text" })
    return errors.map(\.message)
}

@Suite("Community notices of positive activity (SS-PRG-6)")
struct NoticeScreeningTests {
    @Test("SS-PRG-6: a notice that identifies nobody passes")
    func cleanText() {
        let text = "Following reports from residents, we have worked with Essex Police to close a property on the estate "
            + "used for drug dealing. Thank you to everyone in the SS2 area who reported it. The annual residents' "
            + "meeting is on 3 June at 7pm; call 01702 123456 to book."
        #expect(NoticeScreening.problems(in: text, partyNames: ["Ann", "John Smith", "Mo Khan"],
                                         addresses: ["12 Sample Street, Southend-on-Sea SS1 1AA"]).isEmpty)
    }

    @Test("SS-PRG-6: a notice never names a party (whole words, any case or accents, surnames too)",
          arguments: [
              ClosureTestNoticeCase("Thanks to Ann Smith for her help", names: ["Ann Smith"], refused: true),
              ClosureTestNoticeCase("thanks to ANN SMITH for her help", names: ["Ann Smith"], refused: true),
              ClosureTestNoticeCase("Thanks to Ann\n  Smith for her help", names: ["Ann  Smith"], refused: true),
              ClosureTestNoticeCase("Mr Smith's garden has been cleared", names: ["Ann Smith"], refused: true),
              ClosureTestNoticeCase("The smith family has moved", names: ["John Smith"], refused: true),
              ClosureTestNoticeCase("The Smithfield market reopens", names: ["Ann Smith"], refused: false),
              ClosureTestNoticeCase("Blacksmith Lane is clear", names: ["Ann Smith"], refused: false),
              ClosureTestNoticeCase("The Annual meeting went well", names: ["Ann"], refused: false),
              ClosureTestNoticeCase("Ann has been rehoused", names: ["Ann"], refused: true),
              ClosureTestNoticeCase("Jo has been rehoused", names: ["Jo"], refused: true),
              ClosureTestNoticeCase("A resident has been rehoused", names: ["A"], refused: false),
              ClosureTestNoticeCase("Mrs Lee was moved", names: ["Ann Lee"], refused: true),
              ClosureTestNoticeCase("Leeds United fans", names: ["Ann Lee"], refused: false),
              ClosureTestNoticeCase("No one from Ng's family", names: ["Tom Ng"], refused: false),
              ClosureTestNoticeCase("Tom Ng was moved", names: ["Tom Ng"], refused: true),
              ClosureTestNoticeCase("Zoe Baker has helped", names: ["Zoë Bäker"], refused: true),
              ClosureTestNoticeCase("The O’Brien household", names: ["Sean O'Brien"], refused: true),
              ClosureTestNoticeCase("The Smith-Jones family", names: ["Kim Smith-Jones"], refused: true),
              ClosureTestNoticeCase("The Jones family", names: ["Kim Smith-Jones"], refused: false),
              ClosureTestNoticeCase("The Smith household", names: ["John Smith Jnr"], refused: true),
              ClosureTestNoticeCase("Nobody named", names: ["", "   "], refused: false),
          ])
    func names(_ example: ClosureTestNoticeCase) {
        let messages = closureTestNoticeMessages(example.text, names: example.names)
        #expect(messages.count == (example.refused ? 1 : 0))
        for message in messages {
            #expect(message.contains("names someone"))
            for name in example.names {
                for word in name.split(separator: " ") where word.count > 2 {
                    #expect(!message.lowercased().contains(word.lowercased()), "The message must not repeat the name")
                }
            }
        }
    }

    @Test("SS-PRG-6: a notice never gives an exact address (its first line, any case or spacing)",
          arguments: [
              ClosureTestNoticeCase("Work at 12 Sample Street is finished", addresses: ["12 Sample Street, Southend-on-Sea SS1 1AA"],
                                    refused: true),
              ClosureTestNoticeCase("Work at 12 SAMPLE  street is finished", addresses: ["12 Sample Street\nSouthend-on-Sea"],
                                    refused: true),
              ClosureTestNoticeCase("Work at 12, Sample Street is finished", addresses: ["12 Sample Street"], refused: true),
              ClosureTestNoticeCase("Work at 12 Sample Street is finished", addresses: ["12, Sample Street, Southend"],
                                    refused: true),
              ClosureTestNoticeCase("Repairs at 14 Example Road", addresses: ["Flat 3, 14 Example Road, Westcliff"],
                                    refused: true),
              ClosureTestNoticeCase("Residents of Sample Street are thanked", addresses: ["12 Sample Street, Southend"],
                                    refused: false),
              ClosureTestNoticeCase("Work at 112 Sample Street is finished", addresses: ["12 Sample Street, Southend"],
                                    refused: false),
              ClosureTestNoticeCase("Work at 12 Sample Streetside", addresses: ["12 Sample Street, Southend"], refused: false),
              ClosureTestNoticeCase("Nothing here", addresses: ["", " , "], refused: false),
          ])
    func addresses(_ example: ClosureTestNoticeCase) {
        let messages = closureTestNoticeMessages(example.text, addresses: example.addresses)
        #expect(messages.count == (example.refused ? 1 : 0))
        for message in messages {
            #expect(message.contains("exact address"))
            #expect(!message.contains("Sample") && !message.contains("Example"))
        }
    }

    @Test("SS-PRG-6: a notice never gives a full postcode (a district is fine)",
          arguments: [
              ("Near SS2 6FY the alley is lit", true),
              ("Near ss26fy the alley is lit", true),
              ("The EC1A 1BB office", true),
              ("Across (SS1 1AA) today", true),
              ("Across the SS2 area", false),
              ("In the SS2 6 sector", false),
              ("By 3pm at the A127", false),
              ("Meet at 9am on the 2nd", false),
          ])
    func postcodes(text: String, refused: Bool) {
        let messages = closureTestNoticeMessages(text)
        #expect(messages.count == (refused ? 1 : 0))
        if refused { #expect(messages.first?.contains("postcode") == true) }
    }

    @Test("SS-PRG-6: a notice never gives a case reference",
          arguments: [
              ("Case ASB-2026-00042 is closed", true),
              ("case asb-2026-00042 is closed", true),
              ("Case ASB 2026 00042 is closed", true),
              ("Case (ASB-2027-123456) is closed", true),
              ("The ASB team met in 2026", false),
              ("ASB-2026 plans", false),
          ])
    func references(text: String, refused: Bool) {
        let messages = closureTestNoticeMessages(text)
        #expect(messages.count == (refused ? 1 : 0))
        if refused {
            #expect(messages.first?.contains("case reference") == true)
            #expect(messages.first?.contains("2026") == false)
        }
    }

    @Test("SS-PRG-6: the text is 1 to 2000 characters",
          arguments: [(0, 1), (1, 0), (2000, 0), (2001, 1)])
    func length(count: Int, errors: Int) {
        #expect(closureTestNoticeMessages(String(repeating: "x", count: count)).count == errors)
    }

    @Test("SS-PRG-6: a blank notice is refused once, without further screening")
    func blank() {
        #expect(closureTestNoticeMessages("  \n ", names: ["Ann"]) == ["Write the notice: it cannot be empty."])
    }

    @Test("SS-PRG-6: every kind of problem is named once, in a fixed order")
    func everyKind() {
        let text = "Ann Smith of 12 Sample Street, SS1 1AA (case ASB-2026-00042) and John Smith of 14 Example Road"
        let messages = closureTestNoticeMessages(text, names: ["Ann Smith", "John Smith"],
                                                 addresses: ["12 Sample Street", "14 Example Road"])
        #expect(messages.count == 4)
        #expect(messages[0].contains("names someone"))
        #expect(messages[1].contains("exact address"))
        #expect(messages[2].contains("postcode"))
        #expect(messages[3].contains("case reference"))
    }
}
