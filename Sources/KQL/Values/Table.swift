/// A materialised result or input: a schema and one column per schema entry.
public struct Table: Sendable {
    public var schema: Schema
    public var columns: [Column]
    public var count: Int

    public init(schema: Schema, columns: [Column]) {
        self.schema = schema
        self.columns = columns
        self.count = columns.first?.count ?? 0
    }

    public init(schema: Schema, columns: [Column], count: Int) {
        self.schema = schema
        self.columns = columns
        self.count = count
    }

    public static func empty(_ schema: Schema) -> Table {
        Table(schema: schema, columns: schema.columns.map { Column.empty($0.type) }, count: 0)
    }

    /// Builds a table from rows of boxed values (tests, datatable, small results).
    public static func from(schema: Schema, rows: [[Value]]) -> Table {
        var builders = schema.columns.map { ColumnBuilder(type: $0.type, capacity: rows.count) }
        for r in rows {
            for c in 0..<builders.count { builders[c].append(c < r.count ? r[c] : .null) }
        }
        return Table(schema: schema, columns: builders.map { $0.finish() }, count: rows.count)
    }

    public func gather(_ idx: [Int]) -> Table {
        let missing = idx.contains { $0 < 0 }
        let cols = columns
        return Table(schema: schema, columns: Parallel.map(cols.count, work: idx.count * cols.count) { cols[$0].gather(idx, hasMissing: missing) }, count: idx.count)
    }

    public func gather(_ idx: [Int32]) -> Table {
        let cols = columns
        return Table(schema: schema, columns: Parallel.map(cols.count, work: idx.count * cols.count) { cols[$0].gather(idx) }, count: idx.count)
    }

    public func filter(_ mask: [Bool]) -> Table {
        var idx: [Int] = []
        for i in 0..<mask.count where mask[i] { idx.append(i) }
        return gather(idx)
    }

    public func slice(_ r: Range<Int>) -> Table {
        Table(schema: schema, columns: columns.map { $0.slice(r) }, count: r.count)
    }

    public func row(_ i: Int) -> [Value] { columns.map { $0.value(at: i) } }
    public var rows: [[Value]] { (0..<count).map { row($0) } }

    public func column(named n: String) -> Column? { schema.index(of: n).map { columns[$0] } }
}
