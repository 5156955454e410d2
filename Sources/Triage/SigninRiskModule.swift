import KQL

/// The incident's users in `SigninLogs`: failed sign-ins, MFA failures, countries and addresses, and
/// the risk Entra ID rated. The level is High for a successful high-risk sign-in or many failures from
/// several countries, Medium for risky or many failed sign-ins, Low for some failures.
public struct SigninRiskModule: EvidenceModule {
    public let name = "User and sign-in risk"
    public init() {}

    public func run(_ ctx: TriageContext) throws -> [Finding] {
        guard !ctx.accounts.isEmpty, let t = try ctx.query("""
            SigninLogs
            | where TimeGenerated >= since and UserPrincipalName in~ (accounts)
            | summarize SignIns = count(), Failed = countif(ResultType != "0"), MfaFailed = countif(ResultType == "500121"),
                        Countries = dcount(Location), IPs = dcount(IPAddress),
                        RiskyHighSuccess = countif(ResultType == "0" and RiskLevelDuringSignIn =~ "high"),
                        RiskyMedium = countif(RiskLevelDuringSignIn =~ "medium"), CountryList = make_set(Location, 10)
                        by UserPrincipalName
            """) else { return [] }
        return t.rowDicts(limit: 50).compactMap { r in
            let failed = Int(r["Failed"] ?? "") ?? 0, countries = Int(r["Countries"] ?? "") ?? 0
            let high = Int(r["RiskyHighSuccess"] ?? "") ?? 0, medium = Int(r["RiskyMedium"] ?? "") ?? 0, mfa = Int(r["MfaFailed"] ?? "") ?? 0
            let level: String?
            if high > 0 || (failed >= 20 && countries >= 2) { level = "High" }
            else if medium > 0 || failed >= 10 || mfa >= 3 { level = "Medium" }
            else if failed > 0 { level = "Low" }
            else { level = nil }
            guard let level else { return nil }
            return Finding(kind: .userRisk, summary: "\(r["UserPrincipalName"] ?? ""): \(failed) failed sign-ins (\(mfa) MFA), \(countries) countries, \(high) successful high-risk sign-ins",
                           level: level, evidence: [r])
        }
    }
}
