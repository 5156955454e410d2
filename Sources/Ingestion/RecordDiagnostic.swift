/// One problem with one record or value: where (source, line, column) and why. The record itself
/// is kept whenever any of it is usable; a value that does not convert is stored as null.
public struct RecordDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case warning, error }
    public var source: String
    public var line: Int
    public var column: String?
    public var reason: String
    /// `.error`: the record was skipped. `.warning`: the record landed, a value was nulled or dropped.
    public var severity: Severity

    public init(source: String, line: Int, column: String? = nil, reason: String, severity: Severity = .warning) {
        self.source = source; self.line = line; self.column = column; self.reason = reason; self.severity = severity
    }

    public var description: String {
        (line > 0 ? "\(source):\(line): " : "\(source): ") + "\(severity.rawValue): " + (column.map { "\($0): " } ?? "") + reason
    }
}

/// Diagnostics of one input, capped so that a million bad values cannot exhaust memory; the counts stay exact.
public struct DiagnosticLog: Sendable {
    public private(set) var items: [RecordDiagnostic] = []
    public private(set) var warnings = 0
    public private(set) var skippedRecords = 0
    public let cap: Int

    public init(cap: Int = 200) { self.cap = cap }

    public mutating func add(_ d: RecordDiagnostic) {
        if d.severity == .error { skippedRecords += 1 } else { warnings += 1 }
        if items.count < cap { items.append(d) }
    }

    public mutating func merge(_ other: DiagnosticLog) {
        warnings += other.warnings
        skippedRecords += other.skippedRecords
        for d in other.items where items.count < cap { items.append(d) }
    }
}
