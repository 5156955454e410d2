import KQLSyntax

/// A leading `where` that reads one string column through string operators with constant operands
/// (`CommandLine has "bitsadmin" or CommandLine contains "-enc"`), as a test of a value's UTF-8
/// bytes. A store that keeps the column dictionary-coded runs it once per distinct value on the
/// stored bytes, and hands the filter only the rows that can pass: no `String` is made for the
/// others. The filter itself still runs on those rows, so the test only has to be exact for them;
/// it is (the same `StringMatch.Needle` the operators use).
public struct StringPrefilter: Sendable {
    public let column: String
    let node: Node

    indirect enum Node: Sendable {
        case match(StringMatch.Needle, negated: Bool)
        case and(Node, Node)
        case or(Node, Node)
        case not(Node)
    }

    /// Whether a value with these bytes passes.
    public func test(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { Self.eval(node, bytes) }

    /// Whether a null passes: a string null is the empty string to the operators.
    public var nullPasses: Bool {
        [UInt8]().withUnsafeBufferPointer { test($0) }
    }

    static func eval(_ n: Node, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        switch n {
        case .match(let needle, let negated): return needle.matches(bytes: b) != negated
        case .and(let l, let r): return eval(l, b) && eval(r, b)
        case .or(let l, let r): return eval(l, b) || eval(r, b)
        case .not(let x): return !eval(x, b)
        }
    }

    /// The prefilter of `pred` over `schema`, when it has that shape; nil otherwise. `shadowed`:
    /// names bound by `let`, which are not the table's columns.
    static func of(_ pred: ExprSyntax, schema: Schema, shadowed: (String) -> Bool) -> StringPrefilter? {
        var column: String?
        func node(_ e: ExprSyntax) -> Node? {
            switch e {
            case .binary(let op, let l, let r, _):
                switch op {
                case "and": return node(l).flatMap { a in node(r).map { .and(a, $0) } }
                case "or": return node(l).flatMap { a in node(r).map { .or(a, $0) } }
                default: break
                }
                guard let (_, mode, cs, neg) = OperatorFunctions.stringOps.first(where: { $0.0 == op }),
                      case .name(let name, _) = l, case .literal(.string(let text), _) = r,
                      !shadowed(name), schema.columns.first(where: { $0.name == name })?.type == .string,
                      column == nil || column == name else { return nil }
                let needle = StringMatch.Needle(text, mode: mode, caseSensitive: cs)
                // A case-insensitive needle beyond ASCII is lowered as a String; bytes alone cannot.
                guard cs || needle.ascii else { return nil }
                column = name
                return .match(needle, negated: neg)
            case .call("not", let args, _) where args.count == 1:
                return node(args[0].value).map { .not($0) }
            default:
                return nil
            }
        }
        guard let n = node(pred), let column else { return nil }
        return StringPrefilter(column: column, node: n)
    }
}
