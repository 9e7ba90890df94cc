import Foundation

/// The bank holidays file that GOV.UK publishes at https://www.gov.uk/bank-holidays.json:
///
/// ```json
/// {"england-and-wales": {"division": "england-and-wales",
///                        "events": [{"title": "New Year’s Day", "date": "2026-01-01",
///                                    "notes": "", "bunting": true}, …]},
///  "scotland": {…}, "northern-ireland": {…}}
/// ```
///
/// Decoding is lenient about extra keys and missing `notes`/`bunting`, strict about dates.
/// Reading the file from the network or disk is the caller's business; this type only parses
/// it and turns a region's events into `WorkingCalendar.importedYears`.
public struct GovUKBankHolidays: Sendable, Hashable, Codable {
    public struct Event: Sendable, Hashable, Codable {
        public let title: String
        public let date: LocalDate
        /// "" or, for example, "Substitute day".
        public let notes: String
        public let bunting: Bool

        public init(title: String, date: LocalDate, notes: String = "", bunting: Bool = false) {
            self.title = title
            self.date = date
            self.notes = notes
            self.bunting = bunting
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            title = try container.decode(String.self, forKey: .title)
            date = try container.decode(LocalDate.self, forKey: .date)
            notes = try container.decodeIfPresent(String.self, forKey: .notes) ?? ""
            bunting = try container.decodeIfPresent(Bool.self, forKey: .bunting) ?? false
        }

        /// The name in this system's style: the title, with the notes in brackets, so
        /// "Boxing Day" with "Substitute day" reads "Boxing Day (substitute day)".
        public var holidayName: String {
            let note = notes.trimmingWhitespace()
            if note.isEmpty { return title }
            if note.caseInsensitiveCompare("Substitute day") == .orderedSame {
                return title + BankHolidays.substituteSuffix
            }
            return "\(title) (\(note))"
        }

        public var bankHoliday: BankHoliday { BankHoliday(date: date, name: holidayName) }
    }

    public struct Division: Sendable, Hashable, Codable {
        public let division: String
        public let events: [Event]

        public init(division: String, events: [Event]) {
            self.division = division
            self.events = events
        }
    }

    /// The divisions present in the file (usually all three).
    public let divisions: [CalendarRegion: Division]

    public init(divisions: [CalendarRegion: Division]) {
        self.divisions = divisions
    }

    /// Parses the JSON text of the GOV.UK file.
    public static func decode(from data: Data) throws -> GovUKBankHolidays {
        try JSONDecoder().decode(GovUKBankHolidays.self, from: data)
    }

    /// The events of `region`, in the file's order (empty when the region is absent).
    public func events(for region: CalendarRegion) -> [Event] {
        divisions[region]?.events ?? []
    }

    /// The years the file covers for `region`: every year from its first event's to its last
    /// event's (GOV.UK publishes whole years).
    public func coveredYears(for region: CalendarRegion) -> ClosedRange<Int>? {
        let years = events(for: region).map(\.date.year)
        guard let first = years.min(), let last = years.max() else { return nil }
        return first...last
    }

    /// For each covered year of `region`, the complete sorted list of its holidays, ready for
    /// `WorkingCalendar(importedYears:)`. Duplicate events (same date and name) are dropped.
    public func importedYears(for region: CalendarRegion) -> [Int: [BankHoliday]] {
        guard let covered = coveredYears(for: region) else { return [:] }
        var result: [Int: [BankHoliday]] = [:]
        for year in covered { result[year] = [] }
        for event in events(for: region) {
            let holiday = event.bankHoliday
            if result[event.date.year]?.contains(holiday) == false {
                result[event.date.year, default: []].append(holiday)
            }
        }
        return result.mapValues { $0.sorted() }
    }

    // MARK: Codable, keyed by GOV.UK division name

    private struct DivisionKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DivisionKey.self)
        var divisions: [CalendarRegion: Division] = [:]
        for key in container.allKeys {
            // Unknown divisions are ignored, so a new one on GOV.UK does not break the import.
            guard let region = CalendarRegion(rawValue: key.stringValue) else { continue }
            divisions[region] = try container.decode(Division.self, forKey: key)
        }
        self.divisions = divisions
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DivisionKey.self)
        for region in CalendarRegion.allCases {
            if let division = divisions[region] {
                try container.encode(division, forKey: DivisionKey(stringValue: region.rawValue))
            }
        }
    }
}

extension WorkingCalendar {
    /// This calendar with the years `file` covers for its region taken from the file.
    public func importing(_ file: GovUKBankHolidays) -> WorkingCalendar {
        importing(years: file.importedYears(for: region))
    }
}
