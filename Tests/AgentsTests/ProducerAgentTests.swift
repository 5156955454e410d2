import Agents
import Testing
import VigilCore

/// Grouping, correlation, merging and idempotence of the producer agent, on crafted alerts.
@Suite struct ProducerAgentTests {
    static let h: Int64 = 36_000_000_000
    static let t0: Int64 = 17_190_000_000_000_000

    static func account(_ n: String) -> Entity { Entity(type: .account, properties: ["FullName": n]) }
    static func ip(_ a: String) -> Entity { Entity(type: .ip, properties: ["Address": a]) }
    static func host(_ n: String) -> Entity { Entity(type: .host, properties: ["FullName": n]) }

    static func alert(_ id: String, rule: String, at hour: Int64, _ entities: [Entity], severity: Severity = .medium,
                      tactics: [MitreTactic] = [.credentialAccess], score: Double? = nil) -> AlertRecord {
        AlertRecord(systemAlertID: id, ruleID: rule, name: "alert of \(rule)", severity: severity, tactics: tactics,
                    startTime: t0 + hour * h, endTime: t0 + hour * h, time: t0 + hour * h, entities: entities, anomalyScore: score)
    }

    static func rule(_ id: String, _ configure: (inout AnalyticsRule.GroupingConfiguration) -> Void = { _ in }) -> AnalyticsRule {
        var r = AnalyticsRule(id: id, name: id, query: "T")
        configure(&r.incidentConfiguration.grouping)
        return r
    }

    let agent = ProducerAgent()

    @Test func aRulesAlertsOnTheSameEntitiesGroupWithinFiveHours() {
        let alerts = [
            Self.alert("a1", rule: "r", at: 0, [Self.account("alice")]),
            Self.alert("a2", rule: "r", at: 4, [Self.account("alice")]),
            Self.alert("a3", rule: "r", at: 10, [Self.account("alice")]),  // 6 h after a2: a new incident
            Self.alert("a4", rule: "r", at: 1, [Self.account("bob")]),
        ]
        let r = agent.produce(alerts, existing: [], rules: ["r": Self.rule("r")], nextNumber: 1, now: Self.t0)
        #expect(r.incidents.count == 3)
        #expect(r.incidents.map { $0.alerts.map(\.systemAlertID) } == [["a1", "a2"], ["a4"], ["a3"]])
        #expect(r.incidents[0].grouping[1].reason == "same rule within 5h and the same entities (grouping: all entities)")
        #expect(r.incidents[0].title == "alert of r")
        // The repeats say how many there were and when the first and the last came.
        #expect(r.incidents[0].description.contains("Repeated: 2 alerts of 'alert of r' from 2024-06-21T20:00:00Z to 2024-06-22T00:00:00Z."), "\(r.incidents[0].description)")
        #expect(!r.incidents[1].description.contains("Repeated"))
    }

    @Test func anyAlertGroupingAndDeclaredNoGrouping() {
        let alerts = [Self.alert("a1", rule: "spray", at: 0, [Self.ip("45.137.22.11")]), Self.alert("a2", rule: "spray", at: 0, [Self.ip("45.137.22.12")])]
        let any = agent.produce(alerts, existing: [], rules: ["spray": Self.rule("spray") { $0.declared = true; $0.enabled = true; $0.matchingMethod = "AnyAlert" }],
                                nextNumber: 1, now: Self.t0)
        #expect(any.incidents.count == 1 && any.incidents[0].alerts.count == 2)
        let none = agent.produce(alerts, existing: [], rules: ["spray": Self.rule("spray") { $0.declared = true; $0.enabled = false }], nextNumber: 1, now: Self.t0)
        #expect(none.incidents.count == 2)
    }

    /// The time frame starts at the incident's first alert (Sentinel's "limit the group to alerts
    /// created within the selected time frame"): a rule that fires every 12 hours on other hosts gets
    /// an incident per day, not one that grows until it holds 150 alerts.
    @Test func theGroupingWindowIsTheIncidentsNotSlidingWithEachAlert() {
        let alerts = (0..<6).map { i in Self.alert("a\(i)", rule: "noisy", at: Int64(12 * i), [Self.ip("10.0.0.\(i)")]) }
        let daily = Self.rule("noisy") { $0.declared = true; $0.enabled = true; $0.matchingMethod = "AnyAlert"; $0.lookbackDuration = 24 * Self.h }
        let r = agent.produce(alerts, existing: [], rules: ["noisy": daily],
                              nextNumber: 1, now: Self.t0 + 80 * Self.h)
        #expect(r.incidents.map { $0.alerts.map(\.systemAlertID) } == [["a0", "a1", "a2"], ["a3", "a4", "a5"]])
    }

    /// `strcat(TargetDomainName, "\\", TargetUserName)` over an empty domain is the bare name: the
    /// same account as another rule's bare name, and it correlates.
    @Test func anEmptyDomainIsNoDomainInAnAccountsKey() {
        #expect(Entity(type: .account, properties: ["FullName": "\\WS-00325$"]).key == "account:ws-00325$")
        #expect(Entity(type: .account, properties: ["FullName": "\\WS-00325$"]).key == Entity(type: .account, properties: ["FullName": "ws-00325$"]).key)
        #expect(Entity(type: .account, properties: ["FullName": "CONTOSO\\eve"]).key == "account:contoso\\eve")
    }

    @Test func alertsOfDifferentRulesSharingAnEntityBecomeAMultiStageIncident() {
        let alerts = [
            Self.alert("spray", rule: "PasswordSpray", at: 0, [Self.ip("45.137.22.11")], tactics: [.credentialAccess]),
            Self.alert("success", rule: "SuccessAfterFailures", at: 1, [Self.account("user01607@contoso.com"), Self.ip("45.137.22.11")],
                       severity: .high, tactics: [.initialAccess, .credentialAccess]),
            Self.alert("country", rule: "RareCountry", at: 1, [Self.account("user01607@contoso.com")], severity: .low, tactics: [.initialAccess], score: 0.67),
            Self.alert("lonely", rule: "RareCountry", at: 3, [Self.account("someone@contoso.com")], severity: .low, score: 0.7),
        ]
        let r = agent.produce(alerts, existing: [], rules: [:], nextNumber: 7, now: Self.t0 + 4 * Self.h)
        #expect(r.incidents.count == 1)
        let inc = r.incidents[0]
        #expect(inc.number == 7)
        #expect(inc.alerts.map(\.systemAlertID) == ["spray", "success", "country"])
        #expect(inc.title == "Multi-stage incident involving Initial access & Credential access involving one user")
        #expect(inc.severity == .high)
        #expect(inc.grouping[1].reason == "shares IP 45.137.22.11 with incident 7 within 24h")
        #expect(inc.grouping[2].reason.hasPrefix("anomaly shares Account user01607@contoso.com"))
        #expect(inc.confidenceFactors.map(\.name) == ["rule severity", "anomaly score", "corroboration", "tactic spread", "entity overlap"])
        #expect(inc.confidence == 0.4 + 0.134 + 0.2 + 0.05 + 0.1)
        // An anomaly alone opens nothing; it is handed back for later.
        #expect(r.unattachedAnomalies.map(\.systemAlertID) == ["lonely"])
    }

    /// A community rule that fires routinely across the estate (one incident a day of two dozen hosts)
    /// made "multi-stage" incidents of whatever else happened to one of its hosts or users: its alerts
    /// now group within their rule only. Without the background set the same alerts correlate.
    @Test func aRoutineRulesAlertsDoNotCorrelateWithOtherRules() {
        let daily = Self.rule("noisy") { $0.declared = true; $0.enabled = true; $0.matchingMethod = "AnyAlert"; $0.lookbackDuration = 24 * Self.h }
        let alerts = [
            Self.alert("n1", rule: "noisy", at: 0, [Self.account("CONTOSO\\alice"), Self.host("WS-1")]),
            Self.alert("n2", rule: "noisy", at: 1, [Self.account("CONTOSO\\bob"), Self.host("WS-2")]),
            Self.alert("travel", rule: "travel", at: 2, [Self.account("CONTOSO\\alice")]),
            Self.alert("ips", rule: "ipcount", at: 2, [Self.account("CONTOSO\\bob")], score: 0.8),
        ]
        let rules = ["noisy": daily]
        let mixed = agent.produce(alerts, existing: [], rules: rules, nextNumber: 1, now: Self.t0 + 3 * Self.h)
        #expect(mixed.incidents.map { $0.alerts.map(\.systemAlertID) } == [["n1", "n2", "ips", "travel"]])
        let r = agent.produce(alerts, existing: [], rules: rules, nextNumber: 1, now: Self.t0 + 3 * Self.h, backgroundRules: ["noisy"])
        #expect(r.incidents.map { $0.alerts.map(\.systemAlertID) } == [["n1", "n2"], ["travel"]])
        #expect(r.incidents[0].grouping[0].reason.contains("the rule fires routinely across the estate, so its alerts do not correlate with other rules'"))
        #expect(r.unattachedAnomalies.map(\.systemAlertID) == ["ips"])
        // A noisy alert after its rule's day, near the travel incident of the same user, does not join it.
        let later = agent.produce([Self.alert("n3", rule: "noisy", at: 25, [Self.account("CONTOSO\\alice")])], existing: r.incidents, rules: rules,
                                  nextNumber: 3, now: Self.t0 + 26 * Self.h, backgroundRules: ["noisy"])
        #expect(later.incidents.map { $0.alerts.map(\.systemAlertID) } == [["n3"]])
        let joined = agent.produce([Self.alert("n3", rule: "noisy", at: 25, [Self.account("CONTOSO\\alice")])], existing: r.incidents, rules: rules,
                                   nextNumber: 3, now: Self.t0 + 26 * Self.h)
        #expect(joined.incidents.map { $0.alerts.map(\.systemAlertID) } == [["travel", "n3"]])
    }

    /// A recorded intrusion: a spray over Windows logons from one box, Kerberoasting from the same box
    /// by the account it broke (named by Kerberos as a UPN), then WinRM onto a server as that account
    /// (named by Windows as DOMAIN\\name). One multi-stage incident, naming the accounts and hosts.
    @Test func aSprayKerberoastWinRMCampaignIsOneIncident() {
        let alerts = [
            Self.alert("spray", rule: "WindowsPasswordSpray", at: 0, [Self.ip("10.0.5.20"), Self.host("DC-01.contoso.local")]),
            Self.alert("roast", rule: "Kerberoasting", at: 1, [Self.account("eve@CONTOSO.LOCAL"), Self.ip("10.0.5.20"), Self.host("DC-01.contoso.local")]),
            Self.alert("winrm", rule: "WinRMRemoteExecution", at: 2, [Self.host("SRV-09"), Self.account("CONTOSO\\eve")], tactics: [.lateralMovement, .execution]),
            Self.alert("other", rule: "WinRMRemoteExecution", at: 2, [Self.host("SRV-10"), Self.account("CONTOSO\\bob")], tactics: [.lateralMovement]),
        ]
        let r = agent.produce(alerts, existing: [], rules: [:], nextNumber: 1, now: Self.t0 + 3 * Self.h)
        #expect(r.incidents.count == 2)
        let campaign = r.incidents.first { $0.alerts.count == 3 }
        #expect(campaign?.alerts.map(\.systemAlertID) == ["spray", "roast", "winrm"])
        #expect(campaign?.title.hasPrefix("Multi-stage incident") == true)
        let names = Set(campaign?.entities.map(\.key) ?? [])
        #expect(names.isSuperset(of: ["account:contoso\\eve", "host:srv-09", "host:dc-01", "ip:10.0.5.20"]), "\(names)")
        #expect(campaign?.grouping.last?.reason.contains("contoso\\eve") == true || campaign?.grouping.last?.reason.contains("CONTOSO\\eve") == true,
                "\(campaign?.grouping.map(\.reason) ?? [])")
    }

    @Test func runningAgainOverTheSameAlertsChangesNothing() {
        let alerts = [Self.alert("a1", rule: "r", at: 0, [Self.account("alice")]), Self.alert("a2", rule: "q", at: 1, [Self.account("alice")])]
        let first = agent.produce(alerts, existing: [], rules: [:], nextNumber: 1, now: Self.t0)
        let again = agent.produce(alerts, existing: first.incidents, rules: [:], nextNumber: 2, now: Self.t0 + Self.h)
        #expect(again.incidents.isEmpty && again.created.isEmpty)
        // The same alerts in another process give the same ids.
        #expect(agent.produce(alerts, existing: [], rules: [:], nextNumber: 1, now: Self.t0).incidents.map(\.id) == first.incidents.map(\.id))
    }

    @Test func aLinkingAlertMergesIncidentsUnlessADontMergeRuleHolds() {
        let base = [Self.alert("a", rule: "r1", at: 0, [Self.host("ws1")]), Self.alert("b", rule: "r2", at: 0, [Self.account("eve")])]
        let two = agent.produce(base, existing: [], rules: [:], nextNumber: 1, now: Self.t0)
        #expect(two.incidents.count == 2)
        let link = Self.alert("c", rule: "r3", at: 1, [Self.host("ws1"), Self.account("eve")], tactics: [.execution])
        let merged = agent.produce([link], existing: two.incidents, rules: [:], nextNumber: 3, now: Self.t0 + Self.h)
        let survivor = merged.incidents.first { $0.status != .closed }
        #expect(survivor?.alerts.map(\.systemAlertID).sorted() == ["a", "b", "c"])
        #expect(merged.incidents.first { $0.status == .closed }?.classificationComment == "Merged into incident 1")
        // Different owners: both stay, the decision says why.
        var owned = two.incidents
        owned[0].owner = Incident.Owner(assignedTo: "Ann")
        owned[1].owner = Incident.Owner(assignedTo: "Bo")
        let kept = agent.produce([link], existing: owned, rules: [:], nextNumber: 3, now: Self.t0 + Self.h)
        #expect(kept.incidents.allSatisfy { $0.status != .closed })
        #expect(kept.incidents.contains { $0.grouping.contains { $0.reason == "incident 2 not merged: different owners" } })
        // A closed incident takes no new alert: a new incident starts.
        var closed = two.incidents
        closed[0].status = .closed
        let after = agent.produce([Self.alert("d", rule: "r4", at: 2, [Self.host("ws1")])], existing: [closed[0]], rules: [:], nextNumber: 3, now: Self.t0 + 2 * Self.h)
        #expect(after.created.count == 1)
    }

    @Test func theAlertCapStopsCorrelation() {
        var settings = ProducerAgent.Settings()
        settings.maxAlerts = 2
        let agent = ProducerAgent(settings: settings)
        let alerts = (0..<3).map { Self.alert("x\($0)", rule: "r\($0)", at: Int64($0), [Self.account("alice")]) }
        let r = agent.produce(alerts, existing: [], rules: [:], nextNumber: 1, now: Self.t0)
        #expect(r.incidents.count == 2)
        #expect(r.incidents[0].grouping.last?.reason == "not joined: incident 1 holds 2 alerts")
    }

    /// An address many accounts come from (an office NAT) does not tie their alerts together.
    @Test func sharedInfrastructureDoesNotCorrelate() {
        let nat = Self.ip("198.51.100.12")
        let alerts = (0..<5).map { Self.alert("t\($0)", rule: "travel\($0 % 2)", at: Int64($0), [Self.account("user\($0)"), nat], tactics: [.initialAccess]) }
        let r = agent.produce(alerts, existing: [], rules: [:], nextNumber: 1, now: Self.t0)
        #expect(r.incidents.count == 5)
        #expect(r.incidents[1].grouping[0].reason.hasSuffix("(IP 198.51.100.12 appear with over 3 accounts: shared, not used to correlate)"))
        // Two accounts on one address still correlate.
        let two = agent.produce(Array(alerts.prefix(2)), existing: [], rules: [:], nextNumber: 1, now: Self.t0)
        #expect(two.incidents.count == 1)
    }
}
