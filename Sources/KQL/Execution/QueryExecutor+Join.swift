import KQLSyntax

extension QueryExecutor {
    /// `$left.a` / `$right.b` / `a` → the plain column reference on that side.
    func sideKey(_ e: ExprSyntax) -> ExprSyntax {
        if case .member(.name(let side, _), let k, let span) = e, side == "$left" || side == "$right" { return .name(k, span) }
        return e
    }

    /// Dense join codes shared by both sides; -1 marks null keys, which never match.
    func joinCodes(_ l: Table, _ r: Table, _ on: [(ExprSyntax, ExprSyntax)], _ lscope: Scope) throws -> ([Int32], [Int32]) {
        var lacc: [Int32]? = nil, racc: [Int32]? = nil
        for (le, re) in on {
            let lk = sideKey(le), rk = sideKey(re)
            let lb = try compile(lk, l, lscope), rb = try compile(rk, r, lscope)
            let lc = try lb.evaluate(l, ctx).materialize(type: lb.type, count: l.count)
            let rc = try rb.evaluate(r, ctx).materialize(type: rb.type, count: r.count)
            var lcodes = [Int32](repeating: -1, count: l.count), rcodes = [Int32](repeating: -1, count: r.count)
            switch (lc.data, rc.data) {
            case (.dict(let a, let av), .dict(let b, let bv)) where av.withUnsafeBufferPointer({ $0.baseAddress }) == bv.withUnsafeBufferPointer({ $0.baseAddress }):
                // Both sides come from one dictionary (a self-join, as detections often are): join on codes.
                // Dictionary codes are dense: a lookup array replaces hashing. Ids come from the smaller
                // side; the larger side only probes, in parallel chunks.
                let (small, large) = a.count < b.count ? (a, b) : (b, a)
                var idOf = [Int32](repeating: -2, count: av.count)
                var smallIds = [Int32](repeating: 0, count: small.count)
                var next: Int32 = 0
                for i in 0..<small.count {
                    let k = Int(small[i])
                    if idOf[k] < 0 { idOf[k] = next; next += 1 }
                    smallIds[i] = idOf[k]
                }
                let ids = idOf
                let largeIds = Parallel.chunkedMap(large.count) { r in large[r].map { ids[Int($0)] } }
                if a.count < b.count { lcodes = smallIds; rcodes = largeIds } else { rcodes = smallIds; lcodes = largeIds }
            case (.string, .string), (.string, .dict), (.dict, .string), (.dict, .dict):
                // The interner's byte hash, not Dictionary's SipHash: each of a stored table's
                // extents brings its own dictionary of keys to look up.
                var d = StringInterner()
                rcodes = rc.perString { Int32(d.code($0)) }!
                lcodes = lc.perString { d.existingCode($0).map { Int32($0) } ?? -2 }!
            case (.int64(let a), .int64(let b)) where lb.type.isInt64Backed == rb.type.isInt64Backed:
                var d = U64Map(capacity: b.count)
                for i in 0..<b.count where !rc.isNull(i) { rcodes[i] = d.id(UInt64(bitPattern: b[i])) }
                for i in 0..<a.count where !lc.isNull(i) { lcodes[i] = d.get(UInt64(bitPattern: a[i])) ?? -2 }
            default:
                var d = [Value: Int32]()
                for i in 0..<r.count { let v = rc.value(at: i); if v.isNull { continue }; if let k = d[v] { rcodes[i] = k } else { let k = Int32(d.count); d[v] = k; rcodes[i] = k } }
                for i in 0..<l.count { let v = lc.value(at: i); if !v.isNull { lcodes[i] = d[v] ?? -2 } }
            }
            if let la = lacc, let ra = racc {
                var d = U64Map()
                for i in 0..<r.count where ra[i] >= 0 && rcodes[i] >= 0 {
                    rcodes[i] = d.id(UInt64(UInt32(ra[i])) << 32 | UInt64(UInt32(rcodes[i])))
                }
                for i in 0..<r.count where ra[i] < 0 { rcodes[i] = -1 }
                for i in 0..<l.count {
                    if la[i] < 0 || lcodes[i] < 0 { lcodes[i] = -1; continue }
                    lcodes[i] = d.get(UInt64(UInt32(la[i])) << 32 | UInt64(UInt32(lcodes[i]))) ?? -2
                }
            }
            lacc = lcodes; racc = rcodes
        }
        return (lacc ?? [], racc ?? [])
    }

    /// A join's matches before any column is built: output row k pairs left row `li[k]` with right
    /// row `ri[k]` (-1 = no row, for outer joins). Semi and anti joins yield their side's table directly.
    enum JoinResult {
        case table(Table)
        /// Pairs in one or more ordered chunks (the parallel probe yields one per core, uncopied).
        case pairs(left: Table, right: Table, chunks: [([Int], [Int])])
    }

    func join(_ left: Table, _ j: JoinSyntax, _ scope: Scope, _ span: Span) throws -> Table {
        // Read before the right side runs: its own pipeline resets the hint.
        let keep = outputNeeded
        switch try joinPairs(left, j, scope, span) {
        case .table(let t): return t
        case .pairs(let l, let r, let chunks):
            if chunks.count == 1 { return combine(l, chunks[0].0, r, chunks[0].1, keep: keep) }
            return combine(l, chunks.flatMap(\.0), r, chunks.flatMap(\.1), keep: keep)
        }
    }

    /// `join` followed by `where`: the predicate runs on just the columns it reads, and only surviving
    /// pairs are materialised (detections join wide and then filter hard).
    func joinThenFilter(_ left0: Table, _ j: JoinSyntax, _ pred0: ExprSyntax, _ scope: Scope, _ span: Span, keep: Set<String>?) throws -> Table {
        // Kusto pushes the conditions on left columns below an innerunique join, before its left side is
        // deduplicated: the join page's `where value == "val1.2"` always keeps that row.
        var left = left0, pred = pred0
        if j.kind.lowercased() == "innerunique" {
            let names = Set(left.schema.names)
            var pushed: [ExprSyntax] = [], rest: [ExprSyntax] = []
            for c in Self.conjuncts(pred0) {
                if let refs = ColumnUsage.refs([c]), !refs.isEmpty, refs.isSubset(of: names) { pushed.append(c) } else { rest.append(c) }
            }
            if !pushed.isEmpty {
                left = try filter(left, pushed.dropFirst().reduce(pushed[0]) { .binary("and", $0, $1, span) }, scope)
                guard let r = rest.first else { return try join(left, j, scope, span) }
                pred = rest.dropFirst().reduce(r) { .binary("and", $0, $1, span) }
            }
        }
        if let streamed = try streamingJoinThenFilter(left, j, pred, scope, span, keep: keep) { return streamed }
        // The pairs are row numbers, not rows: the filter decides how many become rows.
        let result = try joinPairs(left, j, scope, span, pairBudget: ctx.maxRows > Int.max / 4 ? Int.max : 4 * ctx.maxRows)
        guard case .pairs(let l, let r, let chunks) = result else {
            if case .table(let t) = result { return try filter(t, pred, scope) }
            return Table.empty(Schema([]))
        }
        guard let reads = ColumnUsage.refs([pred]) else {
            return try filter(combine(l, chunks.flatMap(\.0), r, chunks.flatMap(\.1), keep: keep), pred, scope)
        }
        // Compile once against the narrow schema, then evaluate chunks of pairs on all cores.
        let bound = try compile(pred, combine(l, [], r, [], keep: reads), scope)
        guard bound.type == .bool || bound.type == .dynamic else {
            throw KQLError.bind(DiagnosticCode.typeMismatch, "the 'where' predicate must be bool, found \(bound.type.rawValue)", pred.span)
        }
        let n = chunks.reduce(0) { $0 + $1.0.count }
        // Pieces of at most 4M pairs (a quarter of the pairs when fewer): each builds the narrow table
        // and the predicate's columns for its own pairs only (the 100M-row self-join has 90M pairs),
        // and both cores share the pieces.
        let piece = max(1, min(4_000_000, (n + 3) / 4))
        var items: [(chunk: Int, range: Range<Int>)] = []
        for (c, ch) in chunks.enumerated() {
            var lo = 0
            while lo < ch.0.count { let hi = min(ch.0.count, lo + piece); items.append((c, lo..<hi)); lo = hi }
        }
        let context = ctx, all = chunks, work = items
        let results = Parallel.map(work.count, work: n) { p -> Result<([Int], [Int]), KQLError> in
            let (c, range) = work[p]
            let cl = Array(all[c].0[range]), cr = Array(all[c].1[range])
            let narrow = self.combine(l, cl, r, cr, keep: reads)
            do {
                return .success(Self.kept(try bound.evaluate(narrow, context), cl, cr))
            } catch let e as KQLError { return .failure(e) } catch { return .failure(KQLError.runtime("\(error)")) }
        }
        var fl: [Int] = [], fr: [Int] = []
        for r in results {
            let (a, b) = try r.get()
            fl += a; fr += b
        }
        try checkBudget(fl.count, "join", span)
        return combine(l, fl, r, fr, keep: keep)
    }

    /// An inner join whose right side is a stored table under row-wise operators, on unique left keys,
    /// followed by `where`: the right side runs part by part (a store's extents), each part probes the
    /// left keys and the filter keeps its pairs, and only the surviving rows are built, so the right
    /// side is never assembled (the 100M-row self-join held its 90M right rows and 90M pairs at once).
    /// Nil when the shape does not fit (an inner join whose left keys repeat, too): the caller joins the
    /// whole way.
    func streamingJoinThenFilter(_ left0: Table, _ j: JoinSyntax, _ pred: ExprSyntax, _ scope: Scope, _ span: Span, keep: Set<String>?) throws -> Table? {
        let kind = j.kind.lowercased()
        guard kind == "inner" || kind == "innerunique", provider.scansInParts, !recordPlan, !collectErrors, !bindOnly else { return nil }
        var ops: [(OperatorSyntax, Span)] = []
        var base = j.right
        while case .pipe(let src, let op, let opSpan) = base { ops.append((op, opSpan)); base = src }
        ops.reverse()
        guard case .name(let n, _) = base, scope.lookup(n) == nil, provider.storedFunction(named: n) == nil, provider.schema(of: n) != nil else { return nil }
        for (op, _) in ops {
            switch op {
            case .whereOp, .project, .extend, .projectAway, .projectKeep, .projectRename: continue
            default: return nil
            }
        }
        var req = ScanRequest(columns: ColumnUsage.needed(ops.map(\.0)).map { Array($0).sorted() })
        if case .whereOp(let first)? = ops.first?.0 {
            let r = TimeRangeExtractor(executor: self, scope: scope).request(for: first)
            req.timeFrom = r.timeFrom; req.timeTo = r.timeTo
        }
        // Unique left keys, known before any part is read: innerunique keeps the first left row of
        // each key (as Kusto's default join does); an inner join with repeated keys is joined whole.
        var left = left0
        let firsts = Self.firstOfEachKey(try joinCodes(left, left, j.on.map { ($0.0, $0.0) }, scope).0)
        if firsts.count < left.count {
            guard kind == "innerunique" else { return nil }
            left = left.gather(firsts)
        }
        let narrowNames = ColumnUsage.refs([pred])
        let merger = PartMerger()
        let keys = try leftKeys(left, j, scope)
        var masked: (filters: [ExprSyntax], projections: [(OperatorSyntax, Span)])??
        try provider.scanEach(n, request: req) { part in
            if masked == nil { masked = .some(maskedRightSide(ops, part, scope)) }
            var right = part, pass: [Bool]? = nil
            if let m = masked! { pass = try passMask(m.filters, part, scope) }
            for (op, opSpan) in masked??.projections ?? ops {
                var name = ""
                right = try apply(op, to: right, scope, opSpan, resultName: &name)
            }
            let probe: JoinProbe
            if let keys, let r = try leftRows(keys, right, j, scope) { probe = r } else {
                let (lc, rc) = try joinCodes(left, right, j.on, scope)
                // The left keys are unique (above), so each key codes one left row.
                guard let leftRow = Self.uniqueLeftRows(lc) else { throw KQLError.runtime("join: left keys repeat after deduplication") }
                probe = .rows(rc.map { c in c >= 0 && Int(c) < leftRow.count ? leftRow[Int(c)] : -1 })
            }
            let (li, ri) = Self.pairs(probe, pass)
            let bound = try compile(pred, combine(left, [], right, [], keep: narrowNames), scope)
            guard bound.type == .bool || bound.type == .dynamic else {
                throw KQLError.bind(DiagnosticCode.typeMismatch, "the 'where' predicate must be bool, found \(bound.type.rawValue)", pred.span)
            }
            // The pairs' gathers and the filter run beside the next part's mask and probe.
            let context = ctx, joined = left, part = right
            try merger.add { rowsBefore in
                let narrow = self.combine(joined, li, part, ri, keep: narrowNames)
                let (fl, fr) = Self.kept(try bound.evaluate(narrow, context), li, ri)
                try self.checkBudget(rowsBefore + fl.count, "join", span)
                return self.combine(joined, fl, part, fr, keep: keep)
            }
        }
        return try merger.finish()
    }

    /// The rows that are the first of their key (rows with a null key all stay).
    static func firstOfEachKey(_ codes: [Int32]) -> [Int] {
        var seen = U64Map(), keep: [Int] = []
        for i in codes.indices where codes[i] < 0 || seen.insert(UInt64(UInt32(codes[i]))) { keep.append(i) }
        return keep
    }

    /// Left row of each key code, when no key repeats (nil otherwise); -1 for codes no left row has.
    static func uniqueLeftRows(_ codes: [Int32]) -> [Int]? {
        var card = 0
        for c in codes where c >= 0 { card = max(card, Int(c) + 1) }
        var row = [Int](repeating: -1, count: card)
        for (i, c) in codes.enumerated() where c >= 0 {
            if row[Int(c)] >= 0 { return nil }
            row[Int(c)] = i
        }
        return row
    }

    /// The pairs a filter's result keeps (a null is not true).
    static func kept(_ result: Vec, _ li: [Int], _ ri: [Int]) -> ([Int], [Int]) {
        var fl: [Int] = [], fr: [Int] = []
        switch result {
        case .scalar(let v): if v.asBool == true { fl = li; fr = ri }
        case .column(let c):
            if case .bool(let m) = c.data {
                for k in 0..<li.count where m[k] && !(c.nulls?[k] ?? false) { fl.append(li[k]); fr.append(ri[k]) }
            } else {
                for k in 0..<li.count where c.value(at: k).asBool == true { fl.append(li[k]); fr.append(ri[k]) }
            }
        }
        return (fl, fr)
    }

    /// The operands of a chain of `and`s.
    static func conjuncts(_ e: ExprSyntax) -> [ExprSyntax] {
        if case .binary(let op, let l, let r, _) = e, op.lowercased() == "and" { return conjuncts(l) + conjuncts(r) }
        return [e]
    }

    /// `pairBudget`: how many (left, right) row pairs may be produced (the row budget unless a filter
    /// follows that materialises only the pairs it keeps).
    func joinPairs(_ left0: Table, _ j: JoinSyntax, _ scope: Scope, _ span: Span, pairBudget: Int? = nil) throws -> JoinResult {
        func checkPairs(_ n: Int) throws {
            if let pairBudget, n <= pairBudget { return }
            try checkBudget(n, "join", span)
        }
        let right = try tabular(j.right, scope)
        let kind = j.kind.lowercased()
        guard !j.on.isEmpty else { throw KQLError.bind(DiagnosticCode.badArgument, "join needs 'on' keys", span) }
        guard ["inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftsemi", "leftanti", "anti", "leftantisemi",
               "rightsemi", "rightanti", "rightantisemi"].contains(kind) else {
            throw KQLError.bind(DiagnosticCode.badArgument, "unknown join kind '\(j.kind)'", span)
        }
        var left = left0
        var (lc, rc) = try joinCodes(left, right, j.on, scope)
        if kind == "innerunique" {
            // Deduplicate the left side by key (first row wins), as Kusto's default join does.
            let keep = Self.firstOfEachKey(lc)
            if keep.count < left.count { left = left.gather(keep); lc = keep.map { lc[$0] } }
        }
        if kind == "inner" || kind == "innerunique" {
            // Unique left keys (after innerunique, or a summarize): each right row matches at most one
            // left row, so walk the right side in order; its columns are then read sequentially.
            if let leftRow = Self.uniqueLeftRows(lc) {
                let rows = leftRow, codes = rc, bound = leftRow.count
                // Right rows in two ordered halves, one per core; each yields its (left, right) pairs.
                let halves = Parallel.map(2, work: codes.count) { h -> ([Int], [Int]) in
                    let lo = h * codes.count / 2, hi = (h + 1) * codes.count / 2
                    var li: [Int] = [], ri: [Int] = []
                    codes.withUnsafeBufferPointer { cp in
                        for i in lo..<hi {
                            let c = Int(cp[i])
                            if c >= 0 && c < bound, rows[c] >= 0 { li.append(rows[c]); ri.append(i) }
                        }
                    }
                    return (li, ri)
                }
                try checkPairs(halves[0].0.count + halves[1].0.count)
                return .pairs(left: left, right: right, chunks: halves)
            }
        }
        // Right rows bucketed by code (counting sort).
        var card = 0
        for c in rc where c >= 0 { card = max(card, Int(c) + 1) }
        for c in lc where c >= 0 { card = max(card, Int(c) + 1) }
        var start = [Int](repeating: 0, count: card + 1)
        for c in rc where c >= 0 { start[Int(c) + 1] += 1 }
        for i in 0..<card { start[i + 1] += start[i] }
        var fill = start, rows = [Int](repeating: 0, count: start[card])
        for (i, c) in rc.enumerated() where c >= 0 { rows[fill[Int(c)]] = i; fill[Int(c)] += 1 }
        @inline(__always) func matches(_ c: Int32) -> Int { c >= 0 ? start[Int(c) + 1] - start[Int(c)] : 0 }

        switch kind {
        case "leftsemi", "leftanti", "anti", "leftantisemi":
            let wantMatch = kind == "leftsemi"
            return .table(left.gather((0..<left.count).filter { (matches(lc[$0]) > 0) == wantMatch }))
        case "rightsemi", "rightanti", "rightantisemi":
            var hit = [Bool](repeating: false, count: card)
            for c in lc where c >= 0 { hit[Int(c)] = true }
            let want = kind == "rightsemi"
            return .table(right.gather((0..<right.count).filter { (rc[$0] >= 0 && hit[Int(rc[$0])]) == want }))
        default:
            let leftOuter = kind == "leftouter" || kind == "fullouter"
            var total = 0
            for c in lc { let m = matches(c); total += m > 0 ? m : (leftOuter ? 1 : 0) }
            try checkPairs(total)
            var li = [Int](repeating: 0, count: total), ri = [Int](repeating: 0, count: total)
            var k = 0
            for i in 0..<left.count {
                let c = lc[i]
                let m = matches(c)
                if m > 0 {
                    let s = start[Int(c)]
                    for q in 0..<m { li[k] = i; ri[k] = rows[s + q]; k += 1 }
                } else if leftOuter {
                    li[k] = i; ri[k] = -1; k += 1
                }
            }
            if kind == "rightouter" || kind == "fullouter" {
                var matched = [Bool](repeating: false, count: card)
                for c in lc where c >= 0 { matched[Int(c)] = true }
                for i in 0..<right.count where !(rc[i] >= 0 && matched[Int(rc[i])]) { li.append(-1); ri.append(i) }
            }
            return .pairs(left: left, right: right, chunks: [(li, ri)])
        }
    }

    /// Left columns, then right columns renamed `Name1` where they clash; with `keep`, only those
    /// output columns are built (the rest of the pipeline never reads the others).
    func combine(_ left: Table, _ li: [Int], _ right: Table, _ ri: [Int], keep: Set<String>? = nil) -> Table {
        var names = Set(left.schema.names)
        let lm = li.contains { $0 < 0 }, rm = ri.contains { $0 < 0 }
        var plan: [(ColumnSchema, Column, [Int], Bool)] = left.schema.columns.indices.map { (left.schema.columns[$0], left.columns[$0], li, lm) }
        for (k, c) in right.schema.columns.enumerated() {
            var name = c.name
            if names.contains(name) {
                var s = 1
                while names.contains("\(c.name)\(s)") { s += 1 }
                name = "\(c.name)\(s)"
            }
            names.insert(name)
            plan.append((ColumnSchema(name, c.type), right.columns[k], ri, rm))
        }
        if let keep { plan = plan.filter { keep.contains($0.0.name) } }
        let parts = plan
        let cols = Parallel.map(parts.count, work: li.count * parts.count) { i in parts[i].1.gather(parts[i].2, hasMissing: parts[i].3) }
        return Table(schema: Schema(plan.map(\.0)), columns: cols, count: li.count)
    }

    func lookup(_ left: Table, _ kind: String, _ rightExpr: ExprSyntax, _ on: [(ExprSyntax, ExprSyntax)], _ scope: Scope, _ span: Span) throws -> Table {
        let right = try tabular(rightExpr, scope)
        let (lc, rc) = try joinCodes(left, right, on, scope)
        var firstRight = [Int32: Int]()
        for (i, c) in rc.enumerated() where c >= 0 && firstRight[c] == nil { firstRight[c] = i }
        var li: [Int] = [], ri: [Int] = []
        for i in 0..<left.count {
            if lc[i] >= 0, let r = firstRight[lc[i]] { li.append(i); ri.append(r) }
            else if kind != "inner" { li.append(i); ri.append(-1) }
        }
        // The right side's key columns are dropped: they equal the left's.
        let rightKeys = Set(on.compactMap { if case .name(let n, _) = sideKey($0.1) { return n }; return nil })
        let keepIdx = right.schema.columns.indices.filter { !rightKeys.contains(right.schema.columns[$0].name) }
        return combine(left, li, selectColumns(right, keepIdx), ri)
    }

    func union(_ u: UnionSyntax, first: Table?, _ scope: Scope, _ span: Span) throws -> Table {
        var parts: [(String, Table)] = []
        if let f = first { parts.append(("", f)) }
        for t in u.tables {
            if case .name(let n, let nspan) = t, n.contains("*") {
                for name in provider.tableNames() where Wildcard.matches(name, n) { parts.append((name, try table(named: name, scope, nspan))) }
                // `let V = view () {...}` joins a wildcard union too (the union page).
                for name in Set(scope.names).sorted() where Wildcard.matches(name, n) {
                    if case .function(let l, _)? = scope.lookup(name)?.0, l.isView, l.parameters.isEmpty { parts.append((name, try tabular(.name(name, nspan), scope))) }
                }
                continue
            }
            do {
                let name: String
                if case .name(let n, _) = t { name = n } else { name = "union_arg\(parts.count)" }
                parts.append((name, try tabular(t, scope)))
            } catch let e as KQLError where u.isFuzzy {
                _ = e
            }
        }
        // Outer union (the default): all columns; same name with different types become name_type.
        var schema: [ColumnSchema] = []
        if let ws = u.withSource { schema.append(ColumnSchema(ws, .string)) }
        var typesByName: [String: Set<KQLType>] = [:]
        for (_, t) in parts { for c in t.schema.columns { typesByName[c.name, default: []].insert(c.type) } }
        // A typed name that is already some input's column name gets a number (`x_long1`).
        var renamed: [String: String] = [:]
        for (_, t) in parts {
            for c in t.schema.columns where (typesByName[c.name]?.count ?? 1) > 1 && renamed["\(c.name)\u{1}\(c.type.rawValue)"] == nil {
                var candidate = "\(c.name)_\(c.type.rawValue)", k = 1
                while typesByName[candidate] != nil || renamed.values.contains(candidate) { candidate = "\(c.name)_\(c.type.rawValue)\(k)"; k += 1 }
                renamed["\(c.name)\u{1}\(c.type.rawValue)"] = candidate
            }
        }
        // Each input column's output name, once: Sentinel tables have hundreds of columns, and
        // detection runs unions of them thousands of times a cycle.
        let outNames: [[String]] = parts.map { (_, t) in
            t.schema.columns.map { c in (typesByName[c.name]?.count ?? 1) > 1 ? renamed["\(c.name)\u{1}\(c.type.rawValue)"] ?? c.name : c.name }
        }
        if u.kind == "inner" {
            var common: Set<String>? = nil
            for names in outNames { common = common.map { $0.intersection(names) } ?? Set(names) }
            let commonNames = common ?? []
            for (i, c) in (parts.first?.1.schema.columns ?? []).enumerated() where commonNames.contains(outNames[0][i]) { schema.append(ColumnSchema(outNames[0][i], c.type)) }
        } else {
            var seen = Set(schema.map(\.name))
            for (p, (_, t)) in parts.enumerated() {
                for (i, c) in t.schema.columns.enumerated() where seen.insert(outNames[p][i]).inserted { schema.append(ColumnSchema(outNames[p][i], c.type)) }
            }
        }
        let total = parts.reduce(0) { $0 + $1.1.count }
        let positions: [[String: Int]] = outNames.map { names in
            var m: [String: Int] = [:]
            for (i, n) in names.enumerated() where m[n] == nil { m[n] = i }
            return m
        }
        var cols: [Column] = []
        for c in schema {
            if total == 0 { cols.append(Column.empty(c.type)); continue }
            var pieces: [Column] = []
            for (p, (name, t)) in parts.enumerated() {
                if c.name == u.withSource { pieces.append(Column.constant(.string(name), type: .string, count: t.count)); continue }
                if let i = positions[p][c.name] { pieces.append(t.columns[i]) }
                else { pieces.append(Column.constant(.null, type: c.type, count: t.count)) }
            }
            cols.append(Column.concat(pieces, type: c.type))
        }
        return Table(schema: Schema(schema), columns: cols, count: total)
    }
}
