import Foundation

/// An opaque pagination cursor: the sort key and id of the last item of a page, base64url JSON.
struct Cursor: Codable, Equatable {
    var date: Date?
    var text: String?
    var id: UUID
    /// The last entry an audit trail's pages hold (`CaseService.chronologicalPage`'s `pinnedAt`).
    var until: UUID?

    func encoded() -> String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ raw: String?) throws -> Cursor? {
        guard let raw, !raw.isEmpty else { return nil }
        var base64 = raw.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let cursor = try? JSONDecoder().decode(Cursor.self, from: data) else {
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
