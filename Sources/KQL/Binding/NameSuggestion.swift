/// "Did you mean" for names that do not resolve: the nearest known names by edit distance
/// (case-insensitive, adjacent swaps count once), so a typo or a wrong case points at the fix.
public enum NameSuggestion {
    /// Up to `limit` known names close to `name`, nearest first.
    public static func nearest(_ name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let target = Array(name.lowercased().unicodeScalars)
        guard !target.isEmpty else { return [] }
        let allowed = max(2, target.count / 3)
        var scored: [(Int, String)] = []
        var seen = Set<String>()
        for c in candidates where c != name && seen.insert(c).inserted {
            let cand = Array(c.lowercased().unicodeScalars)
            if abs(cand.count - target.count) > allowed { continue }
            let d = distance(target, cand, cap: allowed)
            if d <= allowed { scored.append((d, c)) }
        }
        return scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(limit).map(\.1)
    }

    /// `; did you mean 'A' or 'B'?`, or nothing when no name is close.
    public static func didYouMean(_ name: String, among candidates: [String]) -> String {
        let near = nearest(name, among: candidates)
        guard !near.isEmpty else { return "" }
        let quoted = near.map { "'\($0)'" }
        let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
        return "; did you mean \(list)?"
    }

    /// Optimal string alignment distance, giving up early past `cap`.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], cap: Int) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > cap { return cap + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}

extension QueryExecutor {
    /// The suggestion text for an unknown table or function name: tables, workspace functions and
    /// the names bound by `let` (plus scalar functions when the name was called as one).
    func suggestion(for name: String, _ scope: Scope, functions: Bool = false) -> String {
        var names = provider.tableNames() + provider.functionNames() + scope.names
        if functions { names += FunctionRegistry.names }
        return NameSuggestion.didYouMean(name, among: names)
    }
}
