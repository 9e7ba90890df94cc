/// One problem with one field of something a person submitted, said so they can fix it.
public struct FieldError: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A JSON-pointer-like path to the field, e.g. `reporter.email`.
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Thrown when a submission has field errors; carries every one of them, not only the first.
public struct ValidationFailure: Error, Sendable, Equatable {
    public let errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}

extension Array where Element: Hashable {
    /// The elements in their first order, each once.
    public func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
