/// One problem in one rule file, printed as `file:line: code message`. Codes: `VGR1xxx` the file's
/// shape (YAML, fields, values), `VGR2xxx` Sentinel's scheduling and limits, `VGR3xxx` the query and
/// what the rule reads from its output.
public struct RuleDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    public var line: Int
    public var code: String
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, code: String, message: String, severity: Severity = .error) {
        self.file = file; self.line = line; self.code = code; self.message = message; self.severity = severity
    }

    public var description: String { "\(file):\(line): \(code) \(severity == .warning ? "warning: " : "")\(message)" }
}
