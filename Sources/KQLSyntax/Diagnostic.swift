/// A user-facing problem with a stable code: `KQL1xxx` syntax, `KQL2xxx` binding and types, `KQL4xxx` runtime.
public struct Diagnostic: Sendable, Hashable, Codable, Error {
    public enum Severity: String, Sendable, Codable { case error, warning }
    public var code: String
    public var message: String
    public var span: Span
    public var severity: Severity

    public init(_ code: String, _ message: String, at span: Span, severity: Severity = .error) {
        self.code = code; self.message = message; self.span = span; self.severity = severity
    }

    /// `error KQL1001 at 3:14: message`, then the source line and a caret under the column.
    public func render(in source: SourceText) -> String {
        let (line, col) = source.location(of: span.start)
        var text = Array(source.line(containing: span.start))
        var caret = col - 1
        // Very long lines (minified queries) are shown as a window around the error.
        if text.count > 160 {
            let start = max(0, min(caret - 80, text.count - 160))
            text = Array(text[start..<min(text.count, start + 160)])
            caret -= start
        }
        let prefix = String(text.prefix(caret).map { $0 == "\t" ? "\t" as Character : " " as Character })
        return "\(severity.rawValue) \(code) at \(line):\(col): \(message)\n  \(String(text))\n  \(prefix)^"
    }
}

/// The stable diagnostic codes, named so call sites read as intent.
public enum DiagnosticCode {
    public static let unexpectedCharacter = "KQL1001"
    public static let unterminatedString = "KQL1002"
    public static let expectedToken = "KQL1003"
    public static let expectedExpression = "KQL1004"
    public static let unknownOperator = "KQL1005"
    public static let badLiteral = "KQL1006"
    public static let expectedQuery = "KQL1007"
    public static let tooDeep = "KQL1008"
    public static let unknownTable = "KQL2001"
    public static let unknownColumn = "KQL2002"
    public static let unknownFunction = "KQL2003"
    public static let typeMismatch = "KQL2004"
    public static let wrongArguments = "KQL2005"
    public static let notTabular = "KQL2006"
    public static let notScalar = "KQL2007"
    public static let duplicateColumn = "KQL2008"
    public static let badArgument = "KQL2009"
    public static let unsupported = "KQL2010"
    public static let unknownParameter = "KQL2011"
    public static let recursion = "KQL2012"
    public static let runtime = "KQL4001"
    public static let invalidRegex = "KQL4002"
    public static let budgetExceeded = "KQL4003"
    public static let externalData = "KQL4004"
    public static let conversion = "KQL4005"
}
