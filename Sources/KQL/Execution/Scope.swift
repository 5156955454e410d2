import KQLSyntax

/// A `let` scope: names bound to constants, tables, lambdas or (inside an inlined function) expressions.
final class Scope: @unchecked Sendable {
    enum Binding {
        case scalar(Value, KQLType)
        case tabular(ExprSyntax, Scope)
        case table(Table)
        case function(LambdaSyntax, Scope)
        case expr(BoundExpr)
        /// A scalar argument of an inlined function, compiled in the caller's row context.
        case argument(ExprSyntax, Scope)
    }

    let parent: Scope?
    var bindings: [String: Binding] = [:]
    var tableCache: [String: Table] = [:]

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> (Binding, Scope)? {
        if let b = bindings[name] { return (b, self) }
        return parent?.lookup(name)
    }

    func child() -> Scope { Scope(parent: self) }
}
