import Testing
import KQL
import OrderedCollections

/// Every scalar function, called with extreme values at every argument position, must return
/// (a value, a null, or a KQLError), never trap: overflow, huge repeats and bad indexes included.
@Suite struct FunctionEdgeTests {
    static let edges: [Value] = [
        .null, .long(0), .long(-1), .long(Int64.max), .long(Int64.min), .real(1e308), .real(-.infinity), .real(.nan),
        .string(""), .string("a,b;c=1 \"q\" 10.1.2.3"), .datetime(Ticks.maxDatetime), .datetime(Ticks.minDatetime),
        .timespan(Int64.max), .timespan(Int64.min), .bool(true), .array([.long(1), .null, .string("x")]),
        .bag(["k": .array([.long(2)])]), .guid("00000000-0000-0000-0000-000000000001"),
    ]

    static let functions: [FunctionDef] = FunctionRegistry.all.values.sorted { $0.name < $1.name }

    @Test(arguments: functions.map(\.name))
    func neverTraps(_ name: String) {
        let f = FunctionRegistry.lookup(name)!
        let ctx = EvalContext(now: 0)
        var rng = SplitMix(seed: UInt64(name.utf8.count) &* 2654435761 &+ UInt64(name.utf8.first ?? 0))
        var calls = 0
        for arity in f.minArgs...max(f.minArgs, min(f.maxArgs, 4)) {
            let combos: [[Value]]
            switch arity {
            case 0: combos = [[]]
            case 1: combos = Self.edges.map { [$0] }
            case 2: combos = Self.edges.flatMap { a in Self.edges.map { [a, $0] } }
            default: combos = (0..<400).map { _ in (0..<arity).map { _ in Self.edges.randomElement(using: &rng)! } }
            }
            for args in combos {
                calls += 1
                let vecs = args.map { Vec.column(Column.from(values: [$0], type: $0.kqlType)) }
                if let v = f.vector { _ = try? v(vecs, args.map(\.kqlType), 1, ctx) }
                if let r = f.row { _ = try? r(args, ctx) }
            }
        }
        #expect(calls > 0)
    }
}
