import Foundation

/// parse-kv's three modes (the parse-kv reference page): explicit pair and key-value delimiters
/// (keys and values may be quoted, quotes escaped, `greedy` values run to the next key), no
/// delimiters (any non-alphanumeric character separates, the requested keys are looked up), or a
/// regex whose two groups are key and value. The first appearance of a key wins; whitespace
/// around keys and values is dropped.
struct KeyValueExtractor {
    enum Mode {
        case delimited(pair: String, kv: String, greedy: Bool)
        case undelimited
        case regex(KQLRegex)
    }

    var mode: Mode
    /// Opening and closing quote characters.
    var quotes: [(open: Character, close: Character)]
    var escapes: Set<Character>

    init(mode: Mode, quote: String?, escape: String?) {
        self.mode = mode
        let q = Array(quote ?? "\"")
        quotes = q.isEmpty ? [] : [(q[0], q.count > 1 ? q[1] : q[0])]
        escapes = Set(escape ?? "")
    }

    func extract(_ s: String, keys: Set<String>) -> [String: String] {
        switch mode {
        case .delimited(let pair, let kv, let greedy): return delimited(Array(s), pair: Array(pair), kv: Array(kv), greedy: greedy)
        case .undelimited: return undelimited(Array(s), keys: keys)
        case .regex(let re):
            var out: [String: String] = [:]
            for m in re.matches(in: s) where m.groups.count >= 3 {
                let k = m.groups[1].map { String(s[$0]).trimmingCharacters(in: .whitespaces) } ?? ""
                let v = m.groups[2].map { String(s[$0]).trimmingCharacters(in: .whitespaces) } ?? ""
                if out[k] == nil { out[k] = v }
            }
            return out
        }
    }

    private func quote(at c: Character) -> Character? { quotes.first { $0.open == c }?.close }

    /// A quoted run starting at `i` (the opening quote): its unescaped text and the index after it.
    private func quoted(_ s: [Character], _ i: Int, close: Character) -> (String, Int) {
        var out = "", j = i + 1
        while j < s.count {
            if escapes.contains(s[j]) && j + 1 < s.count { out.append(s[j + 1]); j += 2; continue }
            if s[j] == close { return (out, j + 1) }
            out.append(s[j])
            j += 1
        }
        return (out, j)
    }

    private static func starts(_ s: [Character], _ i: Int, _ d: [Character]) -> Bool {
        !d.isEmpty && i + d.count <= s.count && Array(s[i..<(i + d.count)]) == d
    }

    private static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }

    private func delimited(_ s: [Character], pair: [Character], kv: [Character], greedy: Bool) -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < s.count {
            while i < s.count && s[i].isWhitespace && !Self.starts(s, i, pair) { i += 1 }
            while Self.starts(s, i, pair) { i += pair.count }
            guard i < s.count else { break }
            // key: quoted, or up to the key-value delimiter (a pair delimiter first means no key here)
            var key = ""
            if let close = quote(at: s[i]) {
                (key, i) = quoted(s, i, close: close)
                while i < s.count && s[i].isWhitespace && !Self.starts(s, i, kv) { i += 1 }
            } else {
                var k = ""
                while i < s.count && !Self.starts(s, i, kv) && !Self.starts(s, i, pair) { k.append(s[i]); i += 1 }
                key = Self.trim(k)
            }
            guard Self.starts(s, i, kv) else { continue }
            i += kv.count
            while i < s.count && s[i].isWhitespace && !Self.starts(s, i, pair) { i += 1 }
            var value = ""
            if i < s.count, let close = quote(at: s[i]) {
                (value, i) = quoted(s, i, close: close)
                while i < s.count && !Self.starts(s, i, pair) { i += 1 }
            } else if greedy {
                var v = ""
                while i < s.count {
                    if Self.starts(s, i, pair) && nextIsKey(s, i + pair.count, pair: pair, kv: kv) { break }
                    v.append(s[i])
                    i += 1
                }
                value = Self.trim(v)
            } else {
                var v = ""
                while i < s.count && !Self.starts(s, i, pair) { v.append(s[i]); i += 1 }
                value = Self.trim(v)
            }
            if out[key] == nil { out[key] = value }
        }
        return out
    }

    /// Whether a key (text up to a key-value delimiter, no pair delimiter before it) starts at `i`.
    private func nextIsKey(_ s: [Character], _ start: Int, pair: [Character], kv: [Character]) -> Bool {
        var i = start
        if i < s.count, let close = quote(at: s[i]) { i = quoted(s, i, close: close).1 }
        while i < s.count {
            if Self.starts(s, i, kv) { return i > start }
            if Self.starts(s, i, pair) { return false }
            i += 1
        }
        return false
    }

    private func undelimited(_ s: [Character], keys: Set<String>) -> [String: String] {
        var out: [String: String] = [:]
        func separator(_ c: Character) -> Bool { !(c.isLetter || c.isNumber || c == "_") }
        for key in keys {
            let k = Array(key)
            guard !k.isEmpty, k.count <= s.count else { continue }
            var i = 0
            while i + k.count <= s.count {
                if Array(s[i..<(i + k.count)]) == k && (i == 0 || separator(s[i - 1])) && (i + k.count == s.count || separator(s[i + k.count])) {
                    var j = i + k.count
                    while j < s.count && separator(s[j]) && quote(at: s[j]) == nil { j += 1 }
                    if j < s.count, let close = quote(at: s[j]) {
                        out[key] = quoted(s, j, close: close).0
                    } else {
                        var v = ""
                        while j < s.count && !separator(s[j]) { v.append(s[j]); j += 1 }
                        out[key] = v
                    }
                    break
                }
                i += 1
            }
        }
        return out
    }
}
