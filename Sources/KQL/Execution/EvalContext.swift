/// What an expression may read besides its input: the fixed `now`, limits, and a deterministic seed.
public struct EvalContext: Sendable {
    /// `now()` for the whole query, in ticks: fixed per query, settable for reproducible runs.
    public var now: Int64
    public var maxRows: Int
    public var seed: UInt64
    public init(now: Int64, maxRows: Int = 50_000_000, seed: UInt64 = 0x5EED) {
        self.now = now; self.maxRows = maxRows; self.seed = seed
    }
}

/// Errors of the KQL module: user mistakes at bind time and failures at run time, each with a code
/// and the source span, mapped to exit codes or HTTP statuses only at the boundary.
public struct KQLError: Error, Sendable, CustomStringConvertible {
    public enum Phase: Sendable { case syntax, binding, runtime }
    public var phase: Phase
    public var code: String
    public var message: String
    public var span: Span
    public init(_ phase: Phase, _ code: String, _ message: String, _ span: Span = .none) {
        self.phase = phase; self.code = code; self.message = message; self.span = span
    }
    public var description: String { "\(code): \(message)" }
    public var diagnostic: Diagnostic { Diagnostic(code, message, at: span) }

    static func bind(_ code: String, _ message: String, _ span: Span) -> KQLError { KQLError(.binding, code, message, span) }
    static func runtime(_ message: String, _ span: Span = .none, code: String = DiagnosticCode.runtime) -> KQLError { KQLError(.runtime, code, message, span) }
}

public import KQLSyntax
