import ASBCore
import Foundation

/// An opaque pagination cursor: the sort key and id of the last item of a page, base64url JSON.
struct Cursor: Codable, Equatable {
    var date: Date?
    var text: String?
    var id: UUID
    /// The last entry an audit trail's pages hold (`CaseService.chronologicalPage`'s `pinnedAt`).
    var until: UUID?

    func encoded() -> String {
        Base64URL.encode((try? JSONEncoder().encode(self)) ?? Data())
    }

    static func decode(_ raw: String?) throws -> Cursor? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let bytes = Base64URL.decode(raw), let cursor = try? JSONDecoder().decode(Cursor.self, from: Data(bytes)) else {
            throw AppError.badRequest("The cursor is not one this server issued. Start again from the first page.")
        }
        return cursor
    }
}

/// Page sizes: 25 unless asked, never more than 100.
enum PageSize {
    static func resolve(_ requested: Int?) throws -> Int {
        guard let requested else { return 25 }
        guard (1...100).contains(requested) else { throw AppError.badRequest("limit must be from 1 to 100.") }
        return requested
    }
}
