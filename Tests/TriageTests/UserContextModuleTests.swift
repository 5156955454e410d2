import Foundation
import KQL
import Testing
import Triage
import VigilCore

/// The user-history module: a risky sign-in judged against the user's own earlier sign-ins, fact by
/// fact, with the rows each fact counted.
@Suite struct UserContextModuleTests {
    static let now = DateTimeParser.parse("2024-06-30T00:00:00Z")!
    static let hour: Int64 = 36_000_000_000, day: Int64 = 864_000_000_000

    /// ann: 12 sign-ins over 12 days from home (US, 73.1.1.5), the office NAT and Teams / Exchange in
    /// a browser, around 09:00-10:00; the NAT is also used by 25 other users. bob: one sign-in.
    static func tables() -> InMemoryTables {
        var t = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let schema = SchemaCatalog.builtIn["SigninLogs"]!
        var rows: [[String: Value]] = []
        func add(_ at: Int64, _ user: String, _ ip: String, _ country: String, app: String = "Microsoft Teams", client: String = "Browser", result: String = "0", risk: String = "none") {
            rows.append(["TimeGenerated": .datetime(at), "UserPrincipalName": .string(user), "IPAddress": .string(ip), "Location": .string(country),
                         "AppDisplayName": .string(app), "ClientAppUsed": .string(client), "ResultType": .string(result), "RiskLevelDuringSignIn": .string(risk)])
        }
        let base = now - 13 * day
        for i in 0..<12 {
            add(base + Int64(i) * day + 9 * hour, "ann@contoso.com", i % 2 == 0 ? "73.1.1.5" : "198.51.100.10", "US", app: i % 3 == 0 ? "Office 365 Exchange Online" : "Microsoft Teams")
        }
        for u in 0..<25 { add(base + Int64(u) * hour, "user\(u)@contoso.com", "198.51.100.11", "US") }
        // The organization's week: 22 users, each from an address of its own.
        for u in 0..<22 { add(now - 6 * day + Int64(u) * hour, "org\(u)@contoso.com", "52.0.0.\(u)", "US") }
        add(now - 2 * day, "bob@contoso.com", "20.1.1.1", "US")
        // dee: new, from an address three other accounts failed from; eve: new, from a country no one uses.
        for u in 0..<3 { add(now - 3 * day, "x\(u)@contoso.com", "45.137.22.11", "NL", result: "50126") }
        add(now - hour * 3, "dee@contoso.com", "45.137.22.11", "US", risk: "high")
        add(now - hour * 3, "eve@contoso.com", "95.173.136.70", "RU", risk: "high")
        // fay: five sign-ins from home in the US at 09:00, then one from a new address there.
        for i in 0..<5 { add(now - Int64(i + 2) * day - 15 * hour, "fay@contoso.com", "73.5.5.5", "US") }
        add(now - hour * 15, "fay@contoso.com", "73.9.9.9", "US", risk: "high")
        for i in 0..<3 { add(now - Int64(i + 2) * day, "cy@contoso.com", "40.2.2.2", "US") }
        add(now - hour * 4, "cy@contoso.com", "198.51.100.11", "US", risk: "high")
        // The incidents' sign-ins: ann from an office NAT address new to her, at 10:00, high risk;
        // ann again from the Netherlands at 03:00; bob's second sign-in.
        add(now - hour * 14, "ann@contoso.com", "198.51.100.11", "US", risk: "high")
        add(now - hour * 6, "ann@contoso.com", "185.9.9.9", "NL", client: "Other clients", risk: "high")
        add(now - hour * 5, "bob@contoso.com", "20.1.1.2", "US", risk: "high")
        t.add("SigninLogs", Table.from(schema: schema, rows: rows.map { r in schema.columns.map { r[$0.name] ?? .null } }))
        return t
    }

    static func incident(_ user: String, _ ip: String, at: Int64) -> Incident {
        var inc = Incident(id: "i-\(user)-\(ip)", number: 1, title: "Successful sign-in that Entra ID rated high risk", severity: .high, createdTime: at)
        inc.entities = [Entity(type: .account, properties: ["FullName": user]), Entity(type: .ip, properties: ["Address": ip])]
        inc.firstActivityTime = at
        inc.lastActivityTime = at
        return inc
    }

    func run(_ inc: Incident) throws -> [Finding] {
        try UserContextModule().run(TriageContext(incident: inc, provider: Self.tables(), now: Self.now))
    }

    @Test func aSignInLikeTheUsersOwnIsVerifiedFactByFact() throws {
        let f = try run(Self.incident("ann@contoso.com", "198.51.100.11", at: Self.now - Self.hour * 14))
        let verdict = try #require(f.first)
        #expect(verdict.level == "verified", "\(f.map(\.summary))")
        #expect(verdict.summary == "ann@contoso.com: every judged fact matches the user's own 12 sign-ins in 14 days")
        let facts = Dictionary(uniqueKeysWithValues: f.dropFirst().map { ($0.evidence.first?["fact"] ?? "", $0) })
        #expect(facts["country"]?.summary == "ann@contoso.com: country: US at 2024-06-29T10:00:00Z, as in 12 of 12 sign-ins in 14 days")
        #expect(facts["address"]?.summary == "ann@contoso.com: address: 198.51.100.11 is new but its /24 was used in 6 of 12 sign-ins")
        #expect(facts["client"]?.level == "match" && facts["application"]?.level == "match" && facts["hour"]?.level == "match")
        #expect(facts["address"]?.evidence.first?["rowsCounted"] == "12")
    }

    @Test func aSignInFromANewCountryAndClientDeviates() throws {
        let f = try run(Self.incident("ann@contoso.com", "185.9.9.9", at: Self.now - Self.hour * 6))
        #expect(f.first?.level == "unverified")
        let deviations = f.filter { $0.level == "deviation" }.map(\.summary)
        #expect(deviations.contains("ann@contoso.com: country: first sign-in from NL in 14 days (13 sign-ins counted)"), "\(deviations)")
        #expect(deviations.contains { $0.contains("address: first sign-in from 185.9.9.9") })
        #expect(deviations.contains { $0.contains("client: first sign-in with Other clients") })
        #expect(deviations.contains { $0.contains("hour: 18:00 UTC, no sign-in within an hour") })
    }

    @Test func tooLittleHistoryIsNeverVerified() throws {
        let f = try run(Self.incident("bob@contoso.com", "20.1.1.2", at: Self.now - Self.hour * 5))
        #expect(f.first?.level == "unverified")
        #expect(f.first?.summary == "bob@contoso.com: too little history to verify (1 sign-ins)")
        // An address many of the organization's users sign in from is its egress, not the user's novelty.
        let egress = try run(Self.incident("cy@contoso.com", "198.51.100.11", at: Self.now - Self.hour * 4)).first { $0.evidence.first?["fact"] == "address" }
        #expect(egress?.summary == "cy@contoso.com: address: 198.51.100.11 is new to the user but an organization egress address (26 users signed in from it in 14 days)")
        #expect(egress?.level == "match" && egress?.evidence.first?["rowsCounted"] == "26")
        // Triage turns it into the incident's facts: not verified by cy's own history (the address is
        // new to cy), but every sign-in came from the organization's egress.
        let inc = Self.incident("cy@contoso.com", "198.51.100.11", at: Self.now - Self.hour * 4)
        let runner = TriageRunner(modules: [UserContextModule()])
        let triaged = runner.apply(runner.reports(TriageContext(incident: inc, provider: Self.tables(), now: Self.now)), to: inc, now: Self.now)
        #expect(triaged.riskScore?.contextEgress == true)
        #expect(triaged.riskScore?.contextFacts?.contains("egress: cy@contoso.com: egress: every sign-in came from an organization egress address (198.51.100.11: 26 users)") == true)
    }
}

/// Users too new to have a history are compared with the organization; a new address in a user's
/// usual country with a clean record is explained, not a deviation.
@Suite struct OrganizationContextTests {
    static let now = UserContextModuleTests.now, hour = UserContextModuleTests.hour

    func triage(_ user: String, _ ip: String, at: Int64) -> (findings: [Finding], score: Incident.RiskScore?) {
        let inc = UserContextModuleTests.incident(user, ip, at: at)
        let runner = TriageRunner(modules: [UserContextModule()])
        let reports = runner.reports(TriageContext(incident: inc, provider: UserContextModuleTests.tables(), now: Self.now))
        return (reports.flatMap(\.findings), runner.apply(reports, to: inc, now: Self.now).riskScore)
    }

    @Test func aNewUserWhoseSignInIsCommonInTheOrganizationIsConsistentWithIt() throws {
        let (f, score) = triage("bob@contoso.com", "20.1.1.2", at: Self.now - Self.hour * 5)
        let levels = Dictionary(uniqueKeysWithValues: f.map { ($0.evidence.first?["fact"] ?? $0.level ?? "", $0.level ?? "") })
        #expect(levels["country"] == "match" && levels["client"] == "match" && levels["application"] == "match", "\(f.map(\.summary))")
        #expect(levels["address record"] == "match" && levels["failures before"] == "match" && levels["history"] == "not judged")
        let country = try #require(f.first { $0.evidence.first?["fact"] == "country" })
        #expect(country.summary == "bob@contoso.com: country: US is common in the organization: 26 users signed in with it in the 7 days before")
        #expect(f.contains { $0.level == "organization" })
        #expect(score?.contextVerified == false && score?.contextOrganization == true)
    }

    @Test(arguments: [("dee@contoso.com", "45.137.22.11", "address record", "dee@contoso.com: address record: 3 other accounts failed to sign in from 45.137.22.11 in 30 days (a spray source fails for many)"),
                      ("eve@contoso.com", "95.173.136.70", "country", "eve@contoso.com: country: RU: only 0 users of the organization signed in with it in the 7 days before")])
    func aNewUserFromASpraySourceOrAnUnusedCountryIsNot(_ user: String, _ ip: String, _ fact: String, _ text: String) {
        let (f, score) = triage(user, ip, at: Self.now - Self.hour * 3)
        let deviation = f.first { $0.evidence.first?["fact"] == fact }
        #expect(deviation?.level == "deviation" && deviation?.summary == text, "\(f.map(\.summary))")
        #expect(!f.contains { $0.level == "organization" })
        #expect(score?.contextOrganization == false)
    }

    @Test func aNewAddressInTheUsersUsualCountryIsExplained() throws {
        let (f, score) = triage("fay@contoso.com", "73.9.9.9", at: Self.now - Self.hour * 15)
        let address = try #require(f.first { $0.evidence.first?["fact"] == "address" })
        #expect(address.level == "explained", "\(f.map(\.summary))")
        #expect(address.summary == "fay@contoso.com: address: 73.9.9.9 is new (first sign-in from it or its /24 in 14 days), in the user's usual country US, with no failures from other accounts")
        #expect(f.first?.summary == "fay@contoso.com: every judged fact matches the user's own 5 sign-ins in 14 days (1 new value explained)")
        #expect(score?.contextVerified == true)
    }
}

/// The host-history module: what a host started in the incident's window against what it ran before.
@Suite struct HostContextModuleTests {
    static let now = UserContextModuleTests.now, hour = UserContextModuleTests.hour, day = UserContextModuleTests.day

    @Test func firstSeenProgramsAndPairsAreDeviationsWithTheirCounts() throws {
        let now = Self.now, hour = Self.hour, day = Self.day
        var t = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let schema = SchemaCatalog.builtIn["SecurityEvent"]!
        var rows: [[String: Value]] = []
        func launch(_ at: Int64, _ host: String, _ parent: String, _ program: String) {
            rows.append(["TimeGenerated": .datetime(at), "EventID": .long(4688), "Computer": .string(host),
                         "NewProcessName": .string("C:\\Windows\\System32\\" + program), "ParentProcessName": .string("C:\\Windows\\" + parent)])
        }
        for i in 0..<30 {
            launch(now - 10 * day + Int64(i) * hour, "WS-01.contoso.com", "explorer.exe", i % 2 == 0 ? "chrome.exe" : "powershell.exe")
        }
        for i in 0..<5 { launch(now - 5 * day + Int64(i) * hour, "WS-02.contoso.com", "explorer.exe", "chrome.exe") }
        // The incident's window: a routine launch, PowerShell from Word, and a program never seen.
        launch(now - 2 * hour, "WS-01.contoso.com", "explorer.exe", "chrome.exe")
        launch(now - 2 * hour, "WS-01.contoso.com", "winword.exe", "powershell.exe")
        launch(now - 2 * hour, "WS-01.contoso.com", "cmd.exe", "mimikatz.exe")
        launch(now - 2 * hour, "WS-02.contoso.com", "explorer.exe", "notepad.exe")
        t.add("SecurityEvent", Table.from(schema: schema, rows: rows.map { r in schema.columns.map { r[$0.name] ?? .null } }))
        var inc = Incident(id: "h", number: 2, title: "process burst", severity: .medium, createdTime: now)
        inc.entities = [Entity(type: .host, properties: ["FullName": "WS-01.contoso.com"]), Entity(type: .host, properties: ["FullName": "WS-02.contoso.com"])]
        inc.firstActivityTime = now - 2 * hour
        inc.lastActivityTime = now - 2 * hour
        let f = try HostContextModule().run(TriageContext(incident: inc, provider: t, now: now))
        let byText = Dictionary(uniqueKeysWithValues: f.map { ($0.summary, $0.level ?? "") })
        #expect(byText["ws-01.contoso.com: first run of mimikatz.exe in 14 days (30 launches counted)"] == "deviation", "\(f.map(\.summary))")
        #expect(byText["ws-01.contoso.com: powershell.exe ran 15 times in 14 days, but never from winword.exe"] == "deviation")
        #expect(byText["ws-01.contoso.com: explorer.exe → chrome.exe, as 15 times in 14 days (30 launches counted)"] == "match")
        #expect(byText["ws-02.contoso.com: explorer.exe → notepad.exe: 5 launches in 14 days are too few to know what is usual (20 needed)"] == "not judged")
    }
}

/// The logon-history module: a Windows account's logons in the incident's window against its own.
@Suite struct LogonContextModuleTests {
    @Test func aLogonFromANewAddressDeviatesAndARoutineOneMatches() throws {
        let now = UserContextModuleTests.now, hour = UserContextModuleTests.hour, day = UserContextModuleTests.day
        var t = InMemoryTables(schemas: SchemaCatalog.builtIn)
        let schema = SchemaCatalog.builtIn["SecurityEvent"]!
        var rows: [[String: Value]] = []
        func logon(_ at: Int64, _ account: String, _ ip: String, _ station: String, host: String = "SRV-0006.corp.contoso.com") {
            rows.append(["TimeGenerated": .datetime(at), "EventID": .long(4624), "Account": .string(account), "IpAddress": .string(ip),
                         "WorkstationName": .string(station), "LogonType": .long(3), "Computer": .string(host)])
        }
        for i in 0..<10 { logon(now - 10 * day + Int64(i) * day / 2, "CONTOSO\\svc_backup_legacy", "10.0.1.5", "BKP-01") }
        for i in 0..<10 { logon(now - 10 * day + Int64(i) * day / 2, "CONTOSO\\ann", "10.0.2.7", "WS-07") }
        logon(now - 2 * hour, "CONTOSO\\svc_backup_legacy", "185.220.101.45", "-")
        logon(now - 2 * hour, "CONTOSO\\ann", "10.0.2.9", "WS-07")
        t.add("SecurityEvent", Table.from(schema: schema, rows: rows.map { r in schema.columns.map { r[$0.name] ?? .null } }))
        var inc = Incident(id: "b", number: 3, title: "brute force then success", severity: .high, createdTime: now)
        inc.entities = [Entity(type: .account, properties: ["FullName": "CONTOSO\\svc_backup_legacy"]), Entity(type: .account, properties: ["FullName": "CONTOSO\\ann"])]
        inc.firstActivityTime = now - 2 * hour
        inc.lastActivityTime = now - 2 * hour
        let f = try LogonContextModule().run(TriageContext(incident: inc, provider: t, now: now))
        let levels = Dictionary(uniqueKeysWithValues: f.map { ($0.summary, $0.level ?? "") })
        #expect(levels["contoso\\svc_backup_legacy: source address: first logon from 185.220.101.45 or its /24 in 14 days (10 logons counted)"] == "deviation", "\(f.map(\.summary))")
        #expect(levels["contoso\\svc_backup_legacy: 1 of 3 facts deviate from the account's logon history"] == "unverified")
        #expect(levels["contoso\\ann: every judged fact matches the account's own 10 logons in 14 days"] == "verified")
        #expect(levels["contoso\\ann: source address: 10.0.2.9 is new but its /24 was used in 10 of 10 logons"] == "match")
    }
}

/// What corroborates an incident: another rule's alert or an anomaly within a day of its activity;
/// an earlier alert of its own rule is a repeat; older ones are context only.
@Suite struct CorroborationFactsTests {
    @Test func onlyOtherRulesNearTheActivityCorroborate() {
        let now = UserContextModuleTests.now, hour = UserContextModuleTests.hour
        var inc = UserContextModuleTests.incident("ann@contoso.com", "73.1.1.5", at: now - 2 * hour)
        inc.alerts = [Incident.AlertRef(systemAlertID: "own", ruleID: "travel", name: "travel", severity: .medium, tactics: [], startTime: inc.firstActivityTime, endTime: inc.firstActivityTime, isAnomaly: false)]
        func alert(_ id: String, _ rule: String, _ at: Int64) -> Finding {
            Finding(kind: .relatedAlert, summary: "\(rule) at \(DateTimeMath.format(at))", level: "Medium",
                    evidence: [["SystemAlertId": id, "RuleId": rule, "TimeGenerated": DateTimeMath.format(at)]])
        }
        func anomaly(_ model: String, _ at: Int64) -> Finding {
            Finding(kind: .anomaly, summary: model, level: "0.8", evidence: [["AnomalyTemplateName": model, "TimeGenerated": DateTimeMath.format(at)]])
        }
        let findings = [alert("a1", "risky", now - 5 * hour), alert("a2", "risky", now - 4 * 24 * hour), alert("a3", "travel", now - 3 * 24 * hour),
                        anomaly("many addresses", now - 6 * hour), anomaly("failed sign-ins", now - 10 * 24 * hour)]
        let runner = TriageRunner(modules: [])
        let score = runner.apply([ModuleReport(module: "x", findings: findings, comment: "", error: nil, millis: 0)], to: inc, now: now).riskScore
        #expect(score?.otherAlerts == 1 && score?.repeatAlerts == 1 && score?.relatedAnomalies == 1, "\(String(describing: score))")
        #expect(score?.anomalyModels == ["many addresses"])
    }
}
