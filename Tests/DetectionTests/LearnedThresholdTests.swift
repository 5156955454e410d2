import Detection
import Foundation
import KQL
import Testing
import VigilCore

/// Learned thresholds: the dynamic trigger, the tuning proposals, and the rule fields that declare them.
@Suite struct LearnedThresholdTests {
    let validator = RuleValidator(catalog: InMemoryTables(schemas: SchemaCatalog.builtIn), now: DateTimeParser.parse("2024-06-30")!)

    @Test func dynamicTriggerIsARobustUpperBoundOfTheHistory() {
        var d = AnalyticsRule.DynamicThreshold()
        d.minimumRuns = 5
        d.minimum = 2
        // Learning: fewer runs than minimumRuns, the minimum applies.
        #expect(DynamicTrigger.threshold(d, counts: [0, 0]).value == 2)
        // All zero: spread 1, threshold 0 + 3 * 1 = 3.
        #expect(DynamicTrigger.threshold(d, counts: [0, 0, 0, 0, 0, 0]).value == 3)
        // Median 10, MAD 1 -> spread max(1.4826, sqrt(10)=3.16) -> 10 + 9.49 -> 20.
        let t = DynamicTrigger.threshold(d, counts: [9, 10, 11, 10, 9, 11, 10])
        #expect(t.value == 20)
        #expect(t.runs == 7 && t.median == 10)
        // One earlier attack does not move a median.
        #expect(DynamicTrigger.threshold(d, counts: [9, 10, 11, 10, 9, 11, 500]).value == 20)
    }

    @Test func tuningCountsTheAlertsEachThresholdWouldHaveRaised() {
        var r = AnalyticsRule(id: "x", name: "x", query: "T")
        r.queryFrequency = Ticks.perHour
        r.eventGrouping = .alertPerResult
        let counts = [0, 1, 0, 2, 0, 0, 5, 0, 1, 200]
        let p = ThresholdTuning.proposals(rule: r, counts: counts)
        let current = p.first { $0.label == "current" }
        #expect(current?.threshold == 0 && current?.firingRuns == 5 && current?.alerts == 1 + 2 + 5 + 1 + 150)
        // The highest count as a threshold fires never; each threshold is proposed once.
        #expect(p.first { $0.threshold == 200 }?.firingRuns == 0)
        #expect(Set(p.compactMap(\.threshold)).count == p.compactMap(\.threshold).count)
        #expect(p.contains { $0.threshold == nil && $0.label.hasPrefix("dynamic") })
    }

    @Test func rulesDeclareLearnedThresholdsAnomaliesAndParameters() throws {
        let text = """
        id: 3617d76d-b15e-4c6f-985e-a1dac73c592e
        name: Lockouts
        severity: Medium
        queryFrequency: 1h
        queryPeriod: 1h
        triggerOperator: gt
        triggerThreshold: dynamic
        dynamicThreshold: {history: 3d, sensitivity: 2.5, minimum: 4, minimumRuns: 10}
        parameters: {code: 4740, window: 1h, label: it's}
        query: |
          SecurityEvent | where EventID == code and TimeGenerated > ago(window) | extend L = label
        """
        let (rules, d) = RuleParser.parse(text, file: "r.yaml")
        #expect(d.isEmpty)
        let r = rules[0].rule
        #expect(r.dynamicThreshold?.history == 3 * Ticks.perDay && r.dynamicThreshold?.sensitivity == 2.5)
        #expect(r.dynamicThreshold?.minimum == 4 && r.dynamicThreshold?.minimumRuns == 10)
        #expect(r.parameters.map(\.value) == ["4740", "1h", #""it's""#])
        #expect(r.effectiveQuery.hasPrefix(#"let code = 4740; let window = 1h; let label = "it's";"# + "\n"))
        #expect(validator.validate(rules[0]).isEmpty)
    }

    @Test func badLearnedThresholdFieldsAreReportedWithTheirCodes() {
        let text = """
        id: 3617d76d-b15e-4c6f-985e-a1dac73c592f
        name: Bad
        severity: Low
        kind: Anomaly
        queryFrequency: 1h
        queryPeriod: 1d
        triggerOperator: lt
        triggerThreshold: dynamic
        dynamicThreshold: {history: soon, colour: red}
        parameters: {x: 1}
        query: |
          let x = 2;
          SecurityEvent | summarize n = count()
        """
        let (rules, _) = RuleParser.parse(text, file: "r.yaml")
        let codes = validator.validate(rules[0]).map(\.code)
        #expect(codes.filter { $0 == "VGR1021" }.count == 2)  // history, unknown field
        #expect(codes.contains("VGR2011"))  // dynamic needs gt / anomaly has no trigger
        #expect(codes.contains("VGR2012"))  // the query hides the parameter
        #expect(codes.contains("VGR3004"))  // an anomaly rule's Score column is missing
    }
}
