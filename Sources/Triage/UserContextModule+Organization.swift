import KQL

extension UserContextModule {
    /// What the organization's sign-ins say about an address: how many users signed in from it before
    /// the window (an egress address when many), and which accounts failed from it up to the window's end.
    struct AddressRecord {
        var users = 0
        var failedAccounts: Set<String> = []
    }

    func addressRecords(_ ctx: TriageContext, _ addresses: Set<String>, since: Int64, from: Int64, to: Int64) throws -> [String: AddressRecord] {
        guard !addresses.isEmpty, let t = try ctx.query("""
            SigninLogs | where TimeGenerated >= hsince and TimeGenerated <= wto and IPAddress in (addrs)
            | summarize Users = dcountif(UserPrincipalName, TimeGenerated < wfrom and tostring(ResultType) == "0"),
                        Failed = make_set_if(tolower(UserPrincipalName), tostring(ResultType) != "0", 100) by IPAddress
            """, extra: ["addrs": .array(addresses.sorted().map { .string($0) }), "hsince": .datetime(since), "wfrom": .datetime(from), "wto": .datetime(to)])
        else { return [:] }
        var out: [String: AddressRecord] = [:]
        for r in 0..<t.count {
            let row = t.row(r)
            var failed: Set<String> = []
            if case .array(let a) = row[2] { failed = Set(a.map(\.kqlString)) }
            out[row[0].kqlString] = AddressRecord(users: Int(row[1].kqlString) ?? 0, failedAccounts: failed)
        }
        return out
    }

    /// For users too new to judge: how many of the organization's users signed in successfully with
    /// each of these sign-ins' countries, clients and applications over `organizationLookback`
    /// before the window, by fact name and value.
    func organizationUsers(_ ctx: TriageContext, _ signIns: [SignIn], from: Int64) throws -> [String: [String: Int]] {
        func list(_ key: (SignIn) -> String) -> Value { .array(Set(signIns.map(key)).sorted().map { .string($0) }) }
        guard let t = try ctx.query("""
            let base = SigninLogs | where TimeGenerated >= osince and TimeGenerated < wfrom and tostring(ResultType) == "0";
            union
                (base | where Location in (countries) | summarize Users = dcount(UserPrincipalName) by Value = Location | extend Fact = "country"),
                (base | where ClientAppUsed in (clients) | summarize Users = dcount(UserPrincipalName) by Value = ClientAppUsed | extend Fact = "client"),
                (base | where AppDisplayName in (apps) | summarize Users = dcount(UserPrincipalName) by Value = AppDisplayName | extend Fact = "application")
            | project Fact, Value, Users
            """, extra: ["countries": list(\.country), "clients": list(\.client), "apps": list(\.app),
                         "osince": .datetime(from - organizationLookback), "wfrom": .datetime(from)]) else { return [:] }
        var out: [String: [String: Int]] = [:]
        for r in 0..<t.count {
            let row = t.row(r)
            out[row[0].kqlString, default: [:]][row[1].kqlString] = Int(row[2].kqlString) ?? 0
        }
        return out
    }
}
