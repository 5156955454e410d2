public import Foundation
public import Notifications
import Reports
import Yams

/// `vigil.yaml`: every key is optional; absent keys take the defaults documented in `defaultText`.
public struct WorkspaceConfig: Sendable, Equatable {
    public var ingest = Ingest()
    public var storage = Storage()
    public var retention = Retention()
    public var server = Server()
    public var syslog = Syslog()
    public var detection = Detection()
    public var reports = Reports()
    public var notifications = Notifications()
    /// Where the shared state lives, as written: `sqlite` (the workspace's file) or a PostgreSQL URL;
    /// nil when vigil.yaml does not say, and then `VIGIL_STATE` from the environment decides.
    public var state: String?
    /// The PostgreSQL URL to use, nil for SQLite. A password can stay out of the file: PGPASSWORD.
    public var stateURL: String? {
        let chosen = state ?? ProcessInfo.processInfo.environment["VIGIL_STATE"] ?? "sqlite"
        return chosen.isEmpty || chosen == "sqlite" ? nil : chosen
    }

    public struct Ingest: Sendable, Equatable {
        /// Rows per extent written by a file ingest (and per parse batch).
        public var batchRows = 1_000_000
        /// Unsealed write-ahead rows of a table that trigger sealing them into an extent.
        public var sealRows = 100_000
        /// Age of the oldest write-ahead batch that triggers sealing, in seconds.
        public var sealSeconds = 60
        /// Unsealed rows of all tables beyond which ingest answers "busy" (back-pressure, not drops).
        public var maxPendingRows = 5_000_000
    }
    public struct Storage: Sendable, Equatable {
        /// Extents below this many rows are merged with their neighbours.
        public var mergeBelowRows = 250_000
        /// Merged extents stop growing at this many rows.
        public var targetExtentRows = 4_000_000
        /// Memory for decoded columns kept between queries.
        public var cacheMegabytes = 4096
    }
    public struct Retention: Sendable, Equatable {
        public var defaultDays = 90
        /// Per-table overrides: `retention.tables.Syslog: 30`.
        public var tables: [String: Int] = [:]
        public func days(for table: String) -> Int { tables[table] ?? defaultDays }
    }
    public struct Server: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// `tokens`: every `/api` route needs a bearer token with its role (`vigil tokens create`);
        /// `none`: no authentication (a single-user machine, tests).
        public var auth = "tokens"
    }
    public struct Syslog: Sendable, Equatable {
        public var enabled = false
        public var host = "127.0.0.1"
        public var udpPort = 5514
        public var tcpPort = 5514
    }

    public struct Detection: Sendable, Equatable {
        /// Whether `vigil serve` runs the analytics rules.
        public var enabled = true
        /// Rule directory, relative to the workspace.
        public var rules = "rules"
        /// Ingestion delay subtracted from each scheduled window (Sentinel: 5 minutes).
        public var delaySeconds = 300
        /// How often near-real-time rules run (Sentinel: every minute).
        public var nrtSeconds = 60
        /// Missed runs of a scheduled rule made up after downtime, at most.
        public var maxBackfillRuns = 24
        /// Several `vigil serve` nodes: the one holding the detection lease runs the rules, the one
        /// holding a digest period's lease runs that period; another takes over either this long
        /// after its holder stops renewing.
        public var leaseSeconds = 15
    }

    /// The riskiest-incidents digest (docs/reports.md).
    public struct Reports: Sendable, Equatable {
        public var enabled = true
        /// Five-field cron, in `timeZone`: Fridays at 07:00.
        public var schedule = "0 7 * * 5"
        public var timeZone = "UTC"
        public var days = 7
        public var count = 10
        public var minScore = 0
        /// The label added to each reported incident.
        public var tag = "Vigil Report"
        /// Channels the digest posts to (names from `notifications.channels`); empty: all of them.
        public var channels: [String] = []
        /// The selection query over `SecurityIncident`; nil: `RiskyIncidents.defaultQuery`.
        public var query: String?
        /// The UI's address for links in posts; nil: the server's own address.
        public var uiBaseURL: String?
    }

    public struct Notifications: Sendable, Equatable {
        public var channels: [Channel] = []
        public var maxAttempts = 12
        public var baseDelaySeconds = 5
        public var maxDelaySeconds = 3600
    }

    /// A channel as written: the secret inline or, better, named by an environment variable.
    public struct Channel: Sendable, Equatable {
        public var name: String
        public var kind: NotificationChannel.Kind
        public var url: String
        public var secret: String?
        public var secretEnv: String?
        public func resolved(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> NotificationChannel {
            NotificationChannel(name: name, kind: kind, url: url, secret: secret ?? secretEnv.flatMap { environment[$0] })
        }
    }

    public init() {}

    /// The file `vigil init` writes: the defaults, with what each key does.
    public static let defaultText = """
    # Vigil workspace configuration. Every key is optional; the values shown are the defaults.
    # state: postgres://vigil:secret@db.internal:5432/vigil   # incidents, audit, tokens, rule runs and the
    #                           # outbox in PostgreSQL, shared by several `vigil serve` nodes (default: the
    #                           # workspace's SQLite file, or VIGIL_STATE from the environment when unset);
    #                           # the password may come from PGPASSWORD instead
    ingest:
      batchRows: 1000000        # rows per extent written by a file ingest
      sealRows: 100000          # unsealed write-ahead rows of a table that trigger sealing into an extent
      sealSeconds: 60           # age of the oldest unsealed batch that triggers sealing
      maxPendingRows: 5000000   # beyond this many unsealed rows, ingest answers busy (HTTP 503) instead of dropping
    storage:
      mergeBelowRows: 250000    # extents smaller than this are merged with their neighbours
      targetExtentRows: 4000000 # merged extents stop growing here
      cacheMegabytes: 4096      # decoded columns kept in memory between queries
    retention:
      defaultDays: 90           # whole extents older than this are dropped
      tables: {}                # per-table overrides, e.g. {Syslog: 30}
    server:
      host: 127.0.0.1
      port: 8080
      auth: tokens              # every /api route needs a token (vigil tokens create); `none` turns that off
    syslog:
      enabled: false            # a UDP and TCP (RFC 6587) listener in `vigil serve`
      host: 127.0.0.1
      udpPort: 5514
      tcpPort: 5514
    detection:
      enabled: true             # run the analytics rules in `vigil serve`
      rules: rules              # rule directory (Sentinel YAML or ARM JSON), relative to the workspace
      delaySeconds: 300         # ingestion delay subtracted from scheduled windows (Sentinel: 5 minutes)
      nrtSeconds: 60            # how often near-real-time rules run
      maxBackfillRuns: 24       # missed runs per rule made up after downtime
      leaseSeconds: 15          # with several serve nodes, another takes over the rules (or a digest) this long after one dies
    reports:
      enabled: true             # the scheduled riskiest-incidents digest in `vigil serve`
      schedule: "0 7 * * 5"     # cron (minute hour day month weekday): Fridays at 07:00
      timeZone: UTC             # the schedule's time zone, e.g. Europe/Paris
      days: 7                   # incidents created in the last N days
      count: 10                 # at most this many incidents
      minScore: 0               # with at least this risk score (the `Risk Score - N` label)
      tag: Vigil Report         # label added to each reported incident
      channels: []              # channel names to post to; empty: every channel below
      # query: |                # the selection over SecurityIncident (default in docs/reports.md);
      #   SecurityIncident | ...  it may use the parameters lookback, topCount and minScore
      # uiBaseURL: https://vigil.example.org   # links in posts; default: the server's address
    notifications:
      channels: []              # e.g. - {name: soc, type: teams, url: "https://..."}
                                #      - {name: alerts, type: slack, url: "https://hooks.slack.com/services/..."}
                                #      - {name: siem, type: webhook, url: "https://...", secretEnv: VIGIL_WEBHOOK_SECRET}
      maxAttempts: 12           # deliveries tried this often (backoff with jitter) before they are marked failed
      baseDelaySeconds: 5
      maxDelaySeconds: 3600

    """

    /// Parses YAML text; unknown keys are errors so that typos do not silently fall back to defaults.
    public static func parse(_ text: String) throws -> WorkspaceConfig {
        guard let node = try Yams.load(yaml: text) else { return WorkspaceConfig() }
        guard let root = node as? [String: Any] else { throw StoreError.workspace("vigil.yaml: the top level must be a mapping") }
        var c = WorkspaceConfig()
        func section(_ name: String, _ keys: Set<String>) throws -> [String: Any] {
            guard let v = root[name] else { return [:] }
            guard let m = v as? [String: Any] else { throw StoreError.workspace("vigil.yaml: '\(name)' must be a mapping") }
            for k in m.keys where !keys.contains(k) { throw StoreError.workspace("vigil.yaml: unknown key '\(name).\(k)'") }
            return m
        }
        func int(_ m: [String: Any], _ k: String, _ path: String) throws -> Int? {
            guard let v = m[k] else { return nil }
            guard let i = v as? Int, i >= 0 else { throw StoreError.workspace("vigil.yaml: '\(path).\(k)' must be a non-negative integer") }
            return i
        }
        for k in root.keys where !["state", "ingest", "storage", "retention", "server", "syslog", "detection", "reports", "notifications"].contains(k) {
            throw StoreError.workspace("vigil.yaml: unknown section '\(k)'")
        }
        if let v = root["state"] {
            guard let url = v as? String, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") || url == "sqlite" else {
                throw StoreError.workspace("vigil.yaml: 'state' is sqlite or a postgres://user:password@host:port/database URL")
            }
            c.state = url
        }
        let ing = try section("ingest", ["batchRows", "sealRows", "sealSeconds", "maxPendingRows"])
        if let v = try int(ing, "batchRows", "ingest") { c.ingest.batchRows = max(1, v) }
        if let v = try int(ing, "sealRows", "ingest") { c.ingest.sealRows = max(1, v) }
        if let v = try int(ing, "sealSeconds", "ingest") { c.ingest.sealSeconds = v }
        if let v = try int(ing, "maxPendingRows", "ingest") { c.ingest.maxPendingRows = v }
        let st = try section("storage", ["mergeBelowRows", "targetExtentRows", "cacheMegabytes"])
        if let v = try int(st, "mergeBelowRows", "storage") { c.storage.mergeBelowRows = v }
        if let v = try int(st, "targetExtentRows", "storage") { c.storage.targetExtentRows = max(1, v) }
        if let v = try int(st, "cacheMegabytes", "storage") { c.storage.cacheMegabytes = v }
        let ret = try section("retention", ["defaultDays", "tables"])
        if let v = try int(ret, "defaultDays", "retention") { c.retention.defaultDays = v }
        if let t = ret["tables"] {
            guard let m = t as? [String: Any] else { throw StoreError.workspace("vigil.yaml: 'retention.tables' must map table names to days") }
            for (k, v) in m {
                guard let d = v as? Int, d >= 0 else { throw StoreError.workspace("vigil.yaml: 'retention.tables.\(k)' must be a number of days") }
                c.retention.tables[k] = d
            }
        }
        let srv = try section("server", ["host", "port", "auth"])
        if let h = srv["host"] { c.server.host = "\(h)" }
        if let a = srv["auth"] {
            guard let v = a as? String, ["tokens", "none"].contains(v) else { throw StoreError.workspace("vigil.yaml: 'server.auth' is tokens or none") }
            c.server.auth = v
        }
        if let v = try int(srv, "port", "server") { c.server.port = v }
        let sl = try section("syslog", ["enabled", "host", "udpPort", "tcpPort"])
        if let e = sl["enabled"] { guard let b = e as? Bool else { throw StoreError.workspace("vigil.yaml: 'syslog.enabled' must be true or false") }; c.syslog.enabled = b }
        if let h = sl["host"] { c.syslog.host = "\(h)" }
        if let v = try int(sl, "udpPort", "syslog") { c.syslog.udpPort = v }
        if let v = try int(sl, "tcpPort", "syslog") { c.syslog.tcpPort = v }
        let det = try section("detection", ["enabled", "rules", "delaySeconds", "nrtSeconds", "maxBackfillRuns", "leaseSeconds"])
        if let e = det["enabled"] { guard let b = e as? Bool else { throw StoreError.workspace("vigil.yaml: 'detection.enabled' must be true or false") }; c.detection.enabled = b }
        if let r = det["rules"] { c.detection.rules = "\(r)" }
        if let v = try int(det, "delaySeconds", "detection") { c.detection.delaySeconds = v }
        if let v = try int(det, "nrtSeconds", "detection") { c.detection.nrtSeconds = max(1, v) }
        if let v = try int(det, "maxBackfillRuns", "detection") { c.detection.maxBackfillRuns = v }
        if let v = try int(det, "leaseSeconds", "detection") { c.detection.leaseSeconds = max(2, v) }
        let rep = try section("reports", ["enabled", "schedule", "timeZone", "days", "count", "minScore", "tag", "channels", "query", "uiBaseURL"])
        if let e = rep["enabled"] { guard let b = e as? Bool else { throw StoreError.workspace("vigil.yaml: 'reports.enabled' must be true or false") }; c.reports.enabled = b }
        if let v = rep["schedule"] { c.reports.schedule = "\(v)" }
        if let v = rep["timeZone"] { c.reports.timeZone = "\(v)" }
        guard let zone = TimeZone(identifier: c.reports.timeZone) else { throw StoreError.workspace("vigil.yaml: 'reports.timeZone' \(c.reports.timeZone) is not a time zone (e.g. UTC, Europe/Paris)") }
        do { _ = try CronSchedule(c.reports.schedule, timeZone: zone) } catch { throw StoreError.workspace("vigil.yaml: 'reports.schedule': \(error.message)") }
        if let v = try int(rep, "days", "reports") { c.reports.days = max(1, v) }
        if let v = try int(rep, "count", "reports") { c.reports.count = v }
        if let v = rep["minScore"] { guard let i = v as? Int else { throw StoreError.workspace("vigil.yaml: 'reports.minScore' must be an integer") }; c.reports.minScore = i }
        if let v = rep["tag"] { c.reports.tag = "\(v)" }
        if let v = rep["channels"] {
            guard let l = v as? [Any] else { throw StoreError.workspace("vigil.yaml: 'reports.channels' must be a list of channel names") }
            c.reports.channels = l.map { "\($0)" }
        }
        if let v = rep["query"] as? String, !v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { c.reports.query = v }
        if let v = rep["uiBaseURL"] { c.reports.uiBaseURL = "\(v)" }
        let notes = try section("notifications", ["channels", "maxAttempts", "baseDelaySeconds", "maxDelaySeconds"])
        if let v = try int(notes, "maxAttempts", "notifications") { c.notifications.maxAttempts = max(1, v) }
        if let v = try int(notes, "baseDelaySeconds", "notifications") { c.notifications.baseDelaySeconds = max(1, v) }
        if let v = try int(notes, "maxDelaySeconds", "notifications") { c.notifications.maxDelaySeconds = max(1, v) }
        if let v = notes["channels"] {
            guard let l = v as? [Any] else { throw StoreError.workspace("vigil.yaml: 'notifications.channels' must be a list") }
            for (i, item) in l.enumerated() {
                guard let m = item as? [String: Any] else { throw StoreError.workspace("vigil.yaml: notifications.channels[\(i)] must be a mapping") }
                for k in m.keys where !["name", "type", "url", "secret", "secretEnv"].contains(k) {
                    throw StoreError.workspace("vigil.yaml: unknown key 'notifications.channels[\(i)].\(k)'")
                }
                guard let name = m["name"].map({ "\($0)" }), !name.isEmpty else { throw StoreError.workspace("vigil.yaml: notifications.channels[\(i)] needs a name") }
                guard let kind = (m["type"] as? String).flatMap({ NotificationChannel.Kind(rawValue: $0.lowercased()) }) else {
                    throw StoreError.workspace("vigil.yaml: notifications.channels[\(i)] (\(name)): type must be teams, slack or webhook")
                }
                guard let url = m["url"] as? String, let u = URL(string: url), ["http", "https"].contains(u.scheme?.lowercased() ?? "") else {
                    throw StoreError.workspace("vigil.yaml: notifications.channels[\(i)] (\(name)): url must be an http(s) URL")
                }
                guard !c.notifications.channels.contains(where: { $0.name == name }) else { throw StoreError.workspace("vigil.yaml: two channels are named \(name)") }
                c.notifications.channels.append(Channel(name: name, kind: kind, url: url, secret: m["secret"].map { "\($0)" }, secretEnv: m["secretEnv"].map { "\($0)" }))
            }
        }
        for n in c.reports.channels where !c.notifications.channels.contains(where: { $0.name == n }) {
            throw StoreError.workspace("vigil.yaml: 'reports.channels' names \(n), which is not in notifications.channels")
        }
        return c
    }
}
