public import KQL
import KQLSyntax
import Foundation
public import VigilCore

/// Lints a parsed rule the way Sentinel would refuse it, and more: the schema of the file, Sentinel's
/// scheduling invariants and limits, the query (it must parse and bind against the catalog), and
/// everything the rule reads from the query's output (entity, custom-detail and override columns).
public struct RuleValidator: Sendable {
    public let catalog: any TableProvider
    public let now: Int64

    public init(catalog: any TableProvider, now: Int64) { self.catalog = catalog; self.now = now }

    /// Every problem of the rule; an empty list means Vigil can run it.
    public func validate(_ p: RuleParser.Parsed) -> [RuleDiagnostic] {
        var out = p.diagnostics
        let r = p.rule
        func add(_ field: String, _ code: String, _ message: String, _ severity: RuleDiagnostic.Severity = .error) {
            out.append(RuleDiagnostic(file: p.file, line: p.line(field), code: code, message: message, severity: severity))
        }
        if r.id.isEmpty { add("id", "VGR1003", "id is missing") }
        else if UUID(uuidString: r.id) == nil { add("id", "VGR1004", "id '\(r.id)' is not a GUID") }
        if r.name.isEmpty { add("name", "VGR1003", "name is missing") }
        if r.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { add("query", "VGR1003", "query is missing") }
        if p.lines["severity"] == nil { add("severity", "VGR1003", "severity is missing") }
        if p.lines["name"].map({ _ in r.name.count > 256 }) ?? false { add("name", "VGR2010", "name is longer than 256 characters") }

        let minDuration = 5 * Ticks.perMinute, maxDuration = 14 * Ticks.perDay
        switch r.kind {
        case .scheduled, .anomaly:
            if p.lines["queryFrequency"] == nil { add("queryFrequency", "VGR2001", "a scheduled rule needs queryFrequency") }
            else if r.queryFrequency < minDuration || r.queryFrequency > maxDuration {
                add("queryFrequency", "VGR2002", "queryFrequency \(RuleDuration.format(r.queryFrequency)) is outside 5m to 14d")
            }
            if p.lines["queryPeriod"] == nil { add("queryPeriod", "VGR2001", "a scheduled rule needs queryPeriod") }
            else if r.queryPeriod < minDuration || r.queryPeriod > maxDuration {
                add("queryPeriod", "VGR2002", "queryPeriod \(RuleDuration.format(r.queryPeriod)) is outside 5m to 14d")
            }
            if r.queryPeriod > 0, r.queryFrequency > r.queryPeriod {
                add("queryPeriod", "VGR2003", "queryPeriod \(RuleDuration.format(r.queryPeriod)) is shorter than queryFrequency \(RuleDuration.format(r.queryFrequency)): rows between runs are never examined", .warning)
            }
            if r.kind == .scheduled {
                if p.lines["triggerOperator"] == nil { add("triggerOperator", "VGR2001", "a scheduled rule needs triggerOperator") }
                if p.lines["triggerThreshold"] == nil { add("triggerThreshold", "VGR2001", "a scheduled rule needs triggerThreshold") }
            }
        case .nrt:
            for f in ["queryFrequency", "queryPeriod"] where p.lines[f] != nil {
                add(f, "VGR2004", "near-real-time rules run every minute over new rows; \(f) is ignored", .warning)
            }
        }
        if r.dynamicThreshold != nil, r.triggerOperator != .gt {
            add("triggerOperator", "VGR2011", "a dynamic threshold is learned as an upper bound: triggerOperator must be gt")
        }
        if r.kind == .anomaly, r.dynamicThreshold != nil {
            add("triggerThreshold", "VGR2011", "an anomaly rule has no trigger: every output row is an anomaly", .warning)
        }
        for param in r.parameters where r.query.range(of: #"\blet\s+\#(param.key)\s*="#, options: .regularExpression) != nil {
            add("parameters", "VGR2012", "the query declares `let \(param.key)` itself, which hides the parameter")
        }
        if r.triggerThreshold < 0 || r.triggerThreshold > 10_000 { add("triggerThreshold", "VGR2005", "triggerThreshold must be between 0 and 10000") }
        if r.suppressionEnabled && (r.suppressionDuration < minDuration || r.suppressionDuration > 14 * Ticks.perDay) {
            add("suppressionDuration", "VGR2006", "suppressionDuration must be between 5m and 14d when suppression is enabled")
        }
        if r.entityMappings.count > 10 { add("entityMappings", "VGR2007", "at most 10 entity mappings (found \(r.entityMappings.count))") }
        for m in r.entityMappings where m.fieldMappings.count > 3 || m.fieldMappings.isEmpty {
            add("entityMappings", "VGR2007", "a \(m.entityType.rawValue) mapping needs 1 to 3 identifiers (found \(m.fieldMappings.count))")
        }
        if r.customDetails.count > 20 { add("customDetails", "VGR2008", "at most 20 custom details (found \(r.customDetails.count))") }
        if let o = r.alertDetailsOverride {
            for (field, text) in [("alertDisplayNameFormat", o.displayNameFormat), ("alertDescriptionFormat", o.descriptionFormat)] {
                if let t = text, Self.placeholders(t).count > 3 { add("alertDetailsOverride", "VGR2009", "\(field) uses more than 3 {{Column}} placeholders") }
            }
        }

        // The query: it must parse and bind; its output schema is what the rest reads.
        let q = Parser.parse(r.effectiveQuery)
        // The parameters' `let`s are one line before the query's first.
        let queryLine = p.line("query") - (r.parameters.isEmpty ? 0 : 1)
        let syntax = q.diagnostics.filter { $0.severity == .error }
        for d in syntax {
            let (l, c) = q.source.location(of: d.span.start)
            out.append(RuleDiagnostic(file: p.file, line: queryLine + l, code: "VGR3001", message: "query \(d.code) at \(l):\(c): \(d.message)"))
        }
        guard syntax.isEmpty, !r.query.isEmpty else { return out }
        let output: Schema
        do {
            let ex = QueryExecutor(provider: SchemaOnlyTables(base: catalog), context: EvalContext(now: now))
            ex.bindOnly = true  // externaldata is not fetched: its declared schema is enough
            guard let first = try ex.run(q).first else { add("query", "VGR3003", "the query returns no table"); return out }
            output = first.table.schema
        } catch let e as KQLError {
            let (l, c) = q.source.location(of: e.span.start)
            out.append(RuleDiagnostic(file: p.file, line: queryLine + l, code: "VGR3002", message: "query \(e.code) at \(l):\(c): \(e.message)"))
            return out
        } catch {
            add("query", "VGR3002", "query: \(error)")
            return out
        }
        let columns = Set(output.names)
        func need(_ field: String, _ column: String, _ what: String) {
            if !columns.contains(column) { add(field, "VGR3004", "\(what) column '\(column)' is not in the query's output (\(output.names.prefix(12).joined(separator: ", "))\(output.names.count > 12 ? ", ..." : ""))") }
        }
        if r.kind == .anomaly {
            if let i = output.index(of: "Score") {
                if !output.columns[i].type.isNumeric { add("query", "VGR3005", "an anomaly rule's Score column must be numeric (it is \(output.columns[i].type))") }
            } else { need("query", "Score", "an anomaly rule's") }
        }
        for m in r.entityMappings { for f in m.fieldMappings { need("entityMappings", f.columnName, "\(m.entityType.rawValue).\(f.identifier)") } }
        for d in r.customDetails { need("customDetails", d.value, "custom detail \(d.key)") }
        if let o = r.alertDetailsOverride {
            for t in [o.displayNameFormat, o.descriptionFormat].compactMap({ $0 }) { for c in Self.placeholders(t) { need("alertDetailsOverride", c, "placeholder") } }
            if let c = o.severityColumnName { need("alertDetailsOverride", c, "severity") }
            if let c = o.tacticsColumnName { need("alertDetailsOverride", c, "tactics") }
            for d in o.dynamicProperties { need("alertDetailsOverride", d.value, "dynamic property \(d.key)") }
        }
        return out
    }

    /// `{{Column}}` names in an override format.
    public static func placeholders(_ text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            out.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return out
    }
}

/// The catalog with every table empty: validating a rule binds its query without reading data.
public struct SchemaOnlyTables: TableProvider {
    public let base: any TableProvider
    public init(base: any TableProvider) { self.base = base }
    public func schema(of table: String) -> Schema? { base.schema(of: table) }
    public func tableNames() -> [String] { base.tableNames() }
    public func scan(_ table: String, request: ScanRequest) throws -> Table {
        let s = base.schema(of: table) ?? Schema([])
        guard let cols = request.columns else { return Table.empty(s) }
        let keep = Set(cols)
        return Table.empty(Schema(s.columns.filter { keep.contains($0.name) }))
    }
    public func storedFunction(named name: String) -> StoredFunction? { base.storedFunction(named: name) }
}
