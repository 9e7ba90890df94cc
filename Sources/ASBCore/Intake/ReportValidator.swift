import Foundation

/// Checks a report draft and turns it into a `ValidReport`, naming every field that is wrong.
public enum ReportValidator {
    public static let descriptionLimit = 10_000
    public static let nameLimit = 200
    public static let addressLimit = 500
    public static let locationLimit = 500

    /// Who is submitting: decides which channels and fields are allowed.
    public struct Submitter: Sendable, Equatable {
        public var isStaff: Bool
        /// A channel's own gateway (the inbound email endpoint, Open311): it may submit reports of
        /// that channel without a staff account, but nothing only staff may give.
        public var gateway: ReportChannel?
        public init(isStaff: Bool, gateway: ReportChannel? = nil) {
            self.isStaff = isStaff
            self.gateway = gateway
        }
    }

    /// - Parameters:
    ///   - now: the time of submission; a staff-entered `receivedAt` may not be later than this.
    ///   - existingCase: the report is a new incident on a case that already has its reporter
    ///     (SS-PRG-1), so no reporter details are asked for or accepted.
    public static func validate(_ draft: ReportDraft, by submitter: Submitter, now: Date,
                                existingCase: Bool = false) throws(ValidationFailure) -> ValidReport {
        var errors: [FieldError] = []

        if !submitter.isStaff && !draft.channel.isPublic && draft.channel != submitter.gateway {
            errors.append(FieldError("channel", "Only staff can record a report received by \(draft.channel.rawValue)."))
        }

        let description = draft.description.trimmingWhitespace()
        if description.isEmpty {
            errors.append(FieldError("description", "Tell us what happened."))
        } else if description.count > descriptionLimit {
            errors.append(FieldError("description", "What happened must be \(descriptionLimit) characters or fewer."))
        }

        var reporter: ValidReport.Person?
        if existingCase {
            if draft.reporter != nil {
                errors.append(FieldError("reporter", "A new incident on a case is recorded for the case's reporter: change their details on the case instead."))
            }
        } else if draft.anonymous {
            if draft.reporter != nil {
                errors.append(FieldError("reporter", "An anonymous report carries no reporter details: remove them or untick anonymous."))
            }
        } else if let person = draft.reporter {
            reporter = checkPerson(person, at: "reporter", needsContact: true, errors: &errors)
        } else {
            errors.append(FieldError("reporter", "Give the reporter's name and a way to contact them, or report anonymously."))
        }

        let allegedPerpetrator = draft.allegedPerpetrator.map {
            checkPerson($0, at: "allegedPerpetrator", needsContact: false, errors: &errors)
        }

        let occurredOn = optionalTrimmed(draft.occurredOn)
        if let occurredOn {
            if let day = parseDate(occurredOn) {
                if day > now.addingTimeInterval(24 * 3600) {
                    errors.append(FieldError("occurredOn", "The date it happened cannot be in the future."))
                }
            } else {
                errors.append(FieldError("occurredOn", "Enter the date as YYYY-MM-DD, for example 2026-11-20."))
            }
        }
        let occurredAt = optionalTrimmed(draft.occurredAt)
        if let occurredAt, !isTimeOfDay(occurredAt) {
            errors.append(FieldError("occurredAt", "Enter the time as HH:MM on the 24-hour clock, for example 23:30."))
        }
        if occurredAt != nil && occurredOn == nil {
            errors.append(FieldError("occurredOn", "Give the date as well as the time."))
        }

        let location = optionalTrimmed(draft.location)
        if let location, location.count > locationLimit {
            errors.append(FieldError("location", "Where it happened must be \(locationLimit) characters or fewer."))
        }
        var postcode: Postcode?
        if let raw = optionalTrimmed(draft.postcode) {
            postcode = Postcode(raw)
            if postcode == nil { errors.append(FieldError("postcode", "Enter a real UK postcode, for example SS1 1AA.")) }
        }

        if draft.hate && draft.hateStrands.isEmpty {
            errors.append(FieldError("hateStrands", "Choose at least one reason the behaviour seems motivated by hostility or prejudice."))
        }
        if !draft.hate && !draft.hateStrands.isEmpty {
            errors.append(FieldError("hate", "Hate strands were given: set hate to true, or remove the strands."))
        }

        var receivedAt = now
        if let given = draft.receivedAt {
            if !submitter.isStaff {
                errors.append(FieldError("receivedAt", "Only staff can record when an earlier report was received."))
            } else if given > now.addingTimeInterval(60) {
                errors.append(FieldError("receivedAt", "The time a report was received cannot be in the future."))
            } else {
                receivedAt = given
            }
        }

        if !draft.guidanceGiven.isEmpty && !submitter.isStaff {
            errors.append(FieldError("guidanceGiven", "Only staff record the guidance they gave."))
        }

        guard errors.isEmpty else { throw ValidationFailure(errors) }
        return ValidReport(
            channel: draft.channel, reporter: reporter, description: description,
            occurredOn: occurredOn, occurredAt: occurredAt, location: location, postcode: postcode,
            categories: draft.categories.uniqued(), hate: draft.hate, hateStrands: draft.hateStrands.uniqued(),
            allegedPerpetrator: allegedPerpetrator, immediateDanger: draft.immediateDanger, receivedAt: receivedAt,
            guidanceGiven: draft.guidanceGiven.uniqued())
    }

    static func checkPerson(_ person: ReportDraft.Person, at path: String, needsContact: Bool,
                            errors: inout [FieldError]) -> ValidReport.Person {
        let name = optionalTrimmed(person.name)
        let email = optionalTrimmed(person.email)
        let phone = optionalTrimmed(person.phone)
        let address = optionalTrimmed(person.address)
        if needsContact && name == nil {
            errors.append(FieldError("\(path).name", "Enter the reporter's name, or report anonymously."))
        }
        if let name, name.count > nameLimit {
            errors.append(FieldError("\(path).name", "The name must be \(nameLimit) characters or fewer."))
        }
        if let email, !isEmailAddress(email) {
            errors.append(FieldError("\(path).email", "Enter an email address in the right format, like name@example.com."))
        }
        if let phone, !isPhoneNumber(phone) {
            errors.append(FieldError("\(path).phone", "Enter a phone number, like 01632 960 001 or +44 7700 900 982."))
        }
        if let address, address.count > addressLimit {
            errors.append(FieldError("\(path).address", "The address must be \(addressLimit) characters or fewer."))
        }
        var postcode: Postcode?
        if let raw = optionalTrimmed(person.postcode) {
            postcode = Postcode(raw)
            if postcode == nil { errors.append(FieldError("\(path).postcode", "Enter a real UK postcode, for example SS1 1AA.")) }
        }
        if needsContact && email == nil && phone == nil && address == nil {
            errors.append(FieldError("\(path)", "Give at least one way to contact the reporter: email, phone or address."))
        }
        if let method = person.preferredContactMethod {
            let reachable: Bool = switch method {
            case .email: email != nil
            case .phone, .text: phone != nil
            case .letter, .visit: address != nil
            }
            if !reachable {
                errors.append(FieldError("\(path).preferredContactMethod",
                                         "The preferred way to contact (\(method.rawValue)) needs its contact detail."))
            }
        }
        return ValidReport.Person(name: name, email: email?.lowercased(), phone: phone, address: address,
                                  postcode: postcode, preferredContactMethod: person.preferredContactMethod)
    }

    static func optionalTrimmed(_ s: String?) -> String? {
        guard let t = s?.trimmingWhitespace(), !t.isEmpty else { return nil }
        return t
    }

    /// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
    public static func isEmailAddress(_ s: String) -> Bool {
        guard s.count <= 254, !s.contains(where: \.isWhitespace) else { return false }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }
    }

    /// UK and international numbers: digits with optional leading `+`, spaces, hyphens and brackets; 7 to 15 digits.
    public static func isPhoneNumber(_ s: String) -> Bool {
        let allowed = Set("0123456789+ -()")
        guard s.allSatisfy({ allowed.contains($0) }) else { return false }
        if let plus = s.firstIndex(of: "+"), plus != s.startIndex { return false }
        let digits = s.filter(\.isNumber).count
        return (7...15).contains(digits)
    }

    /// `YYYY-MM-DD`, a real calendar date: its 00:00 in the UK.
    public static func parseDate(_ s: String) -> Date? {
        LocalDate(iso: s).map(LondonTime.startOfDay)
    }

    /// `HH:MM`, 00:00 to 23:59.
    public static func isTimeOfDay(_ s: String) -> Bool {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]) else { return false }
        return (0...23).contains(h) && (0...59).contains(m)
    }
}
