import ASBCore
import Foundation

/// An Open311 GeoReport v2 response body, written once and rendered as the client asked: JSON
/// or XML with the specification's element names (XML is required by the specification and is
/// what FixMyStreet reads).
indirect enum Open311Document: Sendable, Equatable {
    case text(String?)
    case number(Int)
    case bool(Bool)
    /// A list: JSON array; XML elements each named `item` inside the parent element.
    case list(item: String, [Open311Document])
    /// Fields in the specification's order.
    case object([(String, Open311Document)])

    static func == (lhs: Open311Document, rhs: Open311Document) -> Bool {
        switch (lhs, rhs) {
        case (.text(let a), .text(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.list(let i, let a), .list(let j, let b)): i == j && a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    enum Format: String, Sendable {
        case json, xml

        var contentType: String {
            switch self {
            case .json: "application/json; charset=utf-8"
            case .xml: "text/xml; charset=utf-8"
            }
        }
    }

    /// The whole body: for XML, `root` names the outer element (`services`, `service_requests`, …).
    func render(_ format: Format, root: String) -> String {
        switch format {
        case .json: json()
        case .xml: "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + xml(named: root)
        }
    }

    func json() -> String {
        switch self {
        case .text(let value): value.map(Self.jsonString) ?? "null"
        case .number(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .list(_, let items): "[" + items.map { $0.json() }.joined(separator: ",") + "]"
        case .object(let fields): "{" + fields.map { Self.jsonString($0.0) + ":" + $0.1.json() }.joined(separator: ",") + "}"
        }
    }

    func xml(named name: String) -> String {
        switch self {
        case .text(let value): "<\(name)>\(Self.xmlEscape(value ?? ""))</\(name)>"
        case .number(let value): "<\(name)>\(value)</\(name)>"
        case .bool(let value): "<\(name)>\(value ? "true" : "false")</\(name)>"
        case .list(let item, let items): "<\(name)>" + items.map { $0.xml(named: item) }.joined() + "</\(name)>"
        case .object(let fields): "<\(name)>" + fields.map { $0.1.xml(named: $0.0) }.joined() + "</\(name)>"
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"   // safe to embed anywhere
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// Markup-escaped, without the control characters XML 1.0 cannot carry at all.
    static func xmlEscape(_ text: String) -> String {
        var allowed = String.UnicodeScalarView()
        allowed.append(contentsOf: text.unicodeScalars.filter { $0.value >= 0x20 || [0x09, 0x0A, 0x0D].contains($0.value) })
        return Markup.escape(String(allowed))
    }
}
