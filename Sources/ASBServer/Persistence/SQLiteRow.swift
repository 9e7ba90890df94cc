import ASBCore
import Fluent
import FluentSQLiteDriver
import Foundation

/// A value the bulk insert binds to SQLite as the driver's `SQLiteDataEncoder` would, without
/// the encoder or a cast per value: text, a number, a date as seconds since 1970, an
/// enumeration as its raw value, a list as JSON text. DemoDataTests checks each against the
/// encoder.
protocol SQLiteBindable {
    var sqliteBind: SQLiteData { get }
}

extension String: SQLiteBindable {
    var sqliteBind: SQLiteData { .text(self) }
}

extension UUID: SQLiteBindable {
    var sqliteBind: SQLiteData { .text(text) }
}

extension Date: SQLiteBindable {
    /// sqlite-nio's own conversion (`Date.sqliteData`), which the encoder uses.
    var sqliteBind: SQLiteData { .float(timeIntervalSince1970) }
}

extension Int: SQLiteBindable {
    var sqliteBind: SQLiteData { .integer(self) }
}

extension Bool: SQLiteBindable {
    var sqliteBind: SQLiteData { .integer(self ? 1 : 0) }
}

extension Double: SQLiteBindable {
    var sqliteBind: SQLiteData { .float(self) }
}

extension SQLiteBindable where Self: RawRepresentable, RawValue == String {
    var sqliteBind: SQLiteData { .text(rawValue) }
}

extension SQLiteBindable where Self: RawRepresentable, RawValue == Int {
    var sqliteBind: SQLiteData { .integer(rawValue) }
}

/// An element of a list stored as JSON text (`SortedJSON.array`, as `JSONEncoder` writes it).
protocol SQLiteListElement {
    var listText: String { get }
}

extension String: SQLiteListElement {
    var listText: String { self }
}

extension SQLiteListElement where Self: RawRepresentable, RawValue == String {
    var listText: String { rawValue }
}

extension Array: SQLiteBindable where Element: SQLiteListElement {
    var sqliteBind: SQLiteData { .text(SortedJSON.array(map(\.listText))) }
}

// The enumerations the rows written by `SQLiteRowModel`s hold.
extension CaseStatus: SQLiteBindable {}
extension ReportChannel: SQLiteBindable {}
extension IncidentCategory: SQLiteBindable, SQLiteListElement {}
extension HateStrand: SQLiteBindable, SQLiteListElement {}
extension ASBLimb: SQLiteBindable, SQLiteListElement {}
extension Priority: SQLiteBindable {}
extension PrioritySource: SQLiteBindable {}
extension RiskLevel: SQLiteBindable {}
extension ClosureReason: SQLiteBindable {}
extension CaseReviewStatus: SQLiteBindable {}
extension ContactMethod: SQLiteBindable {}
extension SupportNeed: SQLiteBindable, SQLiteListElement {}
extension PartyRole: SQLiteBindable {}
extension AgencyGuidance: SQLiteBindable, SQLiteListElement {}
extension MessageKind: SQLiteBindable {}
extension DeliveryChannel: SQLiteBindable {}
extension Milestone: SQLiteBindable {}
extension RiskAssessmentRecord.Source: SQLiteBindable {}
extension CaseEvent.Kind: SQLiteBindable {}
extension OutboxMessage.Status: SQLiteBindable {}
extension ContactChannel: SQLiteBindable {}
extension ContactDirection: SQLiteBindable {}
extension ActionOwnerKind: SQLiteBindable {}
extension ActionStatus: SQLiteBindable {}
extension ClosureProposal.Status: SQLiteBindable {}
extension ClosureContactMethod: SQLiteBindable {}
extension ClosureContactOutcome: SQLiteBindable {}
extension SurveyChannel: SQLiteBindable {}

/// A model that writes its own row as SQLite's values, property by property with their types,
/// for the bulk insert (`BulkInsert.SQLiteRows`): Fluent's `input(to:)` boxes every value, and
/// finding each one's SQLite value again took a cast per type tried. The models a new case and
/// a read's audit entries insert are such models.
///
/// `writeSQLiteRow` adds the properties in the order of the model's `properties`, which is the
/// order `input(to:)` gives them; DemoDataTests compares every such model's rows, columns and
/// values, with those Fluent's input gives, and the services-versus-bulk tests whole tables.
/// Demo data's casework rows (contacts, plans, closures, surveys) are such models too.
protocol SQLiteRowModel: Model {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<Self>)
}

/// Rows of one model's table as SQLite's values, written by the models (`SQLiteRowModel`). The
/// first row also names the columns. Each property's value is as Fluent's input gives it: unset
/// is bound as null, as SQLite's dialect writes a column's default.
struct SQLiteRowWriter<M: Model> {
    private(set) var columns: [String] = []
    private(set) var binds: [SQLiteData] = []
    /// Rows written.
    private(set) var count = 0
    private var naming = true

    init(capacity: Int) {
        binds.reserveCapacity(capacity)
    }

    /// The rows written, for the bulk insert.
    var rows: BulkInsert.SQLiteRows {
        BulkInsert.SQLiteRows(table: M.schema, columns: columns, binds: binds, count: count)
    }

    mutating func add(_ id: IDProperty<M, UUID>) {
        name(id.key)
        binds.append(id.value?.sqliteBind ?? .null)
    }

    mutating func add<Value: SQLiteBindable>(_ field: FieldProperty<M, Value>) {
        name(field.key)
        binds.append(field.value?.sqliteBind ?? .null)
    }

    mutating func add<Value: SQLiteBindable>(_ field: OptionalFieldProperty<M, Value>) {
        name(field.key)
        binds.append((field.value ?? nil)?.sqliteBind ?? .null)
    }

    mutating func add<Parent: Model>(_ parent: ParentProperty<M, Parent>) where Parent.IDValue == UUID {
        add(parent.$id)
    }

    mutating func add<Parent: Model>(_ parent: OptionalParentProperty<M, Parent>) where Parent.IDValue == UUID {
        add(parent.$id)
    }

    /// Ends the first row: its columns are named, the rest only bind values.
    mutating func endRow() {
        naming = false
    }

    /// Writes `model`'s row (it must have its id), with the same columns as the rows before it.
    mutating func append(_ model: M) throws where M: SQLiteRowModel {
        guard model.id != nil else { throw BulkInsert.Failure(description: "A row of \(M.schema) has no id.") }
        let before = binds.count
        model.writeSQLiteRow(to: &self)
        endRow()
        guard binds.count - before == columns.count else {
            throw BulkInsert.Failure(description: "Rows of \(M.schema) differ in their columns.")
        }
        count += 1
    }

    private mutating func name(_ key: FieldKey) {
        if naming { columns.append(key.description) }
    }
}

// MARK: - The models

extension ASBCase: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<ASBCase>) {
        row.add($id); row.add($reference); row.add($referenceYear); row.add($referenceNumber); row.add($status)
        row.add($channel); row.add($categories); row.add($hate); row.add($hateStrands); row.add($asbLimbs); row.add($notASB)
        row.add($priority); row.add($prioritySource); row.add($riskLevel); row.add($immediateDanger); row.add($location)
        row.add($postcode); row.add($property); row.add($neighbourhood); row.add($allocatedOfficer); row.add($leadAgency)
        row.add($closedAt); row.add($closureReason); row.add($followUpOf); row.add($caseReviewStatus); row.add($caseReviewMetAt)
        row.add($caseReviewDueAt); row.add($legalHoldReason); row.add($legalHoldAt); row.add($legalHoldBy); row.add($anonymisedAt)
        row.add($accessCodeHash); row.add($receivedAt); row.add($lastIncidentAt); row.add($createdAt); row.add($updatedAt)
        row.add($version)
    }
}

extension CaseMilestone: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<CaseMilestone>) {
        row.add($id); row.add($asbCase); row.add($milestone); row.add($priority); row.add($rule); row.add($explanation)
        row.add($dueAt); row.add($metAt); row.add($metBy); row.add($metNote); row.add($breachRecordedAt); row.add($elapsed)
        row.add($caseClosedAt); row.add($createdAt)
    }
}

extension CaseEvent: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<CaseEvent>) {
        row.add($id); row.add($asbCase); row.add($at); row.add($kind); row.add($summary); row.add($actor)
    }
}

extension AuditEvent: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<AuditEvent>) {
        row.add($id); row.add($at); row.add($actor); row.add($actorLabel); row.add($action); row.add($entityType)
        row.add($entityID); row.add($asbCase); row.add($changes); row.add($requestID)
    }
}

extension Party: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<Party>) {
        row.add($id); row.add($name); row.add($nameKey); row.add($email); row.add($phone); row.add($address)
        row.add($addressKey); row.add($postcode); row.add($preferredContactMethod); row.add($preferredContactTimes)
        row.add($language); row.add($interpreterNeeded); row.add($supportNotes); row.add($consentToShare)
        row.add($consentRecordedAt); row.add($tenancyReference); row.add($supportNeeds); row.add($property)
        row.add($anonymisedAt); row.add($createdAt); row.add($updatedAt)
    }
}

extension CaseParty: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<CaseParty>) {
        row.add($id); row.add($asbCase); row.add($party); row.add($role); row.add($createdAt)
    }
}

extension IncidentReport: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<IncidentReport>) {
        row.add($id); row.add($asbCase); row.add($channel); row.add($receivedAt); row.add($recordedAt); row.add($reporter)
        row.add($anonymous); row.add($description); row.add($occurredOn); row.add($occurredAt); row.add($location)
        row.add($postcode); row.add($categories); row.add($hate); row.add($hateStrands); row.add($immediateDanger)
        row.add($riskAnswers); row.add($guidanceGiven); row.add($recordedBy)
    }
}

extension RiskAssessmentRecord: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<RiskAssessmentRecord>) {
        row.add($id); row.add($asbCase); row.add($questionnaireVersion); row.add($answers); row.add($score); row.add($level)
        row.add($computedPriority); row.add($priority); row.add($overrideReason); row.add($reasons); row.add($supportNeeds)
        row.add($notASB); row.add($source); row.add($assessedBy); row.add($assessedAt)
    }
}

extension OutboxMessage: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<OutboxMessage>) {
        row.add($id); row.add($asbCase); row.add($kind); row.add($channel); row.add($recipientParty); row.add($recipientUser)
        row.add($recipientName); row.add($toAddress); row.add($subject); row.add($textBody); row.add($status)
        row.add($attempts); row.add($nextAttemptAt); row.add($claimedUntil); row.add($lastError); row.add($messageID)
        row.add($dedupeKey); row.add($createdAt); row.add($sentAt)
    }
}

extension IdempotencyRecord: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<IdempotencyRecord>) {
        row.add($id); row.add($key); row.add($requestHash); row.add($response); row.add($createdAt); row.add($expiresAt)
    }
}

extension ContactLogEntry: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<ContactLogEntry>) {
        row.add($id); row.add($asbCase); row.add($party); row.add($at); row.add($method); row.add($direction); row.add($summary)
        row.add($restricted); row.add($recordedBy); row.add($recordedAt)
    }
}

extension ActionPlan: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<ActionPlan>) {
        row.add($id); row.add($asbCase); row.add($revision); row.add($agreedOn); row.add($howAgreed); row.add($notes)
        row.add($current); row.add($createdBy); row.add($createdAt)
    }
}

extension PlanAction: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<PlanAction>) {
        row.add($id); row.add($plan); row.add($position); row.add($what); row.add($owner); row.add($ownerUser)
        row.add($ownerAgency); row.add($ownerParty); row.add($dueOn); row.add($status); row.add($completedOn)
        row.add($completionNote); row.add($updatedAt)
    }
}

extension ClosureProposal: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<ClosureProposal>) {
        row.add($id); row.add($asbCase); row.add($reason); row.add($explanation); row.add($withdrawalHow); row.add($withdrawalOn)
        row.add($status); row.add($proposedBy); row.add($proposedAt); row.add($approvedBy); row.add($approvedAt); row.add($endedAt)
        row.add($endNote)
    }
}

extension ClosureContactRecord: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<ClosureContactRecord>) {
        row.add($id); row.add($proposal); row.add($method); row.add($outcome); row.add($reasons); row.add($at); row.add($recordedBy)
    }
}

extension SatisfactionSurvey: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<SatisfactionSurvey>) {
        row.add($id); row.add($asbCase); row.add($status); row.add($dueAt); row.add($tokenHash); row.add($answeredBy)
        row.add($answeredAt); row.add($overall); row.add($keptInformed); row.add($easeOfReporting); row.add($listenedTo)
        row.add($wouldReportAgain); row.add($comments); row.add($enteredBy)
    }
}

extension DissatisfactionReview: SQLiteRowModel {
    func writeSQLiteRow(to row: inout SQLiteRowWriter<DissatisfactionReview>) {
        row.add($id); row.add($survey); row.add($asbCase); row.add($status); row.add($findings); row.add($createdAt)
        row.add($closedAt); row.add($closedBy)
    }
}
