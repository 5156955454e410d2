import OrderedCollections

/// `buildschema(DynamicExpr)`: the smallest schema that admits every value, as Kusto writes it: a
/// primitive type name, a container `{name: type}` (arrays as the `` `indexer` `` key), or an array of
/// alternatives when a slot has several.
struct SchemaBuilder {
    final class Node {
        var primitives = OrderedSet<String>()
        var fields: OrderedDictionary<String, Node>?
        var element: Node?

        func add(_ v: Value) {
            switch v {
            case .null: return
            case .bag(let b):
                if fields == nil { fields = [:] }
                for (k, x) in b { let n = fields![k] ?? Node(); n.add(x); fields![k] = n }
            case .array(let items):
                let e = element ?? Node()
                for x in items { e.add(x) }
                element = e
            default:
                primitives.append(Self.typeName(v))
            }
        }

        static func typeName(_ v: Value) -> String {
            switch v.kqlType {
            case .real: return "double"
            case .long: return "long"
            case .int: return "int"
            default: return v.kqlType.rawValue
            }
        }

        var value: Value {
            var alternatives: [Value] = primitives.map { .string($0) }
            if fields != nil || element != nil {
                var c = OrderedDictionary<String, Value>()
                for (k, n) in fields ?? [:] { c[k] = n.value }
                if let e = element { c["`indexer`"] = e.value }
                alternatives.append(.bag(c))
            }
            if alternatives.isEmpty { return .null }
            return alternatives.count == 1 ? alternatives[0] : .array(alternatives)
        }
    }
}

extension Aggregates {
    static func buildSchema(_ a: AggInput) -> Column {
        let roots = (0..<a.ngroups).map { _ in SchemaBuilder.Node() }
        for i in 0..<a.n where a.included(i) { roots[Int(a.groups[i])].add(a.args[0].value(at: i)) }
        return Column(type: .dynamic, data: .value(roots.map(\.value)))
    }
}
