import Foundation
import KQL
import Reports
import VigilCore

/// A multi-stage incident like the mission's sample reports: a password spray, a successful
/// sign-in, then a burst of processes on the user's workstation, triaged, reviewed and partly
/// remediated by a playbook, with one playbook waiting for approval.
enum ReportFixtures {
    static let t0 = DateTimeParser.parse("2024-06-21T02:00:00Z")!
    static let minute: Int64 = 600_000_000

    static let bob = Entity(type: .account, properties: ["FullName": "bob@contoso.com", "Name": "bob", "UPNSuffix": "contoso.com"])
    static let ws = Entity(type: .host, properties: ["HostName": "WS-042", "FullName": "WS-042.corp.contoso.com"])
    static let ip = Entity(type: .ip, properties: ["Address": "185.220.101.45"])

    static func incident() -> Incident {
        var inc = Incident(id: "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5", number: 42,
                           title: "Multi-stage incident involving Initial access & Credential access & Execution involving one user", severity: .high, createdTime: t0 + 95 * minute)
        inc.firstActivityTime = t0
        inc.lastActivityTime = t0 + 90 * minute
        inc.lastModifiedTime = t0 + 120 * minute
        inc.status = .active
        inc.owner = .init(assignedTo: "Tier 2")
        inc.alerts = [
            .init(systemAlertID: "a-spray", ruleID: "r-spray", name: "Password spray against Entra ID", severity: .medium, tactics: [.credentialAccess],
                  startTime: t0, endTime: t0 + 30 * minute, isAnomaly: false),
            .init(systemAlertID: "a-success", ruleID: "r-success", name: "Successful sign-in after a password spray", severity: .high, tactics: [.initialAccess, .credentialAccess],
                  startTime: t0 + 40 * minute, endTime: t0 + 40 * minute, isAnomaly: false),
            .init(systemAlertID: "a-burst", ruleID: "r-burst", name: "Unusual process burst", severity: .medium, tactics: [.execution],
                  startTime: t0 + 80 * minute, endTime: t0 + 90 * minute, isAnomaly: false),
            .init(systemAlertID: "an-1", ruleID: "r-anomaly", name: "Sign-in failures per user anomaly", severity: .low, tactics: [.credentialAccess],
                  startTime: t0, endTime: t0 + 60 * minute, isAnomaly: true),
        ]
        inc.entities = [bob, ws, ip]
        inc.tactics = [.initialAccess, .credentialAccess, .execution]
        inc.techniques = ["T1110", "T1078", "T1059"]
        inc.confidence = 0.86
        inc.confidenceFactors = [.init(name: "rule severity", points: 0.4, reason: "a High alert"), .init(name: "tactic spread", points: 0.2, reason: "3 tactics")]
        inc.labels = [.init("Risk Score - 131", .autoAssigned), .init("Review: needs manual review", .autoAssigned), .init("Playbook pending approval: disable-account", .autoAssigned)]
        var score = Incident.RiskScore(total: 131, contributions: [
            .init(source: "Related alerts", points: 60, reason: "4 related alerts across 3 tactics"),
            .init(source: "Watchlists", points: 10, reason: "bob@contoso.com is on watchlist VIPUsers"),
            .init(source: "Threat intelligence", points: 10, reason: "185.220.101.45 is a known Botnet indicator"),
            .init(source: "User and sign-in risk", points: 51, reason: "failed sign-ins from 2 countries"),
        ], time: t0 + 100 * minute)
        score.watchlists = ["VIPUsers"]
        score.threatIntelMatches = 1
        inc.riskScore = score
        inc.review = .init(outcome: .flag, policyVersion: "v3", matchedRules: ["high-risk"], reasons: ["hard gate: High severity", "queue: Tier 2"],
                           gates: ["High severity"], time: t0 + 101 * minute, shadow: false)
        inc.comments = [
            .init(id: "c1", message: """
                <!-- triage: Threat intelligence -->
                **Threat intelligence**: 1 finding

                | Finding | Level |
                |---|---|
                | 185.220.101.45 is a known Botnet indicator (confidence 80) |  |
                """, author: "triage: Threat intelligence", createdTime: t0 + 100 * minute),
            .init(id: "c2", message: "<!-- triage: Watchlists -->\n**Watchlists**: nothing found.", author: "triage: Watchlists", createdTime: t0 + 100 * minute),
            .init(id: "c3", message: "Reviewer agent: flag under policy v3.\n- hard gate: High severity", author: "reviewer-agent", createdTime: t0 + 101 * minute),
            .init(id: "c4", message: "Playbook block-ip (automation rule 'Block TI addresses'): succeeded, HTTP 200", author: "automation", createdTime: t0 + 102 * minute),
            .init(id: "c5", message: "Called bob: he did not sign in at 02:40.", author: "alice@contoso.com", createdTime: t0 + 110 * minute),
        ]
        return inc
    }

    static func audit() -> [AuditEntry] {
        let id = incident().id
        return [
            .init(time: t0 + 95 * minute, actor: "producer-agent", incidentID: id, action: "created",
                  detail: "alert a-spray started the incident; a-success shares account bob@contoso.com within 24 h"),
            .init(time: t0 + 100 * minute, actor: "triage", incidentID: id, action: "triage", detail: "Risk Score - 131: Related alerts 60, Watchlists 10, Threat intelligence 10, User and sign-in risk 51"),
            .init(time: t0 + 101 * minute, actor: "reviewer-agent", incidentID: id, action: "flag", detail: "policy v3: hard gate: High severity; queue: Tier 2"),
            .init(time: t0 + 102 * minute, actor: "automation", incidentID: id, action: "automation", detail: "Block TI addresses: playbook block-ip"),
        ]
    }

    static func input() -> ReportBuilder.Input {
        ReportBuilder.Input(incident: incident(), audit: audit(), alertEntities: [
            "a-spray": [bob, ip], "a-success": [bob, ip], "a-burst": [bob, ws, Entity(type: .process, properties: ["CommandLine": "powershell -enc AAAA"])],
        ])
    }
}
