/// A form's fields as HTML, written in Swift rather than by a Leaf partial.
///
/// The markup is what a Leaf partial (`field.leaf`) produced before, attribute for attribute. A staff case
/// page carries 17 forms and over a hundred options: Leaf resolved every variable of every field
/// by its key path and escaped it a scalar at a time, and encoding the fields into Leaf's context
/// was another tenth of the page (together about 40% of a case page's CPU). Templates put the
/// result in with `#unsafeHTML(form.fieldsHTML)`.
extension FormField {
    /// The field with its label, hint and error tied to the input (WCAG 2.2: 1.3.1, 3.3.1,
    /// 3.3.2); radios and checkboxes in a fieldset whose legend is the label.
    var html: String {
        var w = HTMLWriter()
        write(into: &w)
        return w.html
    }

    fileprivate func write(into w: inout HTMLWriter) {
        // The ids once per field, not once per use (every option's id starts with the field's).
        let id = self.id
        let hintID = hint == nil ? nil : id + "-hint", errorID = error == nil ? nil : id + "-error"
        let describedBy = Self.describedBy(hintID: hintID, errorID: errorID)
        switch layout {
        case .hidden:
            w.raw("<input type=\"hidden\"")
            w.attribute("name", name)
            w.attribute("value", value)
            w.raw(">\n")
        case .choices:
            writeGroupStart(into: &w)
            w.raw("<fieldset class=\"fieldset\"")
            w.attribute("aria-describedby", describedBy)
            w.raw(">\n  <legend class=\"fieldset-legend")
            if isPageHeading {
                w.raw(" fieldset-legend-l\"><h1 class=\"fieldset-heading\">")
                w.text(label)
                w.raw("</h1>")
            } else {
                w.raw("\">")
                w.text(label)
            }
            w.raw("</legend>\n")
            writeHintAndError(hintID: hintID, errorID: errorID, into: &w)
            w.raw("  <div class=\"\(kind.rawValue)\">\n")
            let type = kind == .radios ? "radio" : "checkbox"
            for (position, option) in options.enumerated() {
                let optionID = "\(id)-\(position + 1)"
                w.raw("    <div class=\"choice\">\n      <input class=\"choice-input\"")
                w.attribute("id", optionID)
                w.attribute("name", name)
                w.raw(" type=\"\(type)\"")
                w.attribute("value", option.value)
                if option.selected { w.raw(" checked") }
                if option.hint != nil { w.attribute("aria-describedby", optionID + "-hint") }
                w.raw(">\n      <label class=\"choice-label\"")
                w.attribute("for", optionID)
                w.raw(">")
                w.text(option.label)
                w.raw("</label>\n")
                if let hint = option.hint {
                    w.raw("      <div")
                    w.attribute("id", optionID + "-hint")
                    w.raw(" class=\"hint choice-hint\">")
                    w.text(hint)
                    w.raw("</div>\n")
                }
                w.raw("    </div>\n")
            }
            w.raw("  </div>\n</fieldset>\n</div>\n")
        case .textarea, .select, .input:
            writeGroupStart(into: &w)
            if isPageHeading {
                w.raw("  <h1 class=\"label-wrapper\"><label class=\"label label-l\"")
                w.attribute("for", id)
                w.raw(">")
                w.text(label)
                w.raw("</label></h1>\n")
            } else {
                w.raw("  <label class=\"label\"")
                w.attribute("for", id)
                w.raw(">")
                w.text(label)
                w.raw("</label>\n")
            }
            writeHintAndError(hintID: hintID, errorID: errorID, into: &w)
            let errorClass = error == nil ? "" : " input-error"
            switch layout {
            case .textarea:
                w.raw("  <textarea class=\"textarea\(errorClass)\"")
                w.attribute("id", id)
                w.attribute("name", name)
                w.raw(" rows=\"5\"")
                w.attribute("aria-describedby", describedBy)
                w.attribute("autocomplete", autocomplete)
                w.raw(">")
                w.text(value)
                w.raw("</textarea>\n")
            case .select:
                w.raw("  <select class=\"select\(errorClass)\"")
                w.attribute("id", id)
                w.attribute("name", name)
                w.attribute("aria-describedby", describedBy)
                w.raw(">\n")
                for option in options {
                    w.raw("    <option")
                    w.attribute("value", option.value)
                    if option.selected { w.raw(" selected") }
                    w.raw(">")
                    w.text(option.label)
                    w.raw("</option>\n")
                }
                w.raw("  </select>\n")
            default:
                w.raw("  <input class=\"input")
                if let width { w.raw(" input-"); w.text(width) }
                w.raw("\(errorClass)\"")
                w.attribute("id", id)
                w.attribute("name", name)
                w.raw(" type=\"\(kind == .datetime ? "datetime-local" : kind.rawValue)\"")
                if kind != .password && kind != .file { w.attribute("value", value) }
                w.attribute("aria-describedby", describedBy)
                w.attribute("autocomplete", autocomplete)
                w.attribute("inputmode", inputmode)
                if kind == .file { w.raw(" accept=\"image/*,application/pdf,audio/*,video/*\"") }
                w.raw(">\n")
            }
            w.raw("</div>\n")
        }
    }

    private func writeGroupStart(into w: inout HTMLWriter) {
        w.raw(error == nil ? "<div class=\"form-group\">\n" : "<div class=\"form-group form-group-error\">\n")
    }

    private func writeHintAndError(hintID: String?, errorID: String?, into w: inout HTMLWriter) {
        if let hint {
            w.raw("  <div")
            w.attribute("id", hintID)
            w.raw(" class=\"hint\">")
            w.text(hint)
            w.raw("</div>\n")
        }
        if let error {
            w.raw("  <p")
            w.attribute("id", errorID)
            w.raw(" class=\"error-message\"><span class=\"visually-hidden\">Error:</span> ")
            w.text(error)
            w.raw("</p>\n")
        }
    }
}

extension FormModel {
    /// Every field, in order.
    var fieldsHTML: String {
        var w = HTMLWriter()
        for field in fields { field.write(into: &w) }
        return w.html
    }

    /// The whole form, posted with the page's CSRF token: hidden values, the intro, the fields
    /// and the button.
    func html(csrf: String) -> String {
        var w = HTMLWriter()
        write(csrf: csrf, into: &w)
        return w.html
    }

    func write(csrf: String, into w: inout HTMLWriter) {
        w.raw("<form method=\"post\"")
        w.attribute("action", action)
        w.attribute("id", id)
        w.raw(multipart ? " novalidate enctype=\"multipart/form-data\">\n" : " novalidate>\n")
        w.raw("  <input type=\"hidden\" name=\"_csrf\"")
        w.attribute("value", csrf)
        w.raw(">\n")
        for h in hidden {
            w.raw("<input type=\"hidden\"")
            w.attribute("name", h.name)
            w.attribute("value", h.value)
            w.raw(">")
        }
        if let intro {
            w.raw("<p class=\"body\">")
            w.text(intro)
            w.raw("</p>\n")
        }
        for field in fields { field.write(into: &w) }
        w.raw(isWarning ? "<button type=\"submit\" class=\"button button-warning\">" : "<button type=\"submit\" class=\"button\">")
        w.text(submitLabel)
        w.raw("</button>\n</form>\n")
    }
}
