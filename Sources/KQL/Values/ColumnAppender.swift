/// One column assembled from parts appended one at a time, so that a caller assembling many parts (a
/// stored table's extents) holds the result and the part at hand, not every part at once. The result
/// equals `Column.concat` of the same parts: dictionary-encoded strings stay dictionary-encoded (one
/// merged dictionary, codes remapped). A single part comes back as it is, without a copy.
public struct ColumnAppender {
    public let type: KQLType
    let capacity: Int
    /// The first part, held until a second arrives (most scans read one part).
    var first: Column?
    var interner: StringInterner?
    var codes: [UInt32] = []
    var builder: ColumnBuilder?
    /// Parts that are not dictionary-encoded strings of the column's type: concatenated at the end.
    var others: [Column] = []
    var nulls: [Bool] = []
    var anyNull = false
    var count = 0

    public init(type: KQLType, capacity: Int = 0) {
        self.type = type
        self.capacity = capacity
    }

    public mutating func append(_ p: Column) {
        if interner == nil && builder == nil {
            guard let held = first else { first = p; return }
            first = nil
            if type == .string || type == .guid {
                // Extents of one table have dictionaries of similar size: room for the first one's.
                var room = 0
                if case .dict(_, let v) = held.data { room = v.count }
                interner = StringInterner(capacity: room)
                codes.reserveCapacity(capacity)
            } else {
                builder = ColumnBuilder(type: type, capacity: capacity)
            }
            add(held)
        }
        add(p)
    }

    mutating func add(_ p: Column) {
        if interner != nil, others.isEmpty, p.type == type, case .string(let a) = p.data {
            // A part stored plain (its first rows looked mostly distinct) joins the merged dictionary,
            // so one such extent does not turn a month of a 20,000-value column into 100M strings;
            // a column that is mostly distinct overall stops being interned where that shows.
            var k = 0
            while k < a.count {
                codes.append(interner!.code(a[k]))
                k += 1
                if interner!.count > 65_536 && interner!.count * 2 > count + k { break }
            }
            appendNulls(of: p, 0..<k)
            count += k
            if k < a.count {
                others.append(dictionaryColumn())
                others.append(p.slice(k..<a.count))
                count += a.count - k
            }
            return
        }
        if interner != nil {
            guard others.isEmpty, p.type == type, case .dict(let c, let v) = p.data else {
                // A plain-string part: fall back to one concatenation of everything, as `concat` does.
                if others.isEmpty && count > 0 { others.append(dictionaryColumn()) }
                others.append(p)
                count += p.count
                return
            }
            if Column.fewRows(c.count, of: v.count) {
                // A filter's few survivors of an extent whose dictionary is large (a month of
                // command lines): intern the values they use, not the whole dictionary.
                var remap = [UInt32](repeating: .max, count: v.count)
                for x in c {
                    let i = Int(x)
                    if remap[i] == .max { remap[i] = interner!.code(v[i]) }
                    codes.append(remap[i])
                }
            } else {
                let remap = v.map { interner!.code($0) }
                codes.append(contentsOf: c.lazy.map { remap[Int($0)] })
            }
            appendNulls(of: p, 0..<p.count)
            count += p.count
            return
        }
        if p.type == type { builder!.append(column: p) } else { for i in 0..<p.count { builder!.append(p.value(at: i)) } }
        count += p.count
    }

    /// The null flags of `p`'s rows in `range`, for rows about to be counted.
    mutating func appendNulls(of p: Column, _ range: Range<Int>) {
        if let pn = p.nulls {
            if !anyNull { anyNull = true; nulls = [Bool](repeating: false, count: count) }
            nulls.append(contentsOf: pn[range])
        } else if anyNull {
            nulls.append(contentsOf: repeatElement(false, count: range.count))
        }
    }

    func dictionaryColumn() -> Column {
        Column(type: type, data: .dict(codes: codes, values: interner?.values ?? []), nulls: anyNull ? nulls : nil)
    }

    public func finish() -> Column {
        if let builder { return builder.finish() }
        if interner == nil { return first.map { Column.concat([$0], type: type) } ?? Column.empty(type) }
        if !others.isEmpty { return Column.concatBuilt(others, type: type) }
        return dictionaryColumn()
    }
}
