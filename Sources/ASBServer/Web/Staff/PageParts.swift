import Foundation

/// A part of a page written in Swift, given to Leaf as its HTML: templates put it in with
/// `#unsafeHTML(part.html)` (a table: `partials/table.leaf`).
protocol HTMLFragment: Encodable {
    var html: String { get }
}

private enum HTMLFragmentKeys: String, CodingKey { case html }

extension HTMLFragment {
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: HTMLFragmentKeys.self)
        try c.encode(html, forKey: .html)
    }
}

/// A table on a staff page: a caption, column headings and rows of cells. Cells may link or
/// carry a tag; a tag always says its meaning in words.
struct Table: HTMLFragment, Sendable {
    struct Cell: Sendable {
        var text: String
        var href: String? = nil
        var tag: String? = nil
        /// A one-button form in the cell (deactivate, delete), posted with the page's CSRF token.
        var button: Button? = nil
    }

    struct Button: Sendable {
        var action: String
        var label: String
        /// Read by screen readers after the label, to say which row it acts on.
        var context: String
        /// The page's CSRF token (`CSRF.token(for:)`), posted with the button.
        var csrf: String
    }

    var caption: String
    var headers: [String]
    var rows: [[Cell]]
    /// For screen readers only, when a heading just above already says it.
    var captionHidden = false

    /// The table as HTML, written in Swift (see `HTML.swift`): a case page's timeline and
    /// contact log run to hundreds of cells, and Leaf resolving each cell's four keys was the
    /// largest part of rendering the page.
    var html: String {
        var w = HTMLWriter()
        Self.writeStart(caption: caption, hidden: captionHidden, headers: headers, into: &w)
        for row in rows {
            w.raw("    <tr>")
            for cell in row {
                w.raw("<td>")
                if let button = cell.button {
                    w.raw("<form method=\"post\"")
                    w.attribute("action", button.action)
                    w.raw(" class=\"inline-form\"><input type=\"hidden\" name=\"_csrf\"")
                    w.attribute("value", button.csrf)
                    w.raw("><button type=\"submit\" class=\"button button-secondary button-small\">")
                    w.text(button.label)
                    w.raw("<span class=\"visually-hidden\"> ")
                    w.text(button.context)
                    w.raw("</span></button></form>")
                } else if let href = cell.href {
                    w.raw("<a")
                    w.attribute("href", href)
                    w.raw(">")
                    w.text(cell.text)
                    w.raw("</a>")
                } else if let tag = cell.tag {
                    w.tag(cell.text, class: tag)
                } else {
                    w.text(cell.text)
                }
                w.raw("</td>")
            }
            w.raw("</tr>\n")
        }
        Self.writeEnd(into: &w)
        return w.html
    }

    /// A table's wrapper, caption and column headings, up to its first row (`CaseTable` too).
    static func writeStart(caption: String, hidden: Bool, headers: [String], into w: inout HTMLWriter) {
        w.raw(hidden ? "<div class=\"table-wrapper\">\n<table class=\"table\">\n  <caption class=\"table-caption visually-hidden\">"
                     : "<div class=\"table-wrapper\">\n<table class=\"table\">\n  <caption class=\"table-caption\">")
        w.text(caption)
        w.raw("</caption>\n  <thead><tr>")
        for header in headers {
            w.raw("<th scope=\"col\">")
            w.text(header)
            w.raw("</th>")
        }
        w.raw("</tr></thead>\n  <tbody>\n")
    }

    /// What closes a table `writeStart` began.
    static func writeEnd(into w: inout HTMLWriter) {
        w.raw("  </tbody>\n</table>\n</div>\n")
    }
}

/// One key and value of a summary list.
struct SummaryItem: Encodable, Sendable {
    var key: String
    var value: String
    var tag: String? = nil
    var hint: String? = nil

    /// A summary list of these items: each key beside its value, the value in a tag if it has one.
    static func writeList(_ items: [SummaryItem], into w: inout HTMLWriter) {
        w.raw("<dl class=\"summary-list\">\n")
        for item in items {
            w.raw("  <div class=\"summary-row\"><dt class=\"summary-key\">")
            w.text(item.key)
            w.raw("</dt><dd class=\"summary-value\">")
            if let tag = item.tag {
                w.tag(item.value, class: tag)
            } else {
                w.text(item.value)
            }
            w.raw("</dd></div>\n")
        }
        w.raw("</dl>\n")
    }
}

/// A summary list in a page's model: templates show it with `#unsafeHTML(list.html)`, written
/// by `SummaryItem.writeList` as the case page's summary is.
struct SummaryList: HTMLFragment, Sendable {
    var items: [SummaryItem]

    init(_ items: [SummaryItem]) { self.items = items }

    var html: String {
        var w = HTMLWriter()
        SummaryItem.writeList(items, into: &w)
        return w.html
    }
}

/// A section of the case page: what is recorded, then the forms that change it.
struct PageSection: Sendable {
    var id: String
    var title: String
    var items: [SummaryItem]? = nil
    var tables: [Table]? = nil
    /// Said when there is nothing recorded yet.
    var empty: String? = nil
    /// Each shown folded in a `<details>`, open when it has errors or is the next step.
    var forms: [FormModel]? = nil

    /// The section as HTML, its forms posted with the page's CSRF token: a case page has a
    /// dozen sections and as many forms, and Leaf laying them out was a third of its rendering.
    func write(csrf: String, into w: inout HTMLWriter) {
        w.raw("<section class=\"case-section\"")
        w.attribute("aria-labelledby", id)
        w.raw(">\n  <h2 class=\"heading-m\"")
        w.attribute("id", id)
        w.raw(">")
        w.text(title)
        w.raw("</h2>\n")
        if let items { SummaryItem.writeList(items, into: &w) }
        for table in tables ?? [] { w.raw(table.html) }
        if let empty {
            w.raw("<p class=\"body\">")
            w.text(empty)
            w.raw("</p>\n")
        }
        for form in forms ?? [] {
            w.raw("<details class=\"details\"")
            w.attribute("id", form.id + "-details")
            w.raw(form.open ? " open>\n" : ">\n")
            w.raw("<summary class=\"details-summary\"><span class=\"details-summary-text\">")
            w.text(form.title)
            w.raw("</span></summary>\n<div class=\"details-text\">\n")
            form.write(csrf: csrf, into: &w)
            w.raw("</div>\n</details>\n")
        }
        w.raw("</section>\n")
    }
}
