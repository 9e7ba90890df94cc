// Written by scripts/generate-openapi.sh with the files beside it; do not modify.
// OpenAPIGenerationTests checks the document, the configuration and each file against these.
enum OpenAPIGeneration {
    /// The generator that wrote the code beside this file.
    static let generator = "swift-openapi-generator 1.14.3"
    /// The SHA-256 (hex) of each input and output, by its path from the package's root.
    static let sha256: [String: String] = [
        "Sources/ASBServer/openapi.yaml": "ce9cf3b4ed22118efc2c6b8766350925910efa6ff0fc1958469e1a6c55f6b36e",
        "scripts/openapi-generator/openapi-generator-config.yaml": "351cebca956585ce60d4ffd96ef7afbddabec486bc797234b346157db54e9a5b",
        "Sources/ASBServer/API/Generated/Server.swift": "29a0a3d3d9351e59c88f30ecd967f73b6befcfe27d1a1a19c30da6d4a809800c",
        "Sources/ASBServer/API/Generated/Types+Components+Headers.swift": "00c68207255b7470a2f4a71645b49fabf72ddc887161e083856b2ffa9845078c",
        "Sources/ASBServer/API/Generated/Types+Components+Parameters.swift": "711234375415742d411baa120a9007390f1bfe26327a71f721dea87062d2f5bd",
        "Sources/ASBServer/API/Generated/Types+Components+RequestBodies.swift": "1750485741dee558429a2ce23b7ff749edcc3fe8c4aecb2e1fe322a5d8358591",
        "Sources/ASBServer/API/Generated/Types+Components+Responses.swift": "aa943a1185be1153971c9d6cde02a04e6469b90c97133f3e6faad1a93795b43d",
        "Sources/ASBServer/API/Generated/Types+Components+Schemas.swift": "6c59476f7dccb1973df4646f82cf6b21ea23e31873f04c36d7db15116bf43a3a",
        "Sources/ASBServer/API/Generated/Types+Components.swift": "8f697c55fcac82573f8b22c2a3d6ea327c899f6087d6368aadd3947c21cabd57",
        "Sources/ASBServer/API/Generated/Types+Operations.swift": "1c9dda247b1088cfe154205ae805febae57cc4bd9add4b94213a56d6f8781c39",
        "Sources/ASBServer/API/Generated/Types.swift": "146b4dcf8705d548cbeebedfe61d7e5ba88a79386689a32297e382866920c36c",
    ]
}
