import KQL

/// What the incident's hosts did (`SecurityEvent`): logons, failed logons, processes, and the notable
/// events (log cleared, audit policy changed, accounts created or added to groups, encoded commands,
/// a burst of failed logons).
public struct HostActivityModule: EvidenceModule {
    public let name = "Host activity"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        guard !ctx.hosts.isEmpty, let t = try ctx.query("""
            SecurityEvent
            | where TimeGenerated >= since and (Computer in~ (hosts))
            | summarize Events = count(), Logons = countif(EventID == 4624), FailedLogons = countif(EventID == 4625),
                        Processes = countif(EventID == 4688),
                        Notable = countif(EventID in (1102, 4719, 4720, 4728, 4732, 4756) or (EventID == 4688 and CommandLine has_any ("-enc", "bitsadmin", "certutil"))),
                        NotableSamples = make_set_if(Activity, EventID in (1102, 4719, 4720, 4728, 4732, 4756) or (EventID == 4688 and CommandLine has_any ("-enc", "bitsadmin", "certutil")), 5)
                        by Computer
            """) else { return [] }
        return t.rowDicts(limit: 50).compactMap { r in
            // A burst of failed logons (20 or more) on the host is one more notable event.
            let notable = (Int(r["Notable"] ?? "") ?? 0) + ((Int(r["FailedLogons"] ?? "") ?? 0) >= 20 ? 1 : 0)
            guard notable > 0 || (Int(r["FailedLogons"] ?? "") ?? 0) > 0 else { return nil }
            return Finding(kind: .hostActivity, summary: "\(r["Computer"] ?? ""): \(notable) notable events, \(r["FailedLogons"] ?? "0") failed logons, \(r["Processes"] ?? "0") processes",
                           level: String(notable), evidence: [r])
        }
    }
}
