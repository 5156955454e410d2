/// An entity of an alert or incident (Sentinel's entity JSON: a type and its identifiers), with the
/// key that says when two mentions are the same thing: accounts by UPN or `DOMAIN\name` (case
/// folded; `eve@contoso.local` and `CONTOSO\eve` are one account), hosts by short name, IPs by address, the rest by their sorted identifiers.
public struct Entity: Sendable, Codable, Hashable {
    public var type: EntityType
    /// Identifier → value, as in the alert (`FullName`, `Address`, `HostName`...).
    public var properties: [String: String]

    public init(type: EntityType, properties: [String: String]) { self.type = type; self.properties = properties }

    /// What identifies the entity for correlation.
    public var key: String {
        let p = properties
        switch type {
        case .account:
            let v = p["FullName"] ?? p["Upn"] ?? p["Name"].map { n in p["NTDomain"].map { "\($0)\\\(n)" } ?? (p["UPNSuffix"].map { "\(n)@\($0)" } ?? n) } ?? p["Sid"] ?? p["AadUserId"] ?? p["ObjectGuid"] ?? ""
            return "account:" + Entity.accountKey(v)
        case .host:
            let v = p["HostName"] ?? p["FullName"].map { String($0.split(separator: ".").first ?? "") } ?? p["NetBiosName"] ?? p["AzureID"] ?? ""
            return "host:" + v.lowercased()
        case .ip: return "ip:" + (p["Address"] ?? "").lowercased()
        case .url: return "url:" + (p["Url"] ?? "").lowercased()
        case .fileHash: return "filehash:" + (p["Value"] ?? "").lowercased()
        default:
            return type.rawValue.lowercased() + ":" + p.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "|").lowercased()
        }
    }

    /// `DOMAIN\name` for both ways Windows names an account: a Kerberos or Entra principal
    /// `name@contoso.local` becomes `contoso\name`, as the NetBIOS domain is the DNS domain's first
    /// label in all but renamed forests. A bare name stays bare.
    static func accountKey(_ value: String) -> String {
        var v = value.lowercased()
        // An empty domain ("\\name", a strcat of an empty domain column) is no domain.
        if v.hasPrefix("\\") { v.removeFirst() }
        guard !v.contains("\\"), let at = v.lastIndex(of: "@") else { return v }
        let label = v[v.index(after: at)...].split(separator: ".").first.map(String.init) ?? ""
        return label.isEmpty ? v : label + "\\" + v[..<at]
    }

    /// A short name for titles and comments.
    public var displayName: String {
        let p = properties
        switch type {
        case .account: return p["FullName"] ?? p["Upn"] ?? p["Name"] ?? p["Sid"] ?? key
        case .host: return p["FullName"] ?? p["HostName"] ?? p["NetBiosName"] ?? key
        case .ip: return p["Address"] ?? key
        case .url: return p["Url"] ?? key
        case .fileHash: return p["Value"] ?? key
        default: return p.sorted { $0.key < $1.key }.first?.value ?? key
        }
    }

    /// Entities that correlate alerts: the ones an attacker's steps share.
    public var correlates: Bool { [.account, .host, .ip, .url, .fileHash, .file, .mailbox, .dns, .cloudApplication, .azureResource].contains(type) }
}
