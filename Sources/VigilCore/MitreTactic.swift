import Foundation
/// MITRE ATT&CK enterprise tactics as Sentinel names them, in kill-chain order.
public enum MitreTactic: String, Sendable, Codable, CaseIterable, Comparable {
    case reconnaissance = "Reconnaissance"
    case resourceDevelopment = "ResourceDevelopment"
    case initialAccess = "InitialAccess"
    case execution = "Execution"
    case persistence = "Persistence"
    case privilegeEscalation = "PrivilegeEscalation"
    case defenseEvasion = "DefenseEvasion"
    case credentialAccess = "CredentialAccess"
    case discovery = "Discovery"
    case lateralMovement = "LateralMovement"
    case collection = "Collection"
    case commandAndControl = "CommandAndControl"
    case exfiltration = "Exfiltration"
    case impact = "Impact"
    case impairProcessControl = "ImpairProcessControl"
    case inhibitResponseFunction = "InhibitResponseFunction"
    case preAttack = "PreAttack"

    /// The tactic a rule file means, whatever its spelling: `Initial Access`, `initial-access`,
    /// `InitialAcess`, `Command and Control`, `TA0001`.
    public init?(loose text: String) {
        let key = text.lowercased().filter { $0.isLetter || $0.isNumber }
        if let t = MitreTactic.allCases.first(where: { $0.rawValue.lowercased() == key }) { self = t; return }
        if let t = MitreTactic.aliases[key] { self = t; return }
        // One letter dropped, doubled or swapped (hand-written rules): the unique nearest name.
        let near = MitreTactic.allCases.filter { MitreTactic.editDistance($0.rawValue.lowercased(), key) <= 2 }
        guard near.count == 1 else { return nil }
        self = near[0]
    }

    static let aliases: [String: MitreTactic] = [
        "ta0043": .reconnaissance, "ta0042": .resourceDevelopment, "ta0001": .initialAccess, "ta0002": .execution,
        "ta0003": .persistence, "ta0004": .privilegeEscalation, "ta0005": .defenseEvasion, "ta0006": .credentialAccess,
        "ta0007": .discovery, "ta0008": .lateralMovement, "ta0009": .collection, "ta0011": .commandAndControl,
        "ta0010": .exfiltration, "ta0040": .impact, "commandcontrol": .commandAndControl, "c2": .commandAndControl,
    ]

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if abs(x.count - y.count) > 2 { return 3 }
        var prev = Array(0...y.count)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            var cur = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(y.count, 1) where !y.isEmpty {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[y.count]
    }

    public var killChainIndex: Int { MitreTactic.allCases.firstIndex(of: self)! }
    public static func < (a: MitreTactic, b: MitreTactic) -> Bool { a.killChainIndex < b.killChainIndex }

    /// "Initial Access", for titles.
    public var displayName: String {
        var out = ""
        for c in rawValue {
            if c.isUppercase && !out.isEmpty { out += " " }
            out.append(c)
        }
        return out.replacingOccurrences(of: "And ", with: "and ")
    }
}
