import Foundation

/// A report as submitted through any channel (SS-REP-1), before it is checked. The server maps
/// every channel's input (API, web form, email, Open311) into this one shape.
public struct ReportDraft: Sendable, Equatable {
    public struct Person: Sendable, Equatable {
        public var name: String?
        public var email: String?
        public var phone: String?
        public var address: String?
        public var postcode: String?
        public var preferredContactMethod: ContactMethod?
        public init(name: String? = nil, email: String? = nil, phone: String? = nil, address: String? = nil,
                    postcode: String? = nil, preferredContactMethod: ContactMethod? = nil) {
            self.name = name
            self.email = email
            self.phone = phone
            self.address = address
            self.postcode = postcode
            self.preferredContactMethod = preferredContactMethod
        }
    }

    public var channel: ReportChannel
    public var anonymous: Bool
    public var reporter: Person?
    public var description: String
    public var occurredOn: String?
    public var occurredAt: String?
    public var location: String?
    public var postcode: String?
    public var categories: [IncidentCategory]
    public var hate: Bool
    public var hateStrands: [HateStrand]
    public var allegedPerpetrator: Person?
    public var immediateDanger: Bool
    /// When a staff member records a report received earlier (a letter's date stamp).
    public var receivedAt: Date?
    /// Guidance the staff member gave about reporting to other agencies (SS-REP-3).
    public var guidanceGiven: [AgencyGuidance] = []

    public init(channel: ReportChannel, anonymous: Bool = false, reporter: Person? = nil, description: String,
                occurredOn: String? = nil, occurredAt: String? = nil, location: String? = nil, postcode: String? = nil,
                categories: [IncidentCategory] = [], hate: Bool = false, hateStrands: [HateStrand] = [],
                allegedPerpetrator: Person? = nil, immediateDanger: Bool = false, receivedAt: Date? = nil) {
        self.channel = channel
        self.anonymous = anonymous
        self.reporter = reporter
        self.description = description
        self.occurredOn = occurredOn
        self.occurredAt = occurredAt
        self.location = location
        self.postcode = postcode
        self.categories = categories
        self.hate = hate
        self.hateStrands = hateStrands
        self.allegedPerpetrator = allegedPerpetrator
        self.immediateDanger = immediateDanger
        self.receivedAt = receivedAt
    }
}

/// A report that passed every check: text trimmed, postcodes normalised, dates parsed.
public struct ValidReport: Sendable, Equatable {
    public struct Person: Sendable, Equatable {
        public var name: String?
        public var email: String?
        public var phone: String?
        public var address: String?
        public var postcode: Postcode?
        public var preferredContactMethod: ContactMethod?
    }
    public var channel: ReportChannel
    public var reporter: Person?
    public var description: String
    public var occurredOn: String?
    public var occurredAt: String?
    public var location: String?
    public var postcode: Postcode?
    public var categories: [IncidentCategory]
    public var hate: Bool
    public var hateStrands: [HateStrand]
    public var allegedPerpetrator: Person?
    public var immediateDanger: Bool
    public var receivedAt: Date
    public var guidanceGiven: [AgencyGuidance]
    public var isAnonymous: Bool { reporter == nil }
}
