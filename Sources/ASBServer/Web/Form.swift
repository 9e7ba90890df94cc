import ASBCore
import Foundation
import Vapor

/// A submitted HTML form (`application/x-www-form-urlencoded`): every value of every name, in
/// order, so repeated names (checkboxes) keep all their values.
struct FormData: Sendable {
    private(set) var values: [String: [String]] = [:]

    init(_ values: [String: [String]] = [:]) { self.values = values }

    /// Parses a urlencoded body: `+` is a space, `%XX` are UTF-8 bytes. Malformed escapes keep
    /// their raw text rather than failing the whole form.
    init(urlencoded body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value, trimmed; nil when missing or blank.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.first?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// Every non-blank value of a repeated name (checkboxes).
    func all(_ name: String) -> [String] {
        (values[name] ?? []).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// The first value as typed, untrimmed (passwords).
    func raw(_ name: String) -> String { values[name]?.first ?? "" }

    func bool(_ name: String) -> Bool { ["yes", "true", "on", "1"].contains(self[name]?.lowercased() ?? "") }

    mutating func set(_ name: String, _ value: String?) { values[name] = value.map { [$0] } ?? [] }
    mutating func set(_ name: String, all: [String]) { values[name] = all }
}

extension Request {
    /// The submitted form. Anything but a urlencoded body is a 415, like the API's JSON rule.
    func formData() throws -> FormData {
        guard headers.contentType == .urlEncodedForm else {
            throw Abort(.unsupportedMediaType, reason: "Submit the form from the page.")
        }
        guard let buffer = body.data else { return FormData() }
        return FormData(urlencoded: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }
}

/// One question on a page, rendered by `FormHTML.swift` with its label, hint and error tied
/// to the input (WCAG 2.2: 1.3.1, 3.3.1, 3.3.2). Radios and checkboxes come in a
/// fieldset whose legend is the label.
struct FormField: Sendable {
    enum Kind: String, Sendable {
        case text, email, tel, password, textarea, date, time, number, datetime, radios, checkboxes, select, hidden, file
    }

    struct Option: Sendable {
        var value: String
        var label: String
        var hint: String? = nil
        var selected: Bool = false
    }

    var kind: Kind
    /// The form name, which is also the field path in the service's `FieldError`s.
    var name: String
    var label: String
    var hint: String? = nil
    var value: String = ""
    var error: String? = nil
    var options: [Option] = []
    var autocomplete: String? = nil
    var required: Bool = false
    /// Bigger label for a page with one question (the label is the page heading).
    var isPageHeading: Bool = false
    /// A CSS width class: `narrow`, `medium` or nil for full width.
    var width: String? = nil
    var inputmode: String? = nil
    /// Set when several forms share a page, so no two elements share an id (`contact-partyId`).
    var idPrefix: String = ""

    /// The element id: the prefix, then the name with anything but letters and digits turned into `-`.
    var id: String { idPrefix + Self.id(for: name) }
    var hintID: String? { hint == nil ? nil : id + "-hint" }
    var errorID: String? { error == nil ? nil : id + "-error" }
    /// `aria-describedby`: the hint then the error.
    var describedBy: String? { Self.describedBy(hintID: hintID, errorID: errorID) }

    static func describedBy(hintID: String?, errorID: String?) -> String? {
        let ids = [hintID, errorID].compactMap { $0 }
        return ids.isEmpty ? nil : ids.joined(separator: " ")
    }

    static func id(for name: String) -> String {
        // Names are ASCII in practice (`actions.0.what`): bytes, not Characters, for those.
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: name.utf8.map { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): byte
                default: UInt8(ascii: "-")
                }
            }, as: UTF8.self)
        }
        return String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    /// How the field is laid out (`FormHTML.swift`).
    enum Layout: Sendable {
        case hidden, choices, textarea, select, input
    }

    var layout: Layout {
        switch kind {
        case .hidden: .hidden
        case .radios, .checkboxes: .choices
        case .textarea: .textarea
        case .select: .select
        case .text, .email, .tel, .password, .date, .time, .number, .datetime, .file: .input
        }
    }
}

extension FormField {
    /// Radios or checkboxes from an enum, with the submitted choices selected.
    static func choices<T: RawRepresentable & CaseIterable>(
        _ kind: Kind, name: String, label: String, hint: String? = nil, of type: T.Type, selected: [String],
        label optionLabel: (T) -> String, hint optionHint: (T) -> String? = { _ in nil }
    ) -> FormField where T.RawValue == String {
        FormField(kind: kind, name: name, label: label, hint: hint,
              options: T.allCases.map { Option(value: $0.rawValue, label: optionLabel($0), hint: optionHint($0),
                                               selected: selected.contains($0.rawValue)) })
    }
}

/// One entry of the error summary at the top of a page, linking to its field.
struct ErrorLink: Encodable, Sendable {
    var href: String
    var message: String
}

/// A form on a page: where it posts, its fields and the button. Hidden fields (the CSRF token,
/// the record version) go in `hidden`.
struct FormModel: Encodable, Sendable {
    struct Hidden: Encodable, Sendable {
        var name: String
        var value: String
    }

    var id: String
    var title: String
    var action: String
    var submitLabel: String
    var fields: [FormField]
    var hidden: [Hidden] = []
    /// A short explanation shown above the fields.
    var intro: String? = nil
    /// A danger-styled button for irreversible steps.
    var isWarning: Bool = false
    var multipart: Bool = false
    /// Shown expanded (its `<details>` open): it has errors, or it is the next step.
    var open: Bool = false

    enum CodingKeys: String, CodingKey {
        case id, title, submitLabel, html, fieldsHTML
    }

    /// What the templates show, put in with `#unsafeHTML` (every value in it is escaped): the
    /// whole form as `html` (`partials/form.leaf`), posting the CSRF token of the page
    /// `Request.page` is rendering, or only its fields as `fieldsHTML`, for a template that
    /// writes its own `<form>` (a search) with `submitLabel` on its button. `title` heads it.
    func encode(to encoder: any Encoder) throws {
        guard let csrf = PageRendering.csrf else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath,
                                                         debugDescription: "A form is shown only on a page rendered by Request.page"))
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(submitLabel, forKey: .submitLabel)
        try c.encode(html(csrf: csrf), forKey: .html)
        try c.encode(fieldsHTML, forKey: .fieldsHTML)
    }

    /// Prefixes every field's id, for a page with several forms.
    func prefixingIDs(_ prefix: String) -> FormModel {
        var copy = self
        for index in copy.fields.indices { copy.fields[index].idPrefix = prefix }
        return copy
    }

    /// Applies field errors from a service, putting each beside its field; returns the summary
    /// links. Errors whose field is not on the form are still listed, linked to the form itself.
    mutating func apply(_ errors: [FieldError]) -> [ErrorLink] {
        if !errors.isEmpty { open = true }
        var links: [ErrorLink] = []
        for error in errors {
            if let index = fields.firstIndex(where: { $0.name == error.field || error.field.hasPrefix($0.name + ".") }) {
                if fields[index].error == nil { fields[index].error = error.message }
                links.append(ErrorLink(href: "#" + Self.targetID(of: fields[index]), message: error.message))
            } else {
                links.append(ErrorLink(href: "#" + id, message: error.message))
            }
        }
        return links
    }

    /// Radios and checkboxes link to their first input, others to the input itself.
    static func targetID(of field: FormField) -> String {
        switch field.kind {
        case .radios, .checkboxes: field.options.isEmpty ? field.id : field.id + "-1"
        default: field.id
        }
    }

    /// Fills every field's value from a submitted form, so a re-shown page keeps the answers.
    mutating func fill(from form: FormData) {
        for index in fields.indices where fields[index].kind != .password && fields[index].kind != .file {
            let name = fields[index].name
            switch fields[index].kind {
            case .radios, .select:
                let chosen = form[name]
                for o in fields[index].options.indices { fields[index].options[o].selected = fields[index].options[o].value == chosen }
                fields[index].value = chosen ?? ""
            case .checkboxes:
                let chosen = Set(form.all(name))
                for o in fields[index].options.indices { fields[index].options[o].selected = chosen.contains(fields[index].options[o].value) }
            default:
                fields[index].value = form.values[name]?.first ?? ""
            }
        }
    }
}
