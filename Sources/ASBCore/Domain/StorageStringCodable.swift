/// A value stored and sent as one short string (`"workingDays:5"`, `"weekly"`,
/// `"partner:Police"`): conforming types write `storageValue` and its parser, and get
/// `Codable` that rejects anything else with a message naming the expected format.
public protocol StorageStringCodable: Codable {
    /// The stored form of the value.
    var storageValue: String { get }
    /// Reads `storageValue`; `nil` for anything else.
    init?(storageValue: String)
    /// The accepted forms, in words, for decoding errors.
    static var storageFormat: String { get }
}

extension StorageStringCodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(storageValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Expected \(Self.storageFormat), found \"\(text)\"")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(storageValue)
    }
}
