/// Typed column storage. `int`, `long`, `datetime` and `timespan` use `int64`; `real` and `decimal` use
/// `double`; `string` and `guid` use `string`; `dynamic` uses `value`.
public enum ColumnData: Sendable {
    case bool([Bool])
    case int64([Int64])
    case double([Double])
    case string([String])
    /// Dictionary-encoded strings: each row is an index into `values`. Low-cardinality columns
    /// (hosts, accounts, event names) take 4 bytes a row, and string kernels run once per distinct value.
    case dict(codes: [UInt32], values: [String])
    case value([Value])
}

/// One column: a typed buffer plus an optional null mask (`true` = null). Strings are never null.
public struct Column: Sendable {
    public var type: KQLType
    public var data: ColumnData
    public var nulls: [Bool]?

    public init(type: KQLType, data: ColumnData, nulls: [Bool]? = nil) {
        self.type = type
        self.data = data
        self.nulls = nulls.flatMap { $0.contains(true) ? $0 : nil }
    }

    public var count: Int {
        switch data {
        case .bool(let a): return a.count
        case .int64(let a): return a.count
        case .double(let a): return a.count
        case .string(let a): return a.count
        case .dict(let c, _): return c.count
        case .value(let a): return a.count
        }
    }

    @inline(__always) public func isNull(_ i: Int) -> Bool {
        if let n = nulls { return n[i] }
        if case .value(let a) = data { return a[i].isNull }
        return false
    }

    /// The value at a row, boxed. For the long tail of functions and for output, not for hot loops.
    public func value(at i: Int) -> Value {
        if let n = nulls, n[i] { return .null }
        switch data {
        case .bool(let a): return .bool(a[i])
        case .int64(let a):
            switch type {
            case .datetime: return .datetime(a[i])
            case .timespan: return .timespan(a[i])
            default: return .long(a[i])
            }
        case .double(let a): return .real(a[i])
        case .string(let a): return type == .guid ? .guid(a[i]) : .string(a[i])
        case .dict(let c, let v): return type == .guid ? .guid(v[Int(c[i])]) : .string(v[Int(c[i])])
        case .value(let a): return a[i]
        }
    }

    /// An empty column of a type.
    public static func empty(_ type: KQLType) -> Column {
        Column(type: type, data: ColumnData.empty(for: type))
    }

    /// Builds a column from boxed values, converting each to the column's type (null where impossible).
    public static func from(values: [Value], type: KQLType) -> Column {
        var b = ColumnBuilder(type: type, capacity: values.count)
        for v in values { b.append(v) }
        return b.finish()
    }

    /// A column repeating one value.
    public static func constant(_ v: Value, type: KQLType, count: Int) -> Column {
        let conv = v.converted(to: type)
        if conv.isNull && type != .string && type != .dynamic {
            let data: ColumnData
            switch type {
            case .bool: data = .bool([Bool](repeating: false, count: count))
            case .real, .decimal: data = .double([Double](repeating: 0, count: count))
            case .guid: data = .string([String](repeating: "", count: count))
            default: data = .int64([Int64](repeating: 0, count: count))
            }
            return Column(type: type, data: data, nulls: count > 0 ? [Bool](repeating: true, count: count) : nil)
        }
        switch (type, conv) {
        case (.bool, .bool(let b)): return Column(type: type, data: .bool([Bool](repeating: b, count: count)))
        case (_, _) where type.isInt64Backed: return Column(type: type, data: .int64([Int64](repeating: conv.asInt64 ?? 0, count: count)))
        case (.real, _), (.decimal, _): return Column(type: type, data: .double([Double](repeating: conv.asDouble ?? 0, count: count)))
        case (.string, .string(let s)), (.guid, .guid(let s)): return Column(type: type, data: .string([String](repeating: s, count: count)))
        case (.string, _): return Column(type: type, data: .string([String](repeating: "", count: count)))
        default: return Column(type: type, data: .value([Value](repeating: conv, count: count)))
        }
    }

    /// Rows by 32-bit indices (filters build these: half the memory of `[Int]` on large tables).
    public func gather(_ idx: [Int32]) -> Column {
        gatherPresent(idx, nulls: nulls.map { n in idx.map { n[Int($0)] } })
    }

    /// Rows at the given indices, in that order; `-1` yields a null (used by outer joins).
    public func gather(_ idx: [Int], hasMissing known: Bool? = nil) -> Column {
        var outNulls: [Bool]? = nil
        let hasMissing = known ?? idx.contains(-1)
        if nulls != nil || hasMissing {
            outNulls = idx.map { $0 < 0 || (nulls?[$0] ?? false) }
        }
        // The common case (filters, inner joins): plain indexed loads over unchecked buffers.
        if !hasMissing { return gatherPresent(idx, nulls: outNulls) }
        switch data {
        case .bool(let a): return Column(type: type, data: .bool(idx.map { $0 < 0 ? false : a[$0] }), nulls: outNulls)
        case .int64(let a): return Column(type: type, data: .int64(idx.map { $0 < 0 ? 0 : a[$0] }), nulls: outNulls)
        case .double(let a): return Column(type: type, data: .double(idx.map { $0 < 0 ? 0 : a[$0] }), nulls: outNulls)
        case .string(let a): return Column(type: type, data: .string(idx.map { $0 < 0 ? "" : a[$0] }), nulls: type == .guid ? outNulls : nil)
        case .dict(let c, var v):
            // Missing rows (outer joins) need the empty string in the dictionary.
            var empty = UInt32(0)
            if hasMissing { empty = UInt32(v.count); v.append("") }
            return Column(type: type, data: .dict(codes: idx.map { $0 < 0 ? empty : c[$0] }, values: v), nulls: type == .guid ? outNulls : nil)
        case .value(let a): return Column(type: type, data: .value(idx.map { $0 < 0 ? .null : a[$0] }))
        }
    }

    /// Gather when every index names a row.
    private func gatherPresent<I: BinaryInteger>(_ idx: [I], nulls outNulls: [Bool]?) -> Column {
        @inline(__always) func take<T>(_ a: [T]) -> [T] { a.withUnsafeBufferPointer { p in idx.map { p[Int($0)] } } }
        switch data {
        case .bool(let a): return Column(type: type, data: .bool(take(a)), nulls: outNulls)
        case .int64(let a): return Column(type: type, data: .int64(take(a)), nulls: outNulls)
        case .double(let a): return Column(type: type, data: .double(take(a)), nulls: outNulls)
        case .string(let a): return Column(type: type, data: .string(take(a)), nulls: type == .guid ? outNulls : nil)
        case .dict(let c, let v): return Column(type: type, data: .dict(codes: take(c), values: v), nulls: type == .guid ? outNulls : nil)
        case .value(let a): return Column(type: type, data: .value(take(a)))
        }
    }

    /// Rows where `mask` is true.
    public func filter(_ mask: [Bool]) -> Column {
        var idx: [Int] = []
        idx.reserveCapacity(mask.count / 4)
        for i in 0..<mask.count where mask[i] { idx.append(i) }
        return gather(idx)
    }

    public func slice(_ range: Range<Int>) -> Column {
        let n = nulls.map { Array($0[range]) }
        switch data {
        case .bool(let a): return Column(type: type, data: .bool(Array(a[range])), nulls: n)
        case .int64(let a): return Column(type: type, data: .int64(Array(a[range])), nulls: n)
        case .double(let a): return Column(type: type, data: .double(Array(a[range])), nulls: n)
        case .string(let a): return Column(type: type, data: .string(Array(a[range])), nulls: n)
        case .dict(let c, let v): return Column(type: type, data: .dict(codes: Array(c[range]), values: v), nulls: n)
        case .value(let a): return Column(type: type, data: .value(Array(a[range])))
        }
    }

    /// The null mask of concatenated parts, nil when none has nulls.
    static func concatNulls(_ parts: [Column]) -> [Bool]? {
        guard parts.contains(where: { $0.nulls != nil }) else { return nil }
        var out: [Bool] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts {
            if let pn = p.nulls { out.append(contentsOf: pn) } else { out.append(contentsOf: repeatElement(false, count: p.count)) }
        }
        return out
    }

    /// Concatenates columns of one type. Dictionary-encoded parts stay dictionary-encoded: their
    /// dictionaries are merged and the codes remapped, so extents of a stored table concatenate cheaply;
    /// plain parts among them (an extent stored plain) join the dictionary unless they prove mostly
    /// distinct (`ColumnAppender`).
    public static func concat(_ parts: [Column], type: KQLType) -> Column {
        if parts.count == 1, parts[0].type == type { return parts[0] }
        if type == .string || type == .guid, parts.allSatisfy({ $0.type == type }), parts.contains(where: { p in
            if case .dict = p.data { return true }
            return false
        }) {
            // Pieces of one column (parallel chunks, join halves) share one dictionary buffer: keep it.
            if case .dict(_, let first) = parts[0].data {
                let base = first.withUnsafeBufferPointer { $0.baseAddress }
                if parts.allSatisfy({ p in
                    if case .dict(_, let v) = p.data { return v.count == first.count && v.withUnsafeBufferPointer { $0.baseAddress } == base }
                    return false
                }) {
                    var codes: [UInt32] = []
                    codes.reserveCapacity(parts.reduce(0) { $0 + $1.count })
                    for p in parts { if case .dict(let c, _) = p.data { codes.append(contentsOf: c) } }
                    return Column(type: type, data: .dict(codes: codes, values: first), nulls: concatNulls(parts))
                }
            }
            var a = ColumnAppender(type: type, capacity: parts.reduce(0) { $0 + $1.count })
            for p in parts { a.append(p) }
            return a.finish()
        }
        return concatBuilt(parts, type: type)
    }

    /// Concatenation row by row into a builder (plain storage).
    static func concatBuilt(_ parts: [Column], type: KQLType) -> Column {
        var b = ColumnBuilder(type: type, capacity: parts.reduce(0) { $0 + $1.count })
        for p in parts {
            if p.type == type {
                b.append(column: p)
            } else {
                for i in 0..<p.count { b.append(p.value(at: i)) }
            }
        }
        return b.finish()
    }
}

extension Column {
    /// Applies `f` once per distinct string (per dictionary entry, or per row for plain strings) and
    /// returns the per-row results; nil when the column does not hold strings.
    @inlinable public func perString<T>(_ f: (String) throws -> T) rethrows -> [T]? {
        switch data {
        case .string(let a): return try a.map(f)
        case .dict(let c, let v):
            if Self.fewRows(c.count, of: v.count) { return try c.map { try f(v[Int($0)]) } }
            let mapped = try v.map(f)
            return c.map { mapped[Int($0)] }
        default: return nil
        }
    }

    /// A few rows gathered from a big dictionary (a rule's one-minute window of a month's extent, a
    /// filter's survivors) must not pay for every distinct string of the month: they go row by row.
    @inlinable static func fewRows(_ rows: Int, of dictionary: Int) -> Bool { rows * 2 < dictionary }

    /// `perString` split across cores: the distinct values, then the per-row lookups.
    public func perStringParallel<T: Sendable>(_ f: @Sendable (String) -> T) -> [T]? {
        switch data {
        // A string test costs more than a row operation: split from 12,500 strings (a dictionary of
        // command lines is a plain column here, and ran on one core).
        case .string(let a): return Parallel.chunkedMap(a.count, work: a.count * 16) { r in a[r].map(f) }
        case .dict(let c, let v) where Self.fewRows(c.count, of: v.count):
            return Parallel.chunkedMap(c.count) { r in c[r].map { f(v[Int($0)]) } }
        case .dict(let c, let v):
            let mapped = Parallel.chunkedMap(v.count, work: v.count * 16) { r in v[r].map(f) }
            return Parallel.chunkedMap(c.count) { r in c[r].map { mapped[Int($0)] } }
        default: return nil
        }
    }

    /// Plain strings of a string-backed column (decoding a dictionary when needed).
    public var strings: [String]? {
        switch data {
        case .string(let a): return a
        case .dict(let c, let v): return c.map { v[Int($0)] }
        default: return nil
        }
    }

    /// Dictionary-encodes a string column (used by loaders for low-cardinality columns).
    public static func dictionaryEncoded(_ strings: [String], type: KQLType = .string, nulls: [Bool]? = nil) -> Column {
        var index = [String: UInt32]()
        var values: [String] = []
        var codes = [UInt32](repeating: 0, count: strings.count)
        for (i, s) in strings.enumerated() {
            if let k = index[s] { codes[i] = k } else { let k = UInt32(values.count); index[s] = k; values.append(s); codes[i] = k }
        }
        return Column(type: type, data: .dict(codes: codes, values: values), nulls: nulls)
    }
}

/// The union of two null masks (nil = no nulls).
@inline(__always) func mergeNulls(_ a: [Bool]?, _ b: [Bool]?, _ n: Int) -> [Bool]? {
    switch (a, b) {
    case (nil, nil): return nil
    case (let x?, nil): return x
    case (nil, let y?): return y
    case (let x?, let y?): return (0..<n).map { x[$0] || y[$0] }
    }
}

extension ColumnData {
    static func empty(for type: KQLType) -> ColumnData {
        switch type {
        case .bool: return .bool([])
        case .int, .long, .datetime, .timespan: return .int64([])
        case .real, .decimal: return .double([])
        case .string, .guid: return .string([])
        case .dynamic: return .value([])
        }
    }
}

/// Appends values of one type into a column, tracking nulls lazily.
public struct ColumnBuilder {
    public let type: KQLType
    var bools: [Bool] = []
    var ints: [Int64] = []
    var doubles: [Double] = []
    var strings: [String] = []
    var values: [Value] = []
    var nulls: [Bool] = []
    var anyNull = false
    var n = 0

    public init(type: KQLType, capacity: Int = 0) {
        self.type = type
        switch type {
        case .bool: bools.reserveCapacity(capacity)
        case .int, .long, .datetime, .timespan: ints.reserveCapacity(capacity)
        case .real, .decimal: doubles.reserveCapacity(capacity)
        case .string, .guid: strings.reserveCapacity(capacity)
        case .dynamic: values.reserveCapacity(capacity)
        }
    }

    mutating func markNull(_ isNull: Bool) {
        if isNull && !anyNull { anyNull = true; nulls = [Bool](repeating: false, count: n) }
        if anyNull { nulls.append(isNull) }
        n += 1
    }

    public mutating func append(_ v: Value) {
        let c = v.converted(to: type)
        switch type {
        case .bool: bools.append(c.asBool ?? false); markNull(c.isNull)
        case .int, .long, .datetime, .timespan: ints.append(c.asInt64 ?? 0); markNull(c.isNull)
        case .real, .decimal: doubles.append(c.asDouble ?? 0); markNull(c.isNull)
        case .string: strings.append(c.asString ?? ""); n += 1; if anyNull { nulls.append(false) }
        case .guid:
            if case .guid(let g) = c { strings.append(g); markNull(false) } else { strings.append(""); markNull(true) }
        case .dynamic: values.append(c); n += 1; if anyNull { nulls.append(false) }
        }
    }

    public mutating func append(column p: Column) {
        let start = n
        switch p.data {
        case .bool(let a): bools.append(contentsOf: a)
        case .int64(let a): ints.append(contentsOf: a)
        case .double(let a): doubles.append(contentsOf: a)
        case .string(let a): strings.append(contentsOf: a)
        case .dict(let c, let v): strings.append(contentsOf: c.map { v[Int($0)] })
        case .value(let a): values.append(contentsOf: a)
        }
        n += p.count
        if let pn = p.nulls {
            if !anyNull { anyNull = true; nulls = [Bool](repeating: false, count: start) }
            nulls.append(contentsOf: pn)
        } else if anyNull {
            nulls.append(contentsOf: [Bool](repeating: false, count: p.count))
        }
    }

    public func finish() -> Column {
        let data: ColumnData
        switch type {
        case .bool: data = .bool(bools)
        case .int, .long, .datetime, .timespan: data = .int64(ints)
        case .real, .decimal: data = .double(doubles)
        case .string, .guid: data = .string(strings)
        case .dynamic: data = .value(values)
        }
        return Column(type: type, data: data, nulls: anyNull ? nulls : nil)
    }
}
