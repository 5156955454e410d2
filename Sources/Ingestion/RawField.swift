/// How a parser saw a value, which decides its conversion: JSON `"5"` and `5` both make a long,
/// but only a JSON object or array is taken whole into a `dynamic` column without re-parsing text.
public enum FieldKind: UInt8, Sendable {
    /// Text: CSV cells, JSON strings (unescaped), syslog and CEF values.
    case text
    case number
    case bool
    case null
    /// A JSON object or array, as its raw text.
    case json
}
