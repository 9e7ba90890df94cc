import ASBCore
import Foundation
import Vapor

/// An RFC 9457 problem document, as every error response carries it.
struct Problem: Content, Equatable {
    var type: String
    var title: String
    var status: Int
    var detail: String?
    var instance: String?
    var code: String?
    var clause: String?
    var errors: [FieldError]?

    static let typeBase = "https://asb-casework.example/problems/"

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(type: typeBase + "validation", title: "Some answers need correcting", status: 422,
                detail: errors.map(\.description).joined(separator: "; "), errors: errors)
    }

    static func rule(_ violation: RuleViolation) -> Problem {
        Problem(type: typeBase + "rule", title: "Refused by a rule of the service standard", status: 409,
                detail: violation.description, code: violation.code, clause: violation.clause)
    }

    static func from(_ error: AppError) -> Problem {
        let (slug, title): (String, String) = switch error {
        case .unauthenticated: ("unauthenticated", "Not signed in")
        case .forbidden: ("forbidden", "Not allowed")
        case .notFound: ("not-found", "Not found")
        case .duplicate: ("duplicate", "Already exists")
        case .staleVersion: ("stale-version", "Changed since you read it")
        case .versionRequired: ("version-required", "Version required")
        case .badRequest: ("bad-request", "Bad request")
        case .tooManyAttempts: ("too-many-attempts", "Too many attempts")
        }
        return Problem(type: typeBase + slug, title: title, status: Int(error.status.code), detail: error.detail)
    }
}
