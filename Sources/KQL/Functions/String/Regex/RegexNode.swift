/// The parsed form of a regular expression in Kusto's dialect (the Rust `regex` crate's syntax, which
/// Kusto's reference documents). Flags are already applied: a case-insensitive letter is `caseless`,
/// `.` knows whether it takes a newline, `^`/`$` know whether they are line or text anchors.
indirect enum RegexNode: Sendable {
    case empty
    case literal(UInt32)
    /// A scalar matched with its simple case variants (`(?i)`).
    case caseless(UInt32)
    case set(ScalarSet)
    case any(newline: Bool)
    case assertion(RegexAssertion, unicode: Bool)
    case capture(RegexNode, index: Int)
    case concat([RegexNode])
    case alternate([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)
}

enum RegexAssertion: Int32, Sendable {
    case beginText, endText, beginLine, endLine, beginLineCRLF, endLineCRLF
    case wordBoundary, notWordBoundary, wordStart, wordEnd, wordStartHalf, wordEndHalf
}

/// A pattern that is not in Kusto's regex syntax, or asks for what a linear-time engine cannot do
/// (backreferences, lookaround): the message names the construct and its position in the pattern.
struct RegexSyntaxError: Error, Sendable {
    var message: String
    var position: Int
}
