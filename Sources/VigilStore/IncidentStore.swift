import Foundation
public import KQL
public import OrderedCollections
public import VigilCore

/// Incidents in the workspace: the current record in SQLite, every change also appended as a row of
/// Sentinel's `SecurityIncident` table (so `SecurityIncident | summarize arg_max(TimeGenerated, *) by
/// IncidentNumber` is the current state, as in Sentinel), and an audit entry per change.
public struct IncidentStore: Sendable {
    public let store: LogStore
    public init(store: LogStore) { self.store = store }
    var db: any StateBackend { store.stateBackend }
    static func decode(_ body: String) throws -> Incident { try JSONDecoder().decode(Incident.self, from: Data(body.utf8)) }

    public typealias AuditEntry = VigilCore.AuditEntry

    /// Incidents not closed, and those closed since `closedSince` (a rule may reopen them).
    public func open(closedSince: Int64) throws -> [Incident] {
        try db.read { c in try c.strings("SELECT body FROM incident WHERE status != 'Closed' OR modified_time >= ? ORDER BY number", [closedSince]).map(Self.decode) }
    }

    public func all() throws -> [Incident] {
        try db.read { c in try c.strings("SELECT body FROM incident ORDER BY number").map(Self.decode) }
    }

    /// Every incident with its version, in one read (the API's lists).
    public func allVersioned() throws -> [(Incident, Int64)] {
        try db.read { c in
            try c.rows("SELECT body, row_time FROM incident ORDER BY number").map { r in (try Self.decode(r.string("body") ?? ""), r.int64("row_time") ?? 0) }
        }
    }

    public func get(number: Int) throws -> Incident? {
        try db.read { c in try c.string("SELECT body FROM incident WHERE number = ?", [number]).map(Self.decode) }
    }

    /// The incident and its version (the time of its latest `SecurityIncident` row): the API's etag.
    public func versioned(number: Int) throws -> (Incident, Int64)? {
        try db.read { c in
            guard let r = try c.row("SELECT body, row_time FROM incident WHERE number = ?", [number]) else { return nil }
            return (try Self.decode(r.string("body") ?? ""), r.int64("row_time") ?? 0)
        }
    }

    /// Deletes an incident (its record and alert links; its `SecurityIncident` rows stay, as history),
    /// with an audit entry. False when there is none.
    @discardableResult
    public func delete(number: Int, actor: String, now: Int64) throws -> Bool {
        try db.write { c in
            guard let id = try c.string("SELECT id FROM incident WHERE number = ?", [number]) else { return false }
            try c.execute("DELETE FROM incident_alert WHERE incident_id = ?", [id])
            try c.execute("DELETE FROM incident WHERE id = ?", [id])
            try c.execute("INSERT INTO audit (time, actor, incident_id, action, detail) VALUES (?, ?, ?, 'deleted', ?)", [now, actor, id, "incident \(number)"])
            return true
        }
    }

    /// A read-modify-write of one incident: `change` gets the current incident and returns the new
    /// one with the audit action and detail (nil: nothing to do). With `ifVersion` the change applies
    /// only to that version (`StoreError.conflict` otherwise, the API's `If-Match`); without it a
    /// concurrent change is retried on the new state, so two comments at once both land.
    /// Nil when there is no such incident.
    @discardableResult
    public func modify(number: Int, actor: String, now: Int64, ifVersion: Int64? = nil,
                       _ change: (Incident) throws -> (Incident, String, String)?) throws -> (Incident, Int64)? {
        for attempt in 0..<20 {
            guard let (inc, version) = try versioned(number: number) else { return nil }
            if let want = ifVersion, want != version {
                throw StoreError.conflict("incident \(number) changed since version \(want) (now \(version)); read it again and retry")
            }
            guard let (out, action, detail) = try change(inc) else { return (inc, version) }
            do {
                try save([out], actor: actor, action: { _ in (action, detail) }, now: now, expecting: [inc.id: version])
            } catch StoreError.conflict where ifVersion == nil && attempt < 19 {
                continue
            }
            return try versioned(number: number)
        }
        throw StoreError.conflict("incident \(number) kept changing; try again")
    }

    public func get(id: String) throws -> Incident? {
        try db.read { c in try c.string("SELECT body FROM incident WHERE id = ?", [id]).map(Self.decode) }
    }
    public func nextNumber() throws -> Int {
        // Numbers are never reused, not even a deleted incident's (its SecurityIncident rows keep it).
        try db.read { c in
            Int(try c.int64("""
                SELECT MAX(n) FROM (SELECT MAX(number) AS n FROM incident
                                    UNION ALL SELECT MAX(CAST(substr(detail, 10) AS BIGINT)) FROM audit WHERE action = 'deleted') AS numbers
                """) ?? 0) + 1
        }
    }

    /// Which of these alert ids are already in an incident.
    public func attached(_ alertIDs: [String]) throws -> Set<String> {
        guard !alertIDs.isEmpty else { return [] }
        return try db.read { c in
            var out = Set<String>()
            for chunk in stride(from: 0, to: alertIDs.count, by: 500).map({ Array(alertIDs[$0..<min($0 + 500, alertIDs.count)]) }) {
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                out.formUnion(try c.strings("SELECT alert_id FROM incident_alert WHERE alert_id IN (\(marks))", chunk))
            }
            return out
        }
    }

    /// Stores incidents created or changed by `actor`, with one audit entry each and their
    /// `SecurityIncident` rows, in one transaction for the state (the table rows follow it).
    /// `expecting`: incident id → the version (`row_time`) the change was based on; a different
    /// current version fails the whole save with `StoreError.conflict` (optimistic concurrency).
    /// `bases`: incident id → the incident as the caller read it before making its change; when the
    /// stored one has changed since (another node, the API), the change is applied to it
    /// (`Incident.rebased`) instead of overwriting what the other writer added.
    public func save(_ incidents: [Incident], actor: String, action: (Incident) -> (String, String), now: Int64, expecting: [String: Int64] = [:],
                     bases: [String: Incident] = [:]) throws {
        guard !incidents.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // The record, the alert links, the audit entry and the SecurityIncident rows commit in one
        // transaction: a change is never half stored, and it costs one fsync.
        // On PostgreSQL the rows follow the committed transaction instead (the log store is elsewhere):
        // the incident record is the truth, its SecurityIncident rows are its history.
        let (pending, rowTimes, stored): (LogStore.PendingWAL?, [Int64], [Incident]) = try db.write { c in
            var rowTimes: [Int64] = [], stored: [Incident] = []
            for var inc in incidents {
                let previous = try c.int64("SELECT row_time FROM incident WHERE id = ?", [inc.id]) ?? Int64.min
                if let base = bases[inc.id], let body = try c.string("SELECT body FROM incident WHERE id = ?", [inc.id]) {
                    let current = try Self.decode(body)
                    if current != base { inc = inc.rebased(from: base, onto: current) }
                }
                if let want = expecting[inc.id], want != previous {
                    throw StoreError.conflict("incident \(inc.number) changed since version \(want) (now \(previous)); read it again and retry")
                }
                let rowTime = max(now, previous == Int64.min ? now : previous + 1)
                rowTimes.append(rowTime)
                stored.append(inc)
                let body = String(decoding: try encoder.encode(inc), as: UTF8.self)
                try c.execute("""
                    INSERT INTO incident (id, number, status, severity, created_time, modified_time, body, row_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET status = excluded.status, severity = excluded.severity, modified_time = excluded.modified_time,
                        body = excluded.body, row_time = excluded.row_time
                    """, [inc.id, inc.number, inc.status.rawValue, inc.severity.rawValue, inc.createdTime, inc.lastModifiedTime, body, rowTime])
                for a in inc.alerts {
                    try c.execute("INSERT INTO incident_alert (alert_id, incident_id) VALUES (?, ?) ON CONFLICT(alert_id) DO UPDATE SET incident_id = excluded.incident_id",
                                  [a.systemAlertID, inc.id])
                }
                let (what, why) = action(inc)
                try c.execute("INSERT INTO audit (time, actor, incident_id, action, detail) VALUES (?, ?, ?, ?, ?)", [now, actor, inc.id, what, why])
            }
            guard let sqlite = c.workspaceSQLite, let t = Self.rows(stored, modifiedBy: actor, times: rowTimes) else { return (nil, rowTimes, stored) }
            return (try store.walInsert(sqlite.db, table: "SecurityIncident", batch: t, addedColumns: []), rowTimes, stored)
        }
        if let pending {
            store.walCommitted(pending)
        } else if let t = Self.rows(stored, modifiedBy: actor, times: rowTimes) {
            try store.appendWAL(table: "SecurityIncident", batch: t, addedColumns: [])
        }
        // Like ingest, seal the write-ahead area into extents when it is due.
        _ = try? store.seal()
    }

    public func audit(incidentID: String) throws -> [AuditEntry] {
        try db.read { c in
            try c.rows("SELECT time, actor, incident_id, action, detail FROM audit WHERE incident_id = ? ORDER BY id", [incidentID]).map {
                AuditEntry(time: $0.int64("time") ?? 0, actor: $0.string("actor") ?? "", incidentID: $0.string("incident_id"), action: $0.string("action") ?? "",
                           detail: $0.string("detail") ?? "")
            }
        }
    }

    /// An audit entry not about one incident (a policy change).
    public func recordAudit(actor: String, action: String, detail: String, now: Int64, incidentID: String? = nil) throws {
        try db.write { c in
            try c.execute("INSERT INTO audit (time, actor, incident_id, action, detail) VALUES (?, ?, ?, ?, ?)", [now, actor, incidentID, action, detail])
        }
    }

    /// How many audit entries of `actor` with `action` after `since` (the reviewer's daily budget).
    /// When each audited action of this actor happened since `since`, oldest first.
    public func auditTimes(actor: String, action: String, since: Int64) throws -> [Int64] {
        try db.read { c in try c.int64s("SELECT time FROM audit WHERE actor = ? AND action = ? AND time > ? ORDER BY time", [actor, action, since]) }
    }

    public func auditCount(actor: String, action: String, since: Int64) throws -> Int {
        try db.read { c in Int(try c.int64("SELECT COUNT(*) FROM audit WHERE actor = ? AND action = ? AND time > ?", [actor, action, since]) ?? 0) }
    }

    /// The `SecurityIncident` rows of these changes, with Sentinel's columns.
    static func rows(_ incidents: [Incident], modifiedBy: String, times: [Int64]) -> Table? {
        guard let schema = SchemaCatalog.builtIn["SecurityIncident"] else { return nil }
        let rows = zip(incidents, times).map { row($0, modifiedBy: modifiedBy, now: $1) }
        let cols = schema.columns.filter { c in rows.contains { $0[c.name] != nil } }
        return Table.from(schema: Schema(cols), rows: rows.map { r in cols.map { r[$0.name] ?? .null } })
    }

    /// An incident as a `SecurityIncident` row (Sentinel's columns; Vigil's additions in `AdditionalData`).
    public static func row(_ inc: Incident, modifiedBy: String, now: Int64) -> OrderedDictionary<String, Value> {
        let labels = Value.array(inc.labels.map { .bag(["labelName": .string($0.labelName), "labelType": .string($0.labelType.rawValue)]) })
        var owner: OrderedDictionary<String, Value> = [:]
        owner["assignedTo"] = inc.owner.assignedTo.map(Value.string) ?? .null
        owner["email"] = inc.owner.email.map(Value.string) ?? .null
        owner["userPrincipalName"] = inc.owner.userPrincipalName.map(Value.string) ?? .null
        owner["objectId"] = inc.owner.objectId.map(Value.string) ?? .null
        let additional: OrderedDictionary<String, Value> = [
            "alertsCount": .long(Int64(inc.alerts.count)),
            "commentsCount": .long(Int64(inc.comments.count)),
            "alertProductNames": .array([.string("Vigil")]),
            "tactics": .array(inc.tactics.map { .string($0.rawValue) }),
            "techniques": .array(inc.techniques.map { .string($0) }),
            "confidence": .real(inc.confidence),
        ]
        var row: OrderedDictionary<String, Value> = [
            "TimeGenerated": .datetime(now),
            "IncidentName": .string(inc.id),
            "Title": .string(inc.title),
            "Description": .string(inc.description),
            "Severity": .string(inc.severity.rawValue),
            "Status": .string(inc.status.rawValue),
            "Classification": .string(inc.classification?.rawValue ?? ""),
            "ClassificationComment": .string(inc.classificationComment ?? ""),
            "ClassificationReason": .string(inc.classificationReason?.rawValue ?? ""),
            "Owner": .bag(owner),
            "FirstActivityTime": .datetime(inc.firstActivityTime),
            "LastActivityTime": .datetime(inc.lastActivityTime),
            "LastModifiedTime": .datetime(inc.lastModifiedTime),
            "CreatedTime": .datetime(inc.createdTime),
            "IncidentNumber": .long(Int64(inc.number)),
            "RelatedAnalyticRuleIds": .array(inc.relatedAnalyticRuleIds.map { .string($0) }),
            "AlertIds": .array(inc.alerts.map { .string($0.systemAlertID) }),
            "BookmarkIds": .array([]),
            "Comments": .array(inc.comments.map { .bag(["message": .string($0.message), "author": .string($0.author), "createdTimeUtc": .datetime($0.createdTime)]) }),
            "Labels": labels,
            "IncidentUrl": .string("/incidents/\(inc.number)"),
            "ProviderName": .string(inc.providerName),
            "ProviderIncidentId": .string(String(inc.number)),
            "AdditionalData": .bag(additional),
            "ModifiedBy": .string(modifiedBy),
            "SourceSystem": .string("Vigil"),
        ]
        if let c = inc.closedTime { row["ClosedTime"] = .datetime(c) }
        return row
    }
}
