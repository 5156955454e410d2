public import KQL
import KQLSyntax
public import VigilCore

/// What every evidence module gets: the incident, the workspace's tables, the time, and how far back
/// to look. Entity values reach queries as parameters (`declare query_parameters`), never as text.
public struct TriageContext: Sendable {
    public var incident: Incident
    public var provider: any TableProvider
    public var now: Int64
    public var lookback: Int64
    /// Addresses many accounts use (an office NAT, a proxy): they say nothing about this incident, so
    /// modules do not search for them (lowercased).
    public var shared: Set<String>

    public init(incident: Incident, provider: any TableProvider, now: Int64, lookback: Int64 = 14 * 864_000_000_000, shared: Set<String> = []) {
        self.incident = incident; self.provider = provider; self.now = now; self.lookback = lookback; self.shared = shared
    }

    /// The incident's entities by kind, as the values log tables hold them.
    public var accounts: [String] { values(.account) { e in [e.properties["FullName"], e.properties["Upn"], e.properties["Name"]].compactMap { $0 } } }
    public var ips: [String] { values(.ip) { [$0.properties["Address"]].compactMap { $0 } }.filter { !shared.contains($0.lowercased()) } }
    public var hosts: [String] {
        values(.host) { e in
            let full = e.properties["FullName"] ?? e.properties["HostName"] ?? ""
            return [full, String(full.split(separator: ".").first ?? "")].filter { !$0.isEmpty }
        }
    }
    public var urls: [String] { values(.url) { [$0.properties["Url"]].compactMap { $0 } } }
    public var hashes: [String] { values(.fileHash) { [$0.properties["Value"]].compactMap { $0 } } }

    func values(_ type: EntityType, _ f: (Entity) -> [String]) -> [String] {
        var out: [String] = []
        for e in incident.entities where e.type == type { for v in f(e) where !out.contains(v) { out.append(v) } }
        return out
    }

    var since: Int64 { now - lookback }

    /// Runs a query with the incident's entities as dynamic parameters (`accounts`, `ips`, `hosts`,
    /// `urls`, `hashes`, `keys`) and `since`; the first result table, or nil when a table it reads does
    /// not exist in this workspace (the module then has nothing to say).
    public func query(_ text: String, extra: [String: Value] = [:]) throws -> Table? {
        var params: [String: Value] = [
            "accounts": .array(accounts.map { .string($0) }), "ips": .array(ips.map { .string($0) }), "hosts": .array(hosts.map { .string($0) }),
            "urls": .array(urls.map { .string($0) }), "hashes": .array(hashes.map { .string($0) }),
            "keys": .array((accounts + ips + hosts + urls + hashes).map { .string($0) }), "since": .datetime(since),
        ]
        for (k, v) in extra { params[k] = v }
        return try Self.query(text, parameters: params, provider: provider, now: now)
    }

    /// A query with these parameters over the provider; nil when a table it reads does not exist.
    public static func query(_ text: String, parameters params: [String: Value], provider: any TableProvider, now: Int64) throws -> Table? {
        let declared = params.keys.sorted().map { k in "\(k):\(params[k]!.kqlType.rawValue)" }.joined(separator: ", ")
        let q = Parser.parse("declare query_parameters(\(declared));\n" + text)
        if let e = q.diagnostics.first(where: { $0.severity == .error }) { throw TriageError(message: "\(e.code): \(e.message)") }
        do {
            return try QueryExecutor(provider: provider, context: EvalContext(now: now), parameters: params).run(q).first?.table
        } catch let e as KQLError where e.code == DiagnosticCode.unknownTable {
            return nil
        } catch let e as KQLError {
            throw TriageError(message: "\(e.code): \(e.message)")
        }
    }
}

public struct TriageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// What a module found, in a form the score and the report can use.
public struct Finding: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case relatedAlert, threatIntel, watchlist, userRisk, hostActivity, anomaly, kqlRows
        /// What an entity is (its forms, public or private, where): context, not scored.
        case entity
        /// How this activity compares with the entity's own history (`level`: match, deviation,
        /// not judged; one summary finding per entity: verified or deviates). Not scored: the review
        /// policy weighs it.
        case context
    }
    public var kind: Kind
    public var summary: String
    /// High / Medium / Low / Informational where it applies (related alerts, user risk).
    public var level: String?
    public var tactics: [String]
    /// The rows that support it (column → value), at most a few.
    public var evidence: [[String: String]]

    public init(kind: Kind, summary: String, level: String? = nil, tactics: [String] = [], evidence: [[String: String]] = []) {
        self.kind = kind; self.summary = summary; self.level = level; self.tactics = tactics; self.evidence = evidence
    }
}

/// One module's result: findings and the comment that goes on the incident.
public struct ModuleReport: Sendable, Codable, Equatable {
    public var module: String
    public var findings: [Finding]
    /// Markdown for the incident's comment (a table like STAT's).
    public var comment: String
    public var error: String?
    public var millis: Double

    public init(module: String, findings: [Finding], comment: String, error: String?, millis: Double) {
        self.module = module; self.findings = findings; self.comment = comment; self.error = error; self.millis = millis
    }

    /// The comment as an HTML table (STAT's form; `vigil triage N --format html`).
    public var html: String { TriageRunner.htmlComment(module, findings, error) }
}

/// An evidence module: a pure function of the context.
public protocol EvidenceModule: Sendable {
    var name: String { get }
    func run(_ ctx: TriageContext) throws -> [Finding]
}

extension Table {
    /// Rows as column → text, for findings and comments.
    func rowDicts(limit: Int = 20) -> [[String: String]] {
        (0..<Swift.min(count, limit)).map { r in
            var d: [String: String] = [:]
            for (i, c) in schema.columns.enumerated() { let v = columns[i].value(at: r); d[c.name] = v.isNull ? "" : v.kqlString }
            return d
        }
    }
}
