import Foundation

/// A table on a staff page: a caption, column headings and rows of cells. Cells may link or
/// carry a tag; a tag always says its meaning in words.
struct Table: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        var text: String
        var href: String? = nil
        var tag: String? = nil
        /// A one-button form in the cell (deactivate, delete), posted with the page's CSRF token.
        var button: Button? = nil
    }

    struct Button: Encodable, Sendable {
        var action: String
        var label: String
        /// Read by screen readers after the label, to say which row it acts on.
        var context: String
    }

    var caption: String
    var headers: [String]
    var rows: [[Cell]]
    /// For screen readers only, when a heading just above already says it.
    var captionHidden = false
}

/// One key and value of a summary list.
struct SummaryItem: Encodable, Sendable {
    var key: String
    var value: String
    var tag: String? = nil
    var hint: String? = nil
}

/// A section of the case page: what is recorded, then the forms that change it.
struct PageSection: Encodable, Sendable {
    var id: String
    var title: String
    var items: [SummaryItem]? = nil
    var tables: [Table]? = nil
    /// Said when there is nothing recorded yet.
    var empty: String? = nil
    var forms: [FormModel]? = nil
}
