public import KQL
import Foundation

/// Collects parsed records into one table's typed columns. Parsers resolve field names to column
/// indices once (per header, or per key position), then set values by index; the builder converts each
/// value to the declared type, fills what a record did not set, and stamps `TimeGenerated`, `Type` and
/// `_IngestionTime`. Only columns some record set are materialised: a 200-column Sentinel table fed
/// 20 columns stores 20.
public struct BatchBuilder {
    public enum ColumnPolicy: Sendable {
        /// Built-in tables: the schema is Sentinel's; unknown fields are dropped and reported once.
        case fixed
        /// Custom (`_CL`) tables: unknown fields become new columns, typed from their first values.
        case extensible
    }

    public let table: String
    public let policy: ColumnPolicy
    /// A table created with declared columns reports each field it drops (once per field and batch
    /// builder); Sentinel's built-in tables drop export decorations silently.
    public var warnsDroppedFields = false
    /// Dynamic values set as JSON text (`setJSON`) stay text in the batch: for a store, which writes
    /// them as text; a batch queried in memory needs them parsed (the default).
    public var keepsJSONText = false
    public let source: String
    public let ingestionTime: Int64
    /// False for files queried in place (`vigil query --table`): no `Type`, `_IngestionTime` or
    /// invented `TimeGenerated`, only what the file holds.
    public let stampsSystemColumns: Bool
    public private(set) var columns: [ColumnSchema]
    /// Columns this builder added to a custom table's schema (the store persists them).
    public internal(set) var addedColumns: [ColumnSchema] = []
    public internal(set) var rows = 0
    public var diagnostics = DiagnosticLog()

    var lookup: [String: Int] = [:]
    var appenders: [ColumnAppender?]
    var lastSet: [Int]
    var active: [Int] = []
    var dropped: [String: Int] = [:]
    var line = 0
    let timeIndex: Int
    let typeIndex: Int
    let ingestIndex: Int
    /// Datetime columns that stand in for a missing `TimeGenerated`, in order of preference.
    var timeFallbacks: [Int] = []

    public static let systemColumns = ["TimeGenerated", "Type", "_IngestionTime"]
    static let timeFallbackNames = ["EventTime", "eventTime", "CreatedDateTime", "createdDateTime", "Timestamp", "timestamp", "@timestamp",
                                    "TimeCreated", "createdAt", "published", "time", "Time", "date"]

    public init(table: String, schema: Schema, policy: ColumnPolicy, source: String, ingestionTime: Int64, stampsSystemColumns: Bool = true) {
        self.table = table
        self.stampsSystemColumns = stampsSystemColumns
        self.policy = policy
        self.source = source
        self.ingestionTime = ingestionTime
        var cols = schema.columns
        for (n, t) in [("TimeGenerated", KQLType.datetime), ("Type", .string), ("_IngestionTime", .datetime)] where !cols.contains(where: { $0.name == n }) {
            cols.append(ColumnSchema(n, t))
            // A custom table records its system columns with its first batch (the store adds `_IngestionTime`).
            if policy == .extensible, n != "_IngestionTime", stampsSystemColumns { addedColumns.append(ColumnSchema(n, t)) }
        }
        columns = cols
        appenders = Array(repeating: nil, count: cols.count)
        lastSet = Array(repeating: -1, count: cols.count)
        for (i, c) in cols.enumerated() { lookup[c.name] = i }
        timeIndex = lookup["TimeGenerated"]!
        typeIndex = lookup["Type"]!
        ingestIndex = lookup["_IngestionTime"]!
        refreshTimeFallbacks()
    }

    mutating func refreshTimeFallbacks() {
        timeFallbacks = Self.timeFallbackNames.compactMap { n in lookup[n].flatMap { columns[$0].type == .datetime ? $0 : nil } }
        // A custom table's first datetime column is its event time when no conventional name is there
        // (the Data Collector API's time-generated-field, guessed).
        if policy == .extensible, timeFallbacks.isEmpty,
           let first = columns.indices.first(where: { columns[$0].type == .datetime && !Self.systemColumns.contains(columns[$0].name) }) {
            timeFallbacks = [first]
        }
    }

    /// The column a field name lands in, or nil when it is dropped. Export decorations are undone:
    /// `TimeGenerated [UTC]` is `TimeGenerated`, and the lab exports' `DeviceDetail_dynamic` is `DeviceDetail`.
    public mutating func resolve(_ rawName: String, firstValue: UnsafeBufferPointer<UInt8>? = nil, kind: FieldKind = .text) -> Int? {
        if let i = lookup[rawName] { return i >= 0 ? i : nil }
        var name = rawName.trimmingCharacters(in: .whitespaces)
        if let br = name.range(of: " ["), name.hasSuffix("]") { name = String(name[..<br.lowerBound]) }
        if let i = lookup[name], i >= 0 { lookup[rawName] = i; return i }
        for suffix in ["_dynamic", "_string"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let i = lookup[base], i >= 0, policy == .fixed { lookup[rawName] = i; return i }
        }
        guard policy == .extensible, !name.isEmpty else {
            lookup[rawName] = -1
            if warnsDroppedFields, !name.isEmpty {
                diagnostics.add(RecordDiagnostic(source: source, line: line, column: name, reason: "not a column of \(table); the field is dropped (declare it to keep it)"))
            }
            return nil
        }
        // A null says nothing about the type: the column is declared by its first real value.
        if kind == .null, Self.suffixType(name) == nil { return nil }
        let type = Self.inferType(name: name, firstValue: firstValue, kind: kind)
        return declare(name, type, alias: rawName)
    }

    /// Adds a column to a custom table (inference from a sample, or a first value).
    @discardableResult
    public mutating func declare(_ name: String, _ type: KQLType, alias: String? = nil) -> Int {
        if let i = lookup[name], i >= 0 { return i }
        let i = columns.count
        columns.append(ColumnSchema(name, type))
        addedColumns.append(ColumnSchema(name, type))
        appenders.append(nil)
        lastSet.append(-1)
        lookup[name] = i
        if let alias { lookup[alias] = i }
        if type == .datetime { refreshTimeFallbacks() }
        return i
    }

    public mutating func beginRecord(line: Int) { self.line = line }

    /// How far into the input the parser is (bytes), for progress reporting.
    public var position = 0

    /// Sets a field of the current record; a second value for the same column is ignored (first wins).
    public mutating func set(_ col: Int, _ b: UnsafeBufferPointer<UInt8>, kind: FieldKind) {
        guard lastSet[col] != rows else { return }
        if stampsSystemColumns && (col == typeIndex || col == ingestIndex) { return }
        touch(col)
        if !appenders[col]!.append(b, kind: kind) {
            diagnostics.add(RecordDiagnostic(source: source, line: line, column: columns[col].name,
                                             reason: "'\(String(decoding: b.prefix(60), as: UTF8.self))' is not a \(columns[col].type.rawValue); stored as null"))
        }
    }

    public mutating func set(_ col: Int, value: Value) {
        guard lastSet[col] != rows, !stampsSystemColumns || (col != typeIndex && col != ingestIndex) else { return }
        touch(col)
        if !appenders[col]!.append(value: value) {
            diagnostics.add(RecordDiagnostic(source: source, line: line, column: columns[col].name,
                                             reason: "'\(value.kqlString.prefix(60))' is not a \(columns[col].type.rawValue); stored as null"))
        }
    }

    /// Sets a dynamic column from JSON text its caller wrote (the text is not checked): kept as text
    /// when the builder `keepsJSONText` (a store writes it as it is), otherwise parsed.
    public mutating func setJSON(_ col: Int, _ b: UnsafeBufferPointer<UInt8>) {
        guard keepsJSONText, columns[col].type == .dynamic else { set(col, value: Value.parseJSON(String(decoding: b, as: UTF8.self))); return }
        guard lastSet[col] != rows, !stampsSystemColumns || (col != typeIndex && col != ingestIndex) else { return }
        touch(col)
        appenders[col]!.appendJSONText(b)
    }

    public mutating func set(_ name: String, _ text: String) {
        var t = text
        guard let c = t.withUTF8({ resolve(name, firstValue: $0) }) else { noteDropped(name); return }
        t.withUTF8 { set(c, $0, kind: .text) }
    }

    public mutating func set(_ name: String, value: Value) {
        guard let c = resolve(name, kind: value.kqlType == .dynamic ? .json : .text) else { noteDropped(name); return }
        set(c, value: value)
    }

    /// Counts a field that has no column (reported once per name at the end).
    public mutating func noteDropped(_ name: String) { dropped[name, default: 0] += 1 }

    @inline(__always) mutating func touch(_ col: Int) {
        if appenders[col] == nil {
            var a = ColumnAppender(type: columns[col].type, capacity: rows + 1)
            for _ in 0..<rows { a.appendNull() }
            appenders[col] = a
            active.append(col)
        }
        lastSet[col] = rows
    }

    /// Finishes the current record: unset columns get nulls, `TimeGenerated` falls back to the event's
    /// own time column and then to the ingestion time, `Type` is the table.
    public mutating func endRecord() {
        if stampsSystemColumns, lastSet[timeIndex] != rows || appenders[timeIndex]!.isLastNull {
            var t: Int64? = nil
            for f in timeFallbacks where lastSet[f] == rows { if let v = appenders[f]!.lastInt64 { t = v; break } }
            if lastSet[timeIndex] == rows { appenders[timeIndex]!.replaceLast(t ?? ingestionTime) }
            else { touch(timeIndex); appenders[timeIndex]!.append(value: .datetime(t ?? ingestionTime)) }
        }
        for c in active where lastSet[c] != rows { appenders[c]!.appendNull() }
        rows += 1
    }

    /// The batch: only the columns some record set, plus `TimeGenerated`, `Type` and `_IngestionTime`.
    public mutating func finish() -> Table {
        for (name, n) in dropped.sorted(by: { $0.key < $1.key }) {
            diagnostics.add(RecordDiagnostic(source: source, line: 0, column: name, reason: "not a column of \(table); \(n) value\(n == 1 ? "" : "s") dropped"))
        }
        dropped = [:]
        if !stampsSystemColumns {
            let keep = active.sorted()
            return Table(schema: Schema(keep.map { columns[$0] }), columns: keep.map { appenders[$0]!.finish() }, count: rows)
        }
        var keep = active.filter { $0 != typeIndex && $0 != ingestIndex }
        if appenders[timeIndex] == nil { keep.append(timeIndex) }
        keep.sort()
        var schemaCols: [ColumnSchema] = [], cols: [Column] = []
        for c in keep {
            schemaCols.append(columns[c])
            cols.append(appenders[c]?.finish() ?? Column.constant(.datetime(ingestionTime), type: .datetime, count: rows))
        }
        schemaCols.append(columns[typeIndex]); cols.append(Column(type: .string, data: .dict(codes: [UInt32](repeating: 0, count: rows), values: [table])))
        schemaCols.append(columns[ingestIndex]); cols.append(Column(type: .datetime, data: .int64([Int64](repeating: ingestionTime, count: rows))))
        return Table(schema: Schema(schemaCols), columns: cols, count: rows)
    }

    /// The narrowest type for a new custom column: Log Analytics' type suffixes first (`_s`, `_d`,
    /// `_b`, `_t`, `_g`), then the value itself.
    public static func inferType(name: String, firstValue: UnsafeBufferPointer<UInt8>?, kind: FieldKind) -> KQLType {
        if name == "TimeGenerated" { return .datetime }
        if let t = suffixType(name) { return t }
        switch kind {
        case .json: return .dynamic
        case .bool: return .bool
        case .number:
            guard let b = firstValue else { return .real }
            return ColumnAppender.parseInt(b) != nil ? .long : .real
        case .null: return .string
        case .text:
            guard let b = firstValue, !b.isEmpty else { return .string }
            return inferText(String(decoding: b, as: UTF8.self))
        }
    }

    /// Log Analytics' custom-column type suffixes.
    static func suffixType(_ name: String) -> KQLType? {
        guard let u = name.lastIndex(of: "_"), name.index(after: u) < name.endIndex else { return nil }
        switch name[name.index(after: u)...] {
        case "s": return .string
        case "d": return .real
        case "b": return .bool
        case "t": return .datetime
        case "g": return .guid
        default: return nil
        }
    }

    /// The type a sample of text values fits (all of them), for CSV headers and the like.
    public static func inferText(_ s: String) -> KQLType {
        if s.isEmpty { return .string }
        if Int64(s) != nil { return .long }
        if Double(s) != nil, s.first?.isNumber == true || s.first == "-" { return .real }
        if s.count >= 8, s.first?.isNumber == true, DateTimeParser.parse(s) != nil { return .datetime }
        if s.lowercased() == "true" || s.lowercased() == "false" { return .bool }
        if s.first == "{" || s.first == "[" {
            switch Value.parseJSON(s) {
            case .bag, .array: return .dynamic
            default: break
            }
        }
        return .string
    }

    public static func inferSample(_ values: [String]) -> KQLType {
        var kinds = Set<KQLType>()
        for v in values where !v.isEmpty { kinds.insert(inferText(v)); if kinds.count > 2 { break } }
        if kinds.isEmpty { return .string }
        if kinds.count == 1 { return kinds.first! }
        if kinds == [.long, .real] { return .real }
        return .string
    }
}

extension ColumnAppender {
    var isLastNull: Bool { nulls.last ?? true }
    var lastInt64: Int64? { (nulls.last == false) ? ints.last : nil }
    mutating func replaceLast(_ v: Int64) {
        ints[ints.count - 1] = v
        nulls[nulls.count - 1] = false
    }
}
