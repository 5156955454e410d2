/// One lexical token. Keywords are identifiers: KQL's keywords are contextual, so the parser decides.
public struct Token: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case identifier      // also keywords and `$left`; `['quoted names']` arrive unquoted in `text`
        case quotedIdentifier
        case string          // `text` holds the decoded value
        case int
        case real
        case timespan        // `text` holds the literal as written, e.g. `1.5h`
        case typedLiteral    // `datetime(...)`, `guid(...)`, `time(...)`: `text` is `name:raw contents`
        case punct           // operators and punctuation, in `text`
        case end
        case bad
    }
    public var kind: Kind
    public var text: String
    public var span: Span
    /// Whether whitespace or a comment precedes it: `project-away` is one name, `a - b` is not.
    public var spaceBefore: Bool

    public func isPunct(_ p: String) -> Bool { kind == .punct && text == p }
    /// Case-sensitive keyword test, as Kusto's keywords are.
    public func isKeyword(_ k: String) -> Bool { kind == .identifier && text == k }
}
