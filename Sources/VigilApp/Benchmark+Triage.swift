import Foundation
import KQL
import OrderedCollections
import Triage
import VigilCore
import VigilStore

extension Benchmark {
    /// All evidence modules on one incident over the stored bench data (cold: a freshly opened store;
    /// warm), then `count` incidents on other entities of the data, one after another.
    /// `modules`: each module's time in the warm run (they run concurrently), slowest first.
    public func runTriage(workspace: String, count: Int) throws -> (cold: Double, warm: Double, many: Double, scores: [Int], modules: [(name: String, millis: Double)]) {
        let ws = try Workspace.open(workspace)
        var store = try LogStore(workspace: ws)
        for table in ["SecurityEvent", "SigninLogs"] where (store.tableInfos().first { $0.name == table }?.rows ?? 0) == 0 {
            _ = try store.ingestFile((dataDir as NSString).appendingPathComponent(table + ".csv"), table: table)
        }
        store = try LogStore(workspace: ws)
        let now = Benchmark.now(dataDir: dataDir)
        func incident(_ n: Int, account: String, ip: String, host: String, upn: String) -> Incident {
            var inc = Incident(id: "bench-\(n)", number: n, title: "bench", severity: .medium, createdTime: now)
            inc.entities = [Entity(type: .account, properties: ["FullName": account]), Entity(type: .account, properties: ["FullName": upn]),
                            Entity(type: .ip, properties: ["Address": ip]), Entity(type: .host, properties: ["FullName": host])]
            return inc
        }
        let runner = TriageRunner()
        var first = incident(1, account: "CONTOSO\\svc_backup_legacy", ip: "185.220.101.45", host: "SRV-0006.corp.contoso.com", upn: "user01607@contoso.com")
        // The incident's window holds the user's last successful sign-in, so the user-history module
        // judges it against the weeks before (as it does for a real risky sign-in).
        if case .success(let r, _) = QueryRunner(provider: store, now: now).run(
            #"SigninLogs | where UserPrincipalName == "user01607@contoso.com" and ResultType == "0" | summarize arg_max(TimeGenerated, IPAddress) | project TimeGenerated, IPAddress"#),
           let row = r.first?.table.row(0), case .datetime(let last) = row[0] {
            first.firstActivityTime = last
            first.lastActivityTime = last
            first.entities.append(Entity(type: .ip, properties: ["Address": row[1].kqlString]))
        }
        // The incident's alert, as a rule writes it: its query's rows (ten process launches of the data)
        // in ExtendedProperties, which the estate-prevalence module counts across every host.
        var alerts = InMemoryTables(schemas: SchemaCatalog.builtIn)
        if case .success(let r, _) = QueryRunner(provider: store, now: now).run(
            "SecurityEvent | where EventID == 4688 | take 10 | project TimeGenerated, Computer, EventID, Account, ParentProcessName, NewProcessName, CommandLine"),
           let rows = r.first?.table {
            let results = Value.array((0..<rows.count).map { i in
                .bag(OrderedDictionary(uniqueKeysWithValues: rows.schema.columns.enumerated().map { ($1.name, rows.row(i)[$0]) }))
            }).jsonText
            let props = Value.bag(["Analytic Rule Ids": .string(#"["bench"]"#), "Query Results": .string(results)]).jsonText
            let schema = SchemaCatalog.builtIn["SecurityAlert"]!
            let alert: [String: Value] = ["TimeGenerated": .datetime(now), "SystemAlertId": .string("bench-alert"), "AlertName": .string("bench"),
                                          "StartTime": .datetime(now), "EndTime": .datetime(now), "ExtendedProperties": .string(props)]
            alerts.add("SecurityAlert", Table.from(schema: schema, rows: [schema.columns.map { alert[$0.name] ?? .null }]))
            first.alerts = [Incident.AlertRef(systemAlertID: "bench-alert", ruleID: "bench", name: "bench", severity: .medium, tactics: [],
                                              startTime: now, endTime: now, isAnomaly: false)]
        }
        let provider = LayeredTables(top: alerts, base: store)
        var modules: [(name: String, millis: Double)] = []
        func timed(_ inc: Incident) -> (Double, Int) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let reports = runner.reports(TriageContext(incident: inc, provider: provider, now: now))
            let score = runner.scoring.score(reports, now: now).total
            modules = reports.map { ($0.module, $0.millis) }.sorted { $0.1 > $1.1 }
            return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, score)
        }
        let (cold, s1) = timed(first)
        let (warm, _) = timed(first)
        let warmModules = modules
        // Other incidents: entities drawn from the data itself.
        guard case .success(let r, _) = QueryRunner(provider: store, now: now).run(
            "SecurityEvent | where EventID == 4624 | summarize by Account, IpAddress, Computer | take \(count)"), let t = r.first?.table else { return (cold, warm, 0, [s1], warmModules) }
        var scores = [s1]
        let t0 = DispatchTime.now().uptimeNanoseconds
        for i in 0..<t.count {
            let row = t.row(i)
            scores.append(timed(incident(i + 2, account: row[0].kqlString, ip: row[1].kqlString, host: row[2].kqlString, upn: "user\(String(format: "%05d", i))@contoso.com")).1)
        }
        return (cold, warm, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, scores, warmModules)
    }
}
