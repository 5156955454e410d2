import Detection
import Foundation
import KQL
import Testing
import VigilCore

/// Rule fields, their spellings, and each check of the validator with the line it reports.
@Suite struct RuleParserTests {
    static let now = DateTimeParser.parse("2026-11-24")!
    let validator = RuleValidator(catalog: InMemoryTables(schemas: SchemaCatalog.builtIn), now: now)

    func parse(_ text: String) -> RuleParser.Parsed {
        let (rules, d) = RuleParser.parse(text, file: "r.yaml")
        #expect(d.isEmpty, "\(d)")
        return rules[0]
    }

    static let base = """
    id: 3617d76d-b15e-4c6f-985e-a1dac73c592d
    name: Brute force
    description: many failures
    severity: high
    requiredDataConnectors:
      - connectorId: SecurityEvents
        dataTypes: [SecurityEvent]
    queryFrequency: 1h
    queryPeriod: PT2H
    triggerOperator: GreaterThan
    triggerThreshold: 0
    tactics:
      - Credential Access
      - InitialAcess
      - TA0007
    relevantTechniques:
      - T1110
      - T1110.003
    query: |
      SecurityEvent
      | where EventID == 4625
      | summarize Failures = count() by Account, Computer, IpAddress
      | where Failures > 5
    entityMappings:
      - entityType: Account
        fieldMappings:
          - identifier: FullName
            columnName: Account
      - entityType: Host
        fieldMappings:
          - identifier: HostName
            columnName: Computer
    customDetails:
      Failures: Failures
    alertDetailsOverride:
      alertDisplayNameFormat: "{{Failures}} failed logons for {{Account}}"
      alertSeverityColumnName: null
    eventGroupingSettings:
      aggregationKind: AlertPerResult
    incidentConfiguration:
      createIncident: true
      groupingConfiguration:
        enabled: true
        reopenClosedIncident: false
        lookbackDuration: 5h
        matchingMethod: Selected
        groupByEntities: [Account]
    suppressionEnabled: false
    suppressionDuration: 5h
    version: 1.0.2
    kind: Scheduled

    """

    @Test func everyFieldIsReadAndNormalised() {
        let p = parse(Self.base)
        let r = p.rule
        #expect(r.severity == .high)
        #expect(r.queryFrequency == Ticks.perHour && r.queryPeriod == 2 * Ticks.perHour)
        #expect(r.triggerOperator == .gt && r.triggerThreshold == 0)
        #expect(r.tactics == [.credentialAccess, .initialAccess, .discovery])
        #expect(r.techniques == ["T1110", "T1110.003"])
        #expect(r.entityMappings.map(\.entityType) == [.account, .host])
        #expect(r.customDetails == [AnalyticsRule.Pair(key: "Failures", value: "Failures")])
        #expect(r.alertDetailsOverride?.displayNameFormat == "{{Failures}} failed logons for {{Account}}")
        #expect(r.alertDetailsOverride?.severityColumnName == nil)
        #expect(r.eventGrouping == .alertPerResult)
        #expect(r.incidentConfiguration.grouping.enabled && r.incidentConfiguration.grouping.matchingMethod == "Selected")
        #expect(r.incidentConfiguration.grouping.lookbackDuration == 5 * Ticks.perHour)
        #expect(r.incidentConfiguration.grouping.groupByEntities == [.account])
        #expect(r.requiredDataConnectors == ["SecurityEvents"])
        #expect(r.version == "1.0.2")
        #expect(p.line("query") == 19)
        #expect(validator.validate(p).isEmpty, "\(validator.validate(p))")
    }

    @Test func durationsAndOperators() {
        #expect(RuleDuration.parse("5m") == 5 * Ticks.perMinute)
        #expect(RuleDuration.parse("14d") == 14 * Ticks.perDay)
        #expect(RuleDuration.parse("PT5M") == 5 * Ticks.perMinute)
        #expect(RuleDuration.parse("P1DT12H") == 36 * Ticks.perHour)
        #expect(RuleDuration.parse("P2W") == 14 * Ticks.perDay)
        #expect(RuleDuration.parse("5x") == nil && RuleDuration.parse("PT") == nil && RuleDuration.parse("") == nil)
        #expect(RuleDuration.format(36 * Ticks.perHour) == "36h")
        for (t, o) in [("gt", AnalyticsRule.TriggerOperator.gt), ("LessThan", .lt), ("Equal", .eq), ("NotEqual", .ne), ("ne", .ne)] {
            #expect(AnalyticsRule.TriggerOperator(loose: t) == o)
        }
        #expect(AnalyticsRule.TriggerOperator.gt.fires(count: 1, threshold: 0))
        #expect(!AnalyticsRule.TriggerOperator.gt.fires(count: 0, threshold: 0))
        #expect(MitreTactic(loose: "Command and Control") == .commandAndControl)
        #expect(MitreTactic(loose: "Privilege Escalation") == .privilegeEscalation)
        #expect(MitreTactic(loose: "lateral-movement") == .lateralMovement)
        #expect(MitreTactic(loose: "Persistance") == .persistence)
        #expect(MitreTactic(loose: "Teleportation") == nil)
    }

    func codes(_ text: String) -> [String: Int] {
        let (rules, d) = RuleParser.parse(text, file: "r.yaml")
        var out: [String: Int] = [:]
        for x in d + (rules.first.map { validator.validate($0) } ?? []) where x.severity == .error { out[x.code] = x.line }
        return out
    }

    @Test func schedulingInvariantsAndLimits() {
        let c = codes(Self.base.replacingOccurrences(of: "queryFrequency: 1h", with: "queryFrequency: 1m")
            .replacingOccurrences(of: "triggerThreshold: 0", with: "triggerThreshold: 20000")
            .replacingOccurrences(of: "severity: high", with: "severity: Severe"))
        #expect(c["VGR2002"] == 8)
        #expect(c["VGR2005"] == 11)
        #expect(c["VGR1010"] == 4)
        let missing = codes(Self.base.replacingOccurrences(of: "queryPeriod: PT2H\n", with: ""))
        #expect(missing["VGR2001"] != nil)
        let nrt = codes(Self.base.replacingOccurrences(of: "kind: Scheduled", with: "kind: NRT"))
        #expect(nrt.isEmpty, "\(nrt)")
    }

    @Test func theQueryAndWhatTheRuleReadsFromIt() {
        let broken = codes(Self.base.replacingOccurrences(of: "| where EventID == 4625", with: "| where EventID = = 4625"))
        #expect((21...22).contains(broken["VGR3001"] ?? 0))
        let unbound = codes(Self.base.replacingOccurrences(of: "| where EventID == 4625", with: "| where NoSuchColumn == 4625"))
        #expect(unbound["VGR3002"] == 21)
        let entity = codes(Self.base.replacingOccurrences(of: "columnName: Computer", with: "columnName: Workstation"))
        #expect(entity["VGR3004"] != nil)
        let placeholder = codes(Self.base.replacingOccurrences(of: "for {{Account}}", with: "for {{User}}"))
        #expect(placeholder["VGR3004"] != nil)
        let identifier = codes(Self.base.replacingOccurrences(of: "identifier: HostName", with: "identifier: Address"))
        #expect(identifier["VGR1018"] != nil)
        let id = codes(Self.base.replacingOccurrences(of: "id: 3617d76d-b15e-4c6f-985e-a1dac73c592d", with: "id: not-a-guid"))
        #expect(id["VGR1004"] == 1)
        #expect(codes("name: [unclosed")["VGR1001"] != nil)
    }

    @Test func armExportShape() throws {
        let arm = """
        {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
         "resources": [{
           "type": "Microsoft.OperationalInsights/workspaces/providers/alertRules",
           "name": "[concat(parameters('workspace'),'/Microsoft.SecurityInsights/3617d76d-b15e-4c6f-985e-a1dac73c592d')]",
           "kind": "Scheduled",
           "properties": {
             "displayName": "Brute force", "description": "many failures", "severity": "High", "enabled": true,
             "query": "SecurityEvent | where EventID == 4625 | summarize n = count() by Account",
             "queryFrequency": "PT1H", "queryPeriod": "P1D", "triggerOperator": "GreaterThan", "triggerThreshold": 0,
             "suppressionDuration": "PT5H", "suppressionEnabled": false,
             "tactics": ["CredentialAccess"], "techniques": ["T1110"],
             "entityMappings": [{"entityType": "Account", "fieldMappings": [{"identifier": "FullName", "columnName": "Account"}]}]
           }
         }]}
        """
        let (rules, d) = RuleParser.parse(arm, file: "rule.json")
        #expect(d.isEmpty)
        let r = try #require(rules.first)
        #expect(r.rule.id == "3617d76d-b15e-4c6f-985e-a1dac73c592d")
        #expect(r.rule.name == "Brute force")
        #expect(r.rule.queryPeriod == Ticks.perDay)
        #expect(r.rule.triggerOperator == .gt)
        #expect(validator.validate(r).filter { $0.severity == .error }.isEmpty, "\(validator.validate(r))")
    }
}
