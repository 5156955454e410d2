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
    /// Names bound here as a function's parameters (not `let`s): `print p` names its column `print_0`.
    var parameterNames: Set<String> = []
    /// Every scope of one query. A `let` of a tabular expression or a function keeps its defining
    /// scope, which holds the binding: a cycle that reference counting never frees, so the executor
    /// breaks them all when it goes (`releaseAll`), or each query would leak its materialised tables.
    let registry: Registry

    final class Registry: @unchecked Sendable {
        var scopes: [Scope] = []
        func releaseAll() {
            for s in scopes { s.bindings = [:]; s.tableCache = [:] }
            scopes = []
        }
    }

    init(parent: Scope?) {
        self.parent = parent
        registry = parent?.registry ?? Registry()
        registry.scopes.append(self)
    }

    func lookup(_ name: String) -> (Binding, Scope)? {
        if let b = bindings[name] { return (b, self) }
        return parent?.lookup(name)
    }

    func child() -> Scope { Scope(parent: self) }

    /// Whether a name resolves to a function parameter.
    func isParameter(_ name: String) -> Bool {
        if bindings[name] != nil { return parameterNames.contains(name) }
        return parent?.isParameter(name) ?? false
    }

    /// Every name visible from here (for suggestions).
    var names: [String] { Array(bindings.keys) + (parent?.names ?? []) }
}
