import Foundation
/// Sentinel's alert and incident severities, in increasing order.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case informational = "Informational"
    case low = "Low"
    case medium = "Medium"
    case high = "High"

    /// Accepts any case (`high`, `HIGH`) as rule files and APIs spell it.
    public init?(loose text: String) {
        guard let s = Severity.allCases.first(where: { $0.rawValue.lowercased() == text.trimmingCharacters(in: .whitespaces).lowercased() }) else { return nil }
        self = s
    }

    public var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
