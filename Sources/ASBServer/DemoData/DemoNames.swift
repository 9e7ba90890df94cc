import ASBCore
import Foundation

/// Invented people, streets and words for demo data. The names are common given names and
/// surnames combined at random; the streets are made up; no real person or address is described.
enum DemoNames {
    static let givenNames = [
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Freya",
        "Noah", "Oliver", "George", "Leo", "Arthur", "Muhammad", "Harry", "Oscar", "Archie", "Henry", "Jack",
        "Theo", "Priya", "Aisha", "Zainab", "Fatima", "Chloe", "Ellie", "Ruby", "Evie", "Daniel", "Samuel",
        "Joseph", "Thomas", "Adam", "Ibrahim", "Yusuf", "Kwame", "Tomasz", "Agnieszka", "Siobhan", "Niamh",
        "Rhys", "Dylan", "Megan", "Ffion", "Hamza", "Sofia",
    ]
    static let surnames = [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan",
        "Ahmed", "Hussain", "Begum", "Singh", "Lewis", "Harris", "Martin", "Cooper", "Hughes", "Edwards", "Turner",
        "Hill", "Moore", "Ward", "Morris", "King", "Baker", "Okafor", "Mensah", "Kowalski", "Nowak", "Murphy",
        "Kelly", "Price", "Bennett", "Gray", "Shaw", "Chen",
    ]
    static let streetNames = [
        "Alder", "Beacon", "Bramble", "Cedar", "Chapel", "Clover", "Copper", "Daisy", "Elm", "Fern", "Foxglove",
        "Granary", "Hawthorn", "Heather", "Juniper", "Kestrel", "Lark", "Linnet", "Maple", "Meadow", "Orchard",
        "Osprey", "Poplar", "Quarry", "Rowan", "Saffron", "Sorrel", "Swallow", "Teasel", "Thistle", "Willow", "Wren",
    ]
    static let streetKinds = ["Road", "Street", "Close", "Way", "Avenue", "Court", "Lane", "Gardens", "Crescent", "Walk"]

    static func person(_ rng: inout SplitMix64) -> String {
        "\(givenNames[rng.below(givenNames.count)]) \(surnames[rng.below(surnames.count)])"
    }

    static func street(_ rng: inout SplitMix64) -> String {
        "\(streetNames[rng.below(streetNames.count)]) \(streetKinds[rng.below(streetKinds.count)])"
    }

    /// The inward part's letters of a postcode unit, e.g. `AB` in `SS2 1AB` (without C, I, K, M, O, V).
    static func unitLetters(_ rng: inout SplitMix64) -> String {
        let letters = Array("ABDEFGHJLNPQRSTUWXYZ")
        return "\(letters[rng.below(letters.count)])\(letters[rng.below(letters.count)])"
    }

    /// An address at example.org, unique to the case so two demo people never share one.
    static func email(_ name: String, index: Int) -> String {
        name.lowercased().replacingOccurrences(of: " ", with: ".") + ".\(index)@example.org"
    }

    static func description(_ category: IncidentCategory, street: String, rng: inout SplitMix64) -> String {
        let when = ["late at night", "most evenings", "at the weekend", "in the early hours", "after school", "every day this week"]
        let what: [String] = switch category {
        case .noise: ["Loud music and shouting from the flat above", "Parties with very loud music", "Banging and stamping through the wall"]
        case .verbalAbuse: ["Shouted abuse at me and my children", "Swore at me on the stairs", "Called me names through the letterbox"]
        case .harassment: ["Keeps knocking on my door and staring into my window", "Follows me to the bus stop", "Leaves notes on my car"]
        case .violence: ["Pushed me against the wall in the stairwell", "Threw a bottle at my neighbour", "A fight broke out on the landing"]
        case .drugs: ["People coming and going at all hours, smell of cannabis", "Dealing from the communal entrance", "Needles left on the stairs"]
        case .vandalism: ["Broke the communal door again", "Graffiti sprayed on the garages", "Smashed the lights in the car park"]
        case .pets: ["Dog barking for hours when left alone", "Dog fouling left on the path", "Dog off the lead jumping at children"]
        case .parking: ["Van blocking the disabled bay", "Cars parked across the access road", "Abandoned car left for weeks"]
        case .rubbish: ["Bags of rubbish dumped by the bins", "Fly-tipped mattress in the alley", "Rubbish thrown from the balcony"]
        case .other: ["Fireworks let off in the courtyard", "Youths gathering and climbing on the roof", "Someone keeps propping the fire door open"]
        }
        return "\(what[rng.below(what.count)]) on \(street), \(when[rng.below(when.count)])."
    }

    static func contactSummary(withReporter: Bool, rng: inout SplitMix64) -> String {
        let options = withReporter
            ? ["Talked through the diary and what has happened since", "Agreed next steps and when we will next speak",
               "Checked how they and the household are coping", "Explained what we can and cannot do"]
            : ["Discussed the complaints and the tenancy conditions", "Explained the behaviour that must stop",
               "Gave a verbal warning about the noise", "Offered mediation"]
        return options[rng.below(options.count)]
    }

    static func closureExplanation(_ reason: ClosureReason) -> String {
        switch reason {
        case .resolved: "The behaviour has stopped since the visits and the agreement signed."
        case .noNewReports: "We have had no new reports for over 60 days."
        case .withdrawn: "You told us you no longer want us to act on this complaint."
        case .actionsExhausted: "We have taken every action open to us; the police and the council have the evidence we gathered."
        case .actionPlanNotAdheredTo: "The diary sheets agreed in the action plan were not returned, so we cannot take the case further."
        }
    }
}
