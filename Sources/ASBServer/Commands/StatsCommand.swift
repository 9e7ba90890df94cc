import Foundation
import Vapor

/// `asb stats [--year 2026/27] [--breakdown quarters|months] [--format json|csv]`: the same
/// document as `GET /api/v1/statistics/performance`.
struct StatsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "year", help: "A financial year like 2026/27 (default: the last four quarters and the last complete year, as published)") var year: String?
        @Option(name: "breakdown", help: "With --year: quarters (default) or months") var breakdown: String?
        @Option(name: "format", help: "json (default) or csv") var format: String?
        init() {}
    }

    var help: String { "Prints the performance figures as JSON or CSV, as the statistics API returns them." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let format = signature.format ?? "json"
        guard ["json", "csv"].contains(format) else { throw AppError.badRequest("--format must be json or csv") }
        let app = context.application
        try await app.autoMigrate()
        let figures = try await StatisticsService.figures(year: signature.year, breakdown: signature.breakdown, app: app, db: app.db,
                                                          now: app.asb.clock.now())
        let encoder = JSONEncoder.sorted
        encoder.outputFormatting.insert(.prettyPrinted)
        let json = try encoder.encode(figures)
        let text = format == "json" ? String(decoding: json, as: UTF8.self) : try StatisticsCSV.document(json).joined(separator: "\n")
        context.console.output(text.consoleText())
    }
}

/// The statistics document as CSV, one number per line: `period,from,to,measure,value`, where the
/// measure is the number's path in the JSON (`compliance.p1.response.met`,
/// `complianceByOfficer.Jo Bloggs.breached`, `byChannel.website`). Made from the JSON itself, so
/// the two formats hold the same numbers.
enum StatisticsCSV {
    static func document(_ json: Data) throws -> [String] {
        guard let periods = try JSONSerialization.jsonObject(with: json) as? [[String: Any]] else { return [] }
        var lines = ["period,from,to,measure,value"]
        for period in periods {
            let head = [period["period"], period["from"], period["to"]].map { cell("\($0 ?? "")") }.joined(separator: ",")
            var values: [(String, String)] = []
            for (key, value) in period where !["period", "from", "to", "kind"].contains(key) { flatten(value, path: key, into: &values) }
            for (measure, value) in values.sorted(by: { $0.0 < $1.0 }) { lines.append("\(head),\(cell(measure)),\(cell(value))") }
        }
        return lines
    }

    private static func flatten(_ value: Any, path: String, into values: inout [(String, String)]) {
        switch value {
        case let object as [String: Any]:
            for (key, inner) in object { flatten(inner, path: "\(path).\(key)", into: &values) }
        case let array as [[String: Any]]:
            for element in array {
                let name = (element["name"] as? String) ?? "p\(element["priority"] ?? "").\(element["milestone"] ?? "")"
                for (key, inner) in element where !["name", "priority", "milestone", "unit"].contains(key) {
                    let unit = (element["unit"] as? String).map { ".\($0)" } ?? ""
                    flatten(inner, path: "\(path).\(name).\(key)\(["median", "p90"].contains(key) ? unit : "")", into: &values)
                }
            }
        case let number as NSNumber:
            values.append((path, number.stringValue))
        default:
            values.append((path, "\(value)"))
        }
    }

    static func cell(_ s: String) -> String {
        s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
