import Foundation
import OrderedCollections

/// String functions: Kusto counts and indexes by Unicode characters, and never returns null strings.
enum StringFunctions {
    static var all: [FunctionDef] {
        [
            FunctionDef("strcat", args: 1...64, returns: FunctionDef.fixed(.string), row: { a, _ in .string(a.map(\.kqlString).joined()) },
                        vector: { v, _, n, _ in
                            guard !v.allSatisfy(\.isScalar) else { return nil }
                            var out = [String](repeating: "", count: n)
                            for part in v {
                                switch part {
                                case .scalar(let s): let t = s.kqlString; for i in 0..<n { out[i] += t }
                                case .column(let c):
                                    if case .string(let s) = c.data, c.type == .string { for i in 0..<n { out[i] += s[i] } }
                                    else { for i in 0..<n { out[i] += c.value(at: i).kqlString } }
                                }
                            }
                            return .column(Column(type: .string, data: .string(out)))
                        }),
            F.row("strcat_delim", 2...64, .string) { a, _ in .string(a.dropFirst().map(\.kqlString).joined(separator: a[0].kqlString)) },
            F.str("strlen", .long) { .long(Int64($0.count)) },
            F.str("tolower", .string) { .string($0.lowercased()) },
            F.str("toupper", .string) { .string($0.uppercased()) },
            F.str("reverse", .string) { .string(String($0.reversed())) },
            F.row("substring", 2...3, .string) { a, _ in
                let s = Array(a[0].kqlString)
                guard var start = a[1].int else { return .string("") }
                // A negative start counts from the end (substring("123456", -2, 2) is "56").
                if start < 0 { start = start < -s.count ? 0 : s.count + start }
                guard start < s.count else { return .string("") }
                var len = a.count > 2 ? (a[2].int ?? s.count) : s.count
                if len < 0 { len = 0 }
                return .string(String(s[start..<min(s.count, start + min(len, s.count))]))
            },
            F.row("indexof", 2...5, .long) { a, _ in
                let s = a[0].kqlString, needle = a[1].kqlString
                if a[0].isNull || a[1].isNull { return .null }
                let chars = Array(s)
                var start = a.count > 2 ? (a[2].int ?? 0) : 0
                if start < 0 { start = max(0, chars.count + start) }
                guard start <= chars.count else { return .long(-1) }
                let length = a.count > 3 ? (a[3].int ?? -1) : -1
                var occurrence = a.count > 4 ? (a[4].int ?? 1) : 1
                let hay = String(chars[start..<(length >= 0 ? min(chars.count, start + min(length, chars.count)) : chars.count)])
                var from = hay.startIndex
                while let r = hay.range(of: needle, options: [.caseInsensitive], range: from..<hay.endIndex) {
                    occurrence -= 1
                    if occurrence <= 0 { return .long(Int64(start + hay.distance(from: hay.startIndex, to: r.lowerBound))) }
                    from = hay.index(after: r.lowerBound)
                }
                return .long(needle.isEmpty ? Int64(start) : -1)
            },
            F.row("indexof_regex", 2...2, .long) { a, _ in
                let s = a[0].kqlString
                guard let m = try RegexCache.shared.regex(a[1].kqlString).firstMatch(in: s) else { return .long(-1) }
                return .long(Int64(s.distance(from: s.startIndex, to: m.range.lowerBound)))
            },
            F.row("split", 2...3, .dynamic) { a, _ in
                let s = a[0].kqlString, d = a[1].kqlString
                let parts: [Value] = d.isEmpty ? [.string(s)] : Self.split(s, d).map { .string($0) }
                if a.count > 2 {
                    guard let i = a[2].int, i >= 0, i < parts.count else { return .array([]) }
                    return .array([parts[i]])
                }
                return .array(parts)
            },
            FunctionDef("extract", args: 3...4, returns: FunctionDef.fixed(.string), row: { a, _ in
                guard let text = try RegexCache.shared.regex(a[0].kqlString).group(a[1].int ?? -1, of: a[2].kqlString) else {
                    return a.count > 3 ? .null : .string("")
                }
                return .string(String(text))
            }, vector: { v, _, n, _ in
                // A rule extracts from the same few thousand command lines over and over: once per
                // distinct string of a dictionary column.
                guard v.count == 3, case .scalar(let p) = v[0], case .scalar(let gv) = v[1], case .column(let c) = v[2] else { return nil }
                let re = try RegexCache.shared.regex(p.kqlString)
                let g = gv.int ?? -1
                guard let out = c.perString({ re.group(g, of: $0).map(String.init) ?? "" }) else { return nil }
                var b = ColumnBuilder(type: .string, capacity: n)
                for x in out { b.append(.string(x)) }
                return .column(b.finish())
            }),
            F.row("extract_all", 2...3, .dynamic) { a, _ in
                let re = try RegexCache.shared.regex(a[0].kqlString)
                let s = a[a.count - 1].kqlString
                let ms = re.matches(in: s)
                if ms.isEmpty { return .null }
                let groups: [Int]? = a.count == 3 ? (a[1].asArray?.map { $0.int ?? re.groupNumbers[$0.kqlString] ?? -1 }) : nil
                return .array(ms.map { m in
                    if let gs = groups { return .array(gs.map { g in g >= 0 && g < m.groups.count && m.groups[g] != nil ? .string(String(s[m.groups[g]!])) : .string("") }) }
                    if m.groups.count == 1 { return .string(String(s[m.range])) }
                    if m.groups.count == 2 { return m.groups[1].map { .string(String(s[$0])) } ?? .string("") }
                    return .array(m.groups.dropFirst().map { $0.map { .string(String(s[$0])) } ?? .string("") })
                })
            },
            F.row("replace_string", 3...3, .string) { a, _ in
                let f = a[1].kqlString
                return .string(f.isEmpty ? a[0].kqlString : a[0].kqlString.replacingOccurrences(of: f, with: a[2].kqlString))
            },
            F.row("replace_regex", 3...3, .string) { a, _ in .string(try RegexCache.shared.regex(a[1].kqlString).replace(in: a[0].kqlString, with: a[2].kqlString)) },
            F.row("replace", 3...3, .string) { a, _ in .string(try RegexCache.shared.regex(a[0].kqlString).replace(in: a[2].kqlString, with: a[1].kqlString)) },
            F.row("trim", 2...2, .string) { a, _ in .string(try trim(a[1].kqlString, a[0].kqlString, start: true, end: true)) },
            F.row("trim_start", 2...2, .string) { a, _ in .string(try trim(a[1].kqlString, a[0].kqlString, start: true, end: false)) },
            F.row("trim_end", 2...2, .string) { a, _ in .string(try trim(a[1].kqlString, a[0].kqlString, start: false, end: true)) },
            F.row("countof", 2...3, .long) { a, _ in
                let s = a[0].kqlString, sub = a[1].kqlString
                if a.count > 2 && a[2].kqlString == "regex" { return .long(Int64(try RegexCache.shared.regex(sub).matches(in: s).count)) }
                guard !sub.isEmpty else { return .long(0) }
                var c: Int64 = 0, r = s.startIndex..<s.endIndex
                while let f = s.range(of: sub, range: r) { c += 1; r = f.upperBound..<s.endIndex }
                return .long(c)
            },
            F.row("strrep", 2...3, .string) { a, _ in
                // Results are capped at about 1M characters, as Kusto caps string values.
                let unit = max(1, a[0].kqlString.count + (a.count > 2 ? a[2].kqlString.count : 0))
                let n = max(0, min(a[1].int ?? 0, 1_048_576 / unit))
                return .string(Array(repeating: a[0].kqlString, count: n).joined(separator: a.count > 2 ? a[2].kqlString : ""))
            },
            F.str("url_encode", .string) { .string($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowedKQL) ?? $0) },
            F.str("url_encode_component", .string) { .string($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowedKQL) ?? $0) },
            F.str("url_decode", .string) { .string($0.removingPercentEncoding ?? "") },
            F.str("base64_encode_tostring", .string) { .string(Data($0.utf8).base64EncodedString()) },
            F.str("base64_decode_tostring", .string) { s in
                var t = s
                while t.count % 4 != 0 { t += "=" }
                guard let d = Data(base64Encoded: t), let r = String(data: d, encoding: .utf8) else { return .string("") }
                return .string(r)
            },
            F.str("base64_encode_fromguid", .string) { .string(Data($0.utf8).base64EncodedString()) },
            F.str("regex_quote", .string) { .string(NSRegularExpression.escapedPattern(for: $0)) },
            F.str("isascii", .bool) { .bool($0.utf8.allSatisfy { $0 < 0x80 }) },
            F.str("parse_url", .dynamic) { parseURL($0) },
            F.str("parse_urlquery", .dynamic) { s in
                var q = OrderedDictionary<String, Value>()
                for part in s.split(separator: "&") {
                    let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                    q[kv[0].removingPercentEncoding ?? kv[0]] = .string(kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : "")
                }
                return .bag(["Query Parameters": .bag(q)])
            },
            F.str("parse_path", .dynamic) { parsePath($0) },
            F.row("parse_command_line", 1...2, .dynamic) { a, _ in .array(commandLineArgs(a[0].kqlString).map { .string($0) }) },
            F.row("string_size", 1...1, .long) { a, _ in .long(Int64(a[0].kqlString.utf8.count)) },
            F.row("has_any_index", 2...2, .long) { a, _ in
                guard case .array(let items) = a[1] else { return .long(-1) }
                for (i, it) in items.enumerated() where StringMatch.Needle(it.kqlString, mode: .has, caseSensitive: false).matches(a[0].kqlString) { return .long(Int64(i)) }
                return .long(-1)
            },
            F.row("translate", 3...3, .string) { a, _ in
                let from = Array(a[0].kqlString), to = Array(a[1].kqlString)
                return .string(String(a[2].kqlString.compactMap { c -> Character? in
                    guard let i = from.firstIndex(of: c) else { return c }
                    if to.isEmpty { return nil }
                    return i < to.count ? to[i] : to[to.count - 1]
                }))
            },
            F.row("make_string", 1...64, .string) { a, _ in
                var s = ""
                for v in a { for x in (v.asArray ?? [v]) { if let c = x.int, let u = UnicodeScalar(UInt32(clamping: c)) { s.unicodeScalars.append(u) } } }
                return .string(s)
            },
            F.row("unicode_codepoints_from_string", 1...1, .dynamic) { a, _ in .array(a[0].kqlString.unicodeScalars.map { .long(Int64($0.value)) }) },
        ]
    }

    /// `s` cut at every occurrence of `separator`, compared byte by byte: UTF-8 is self-synchronizing,
    /// so a match never starts inside a character, and Foundation's `components(separatedBy:)` (a
    /// Unicode-aware search) took most of a query that splits the paths of every process launch.
    static func split(_ s: String, _ separator: String) -> [String] {
        var s = s, separator = separator
        return s.withUTF8 { text in
            separator.withUTF8 { sep in
                var parts: [String] = []
                var start = 0
                while let at = ByteSearch.firstIndex(of: sep, in: text, from: start) {
                    parts.append(String(decoding: UnsafeBufferPointer(rebasing: text[start..<at]), as: UTF8.self))
                    start = at + sep.count
                }
                parts.append(String(decoding: UnsafeBufferPointer(rebasing: text[start..<text.count]), as: UTF8.self))
                return parts
            }
        }
    }

    static func trim(_ s: String, _ pattern: String, start: Bool, end: Bool) throws -> String {
        var out = s
        if start, let m = try RegexCache.shared.regex("^(?:" + pattern + ")+").firstMatch(in: out), !m.range.isEmpty { out = String(out[m.range.upperBound...]) }
        if end, let m = try RegexCache.shared.regex("(?:" + pattern + ")+$").firstMatch(in: out), !m.range.isEmpty { out = String(out[..<m.range.lowerBound]) }
        return out
    }

    static func parseURL(_ s: String) -> Value {
        guard let c = URLComponents(string: s), c.scheme != nil else { return .bag([:]) }
        var q = OrderedDictionary<String, Value>()
        for item in c.queryItems ?? [] { q[item.name] = .string(item.value ?? "") }
        return .bag([
            "Scheme": .string(c.scheme ?? ""), "Host": .string(c.host ?? ""), "Port": .string(c.port.map(String.init) ?? ""),
            "Path": .string(c.path), "Username": .string(c.user ?? ""), "Password": .string(c.password ?? ""),
            "Query Parameters": .bag(q), "Fragment": .string(c.fragment ?? ""),
        ])
    }

    static func parsePath(_ s: String) -> Value {
        // A URI scheme (`file://`) comes off first; a one-letter "scheme" is a drive.
        var scheme = "", rest = Substring(s)
        if let r = s.range(of: "://"), s.distance(from: s.startIndex, to: r.lowerBound) > 1,
           s[..<r.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }) {
            scheme = String(s[..<r.lowerBound]); rest = s[r.upperBound...]
        }
        let chars = Array(rest)
        let root = chars.count >= 2 && chars[1] == ":" && chars[0].isLetter ? String(chars[0...1]) : ""
        let idx = rest.lastIndex(where: { $0 == "/" || $0 == "\\" })
        let dir = idx.map { String(rest[..<$0]) } ?? ""
        var file = idx.map { String(rest[rest.index(after: $0)...]) } ?? String(rest)
        if idx == nil && !root.isEmpty { file = String(file.dropFirst(2)) }
        // NTFS alternate data stream: `file.txt:stream`.
        var stream = ""
        if let c = file.firstIndex(of: ":") { stream = String(file[file.index(after: c)...]); file = String(file[..<c]) }
        let ext = file.lastIndex(of: ".").map { String(file[file.index(after: $0)...]) } ?? ""
        return .bag([
            "Scheme": .string(scheme), "RootPath": .string(root),
            "DirectoryPath": .string(dir), "DirectoryName": .string(dir.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""),
            "Filename": .string(file), "Extension": .string(ext), "AlternateDataStreamName": .string(stream),
        ])
    }

    /// Windows command-line splitting rules (quotes group, backslashes escape quotes).
    static func commandLineArgs(_ s: String) -> [String] {
        var out: [String] = [], cur = "", inQ = false, any = false
        var chars = Array(s)[...]
        while let c = chars.popFirst() {
            if c == "\\" {
                var n = 1
                while chars.first == "\\" { chars.removeFirst(); n += 1 }
                if chars.first == "\"" { cur += String(repeating: "\\", count: n / 2); if n % 2 == 1 { chars.removeFirst(); cur += "\"" } }
                else { cur += String(repeating: "\\", count: n) }
                any = true
            } else if c == "\"" { inQ.toggle(); any = true }
            else if (c == " " || c == "\t") && !inQ { if any { out.append(cur); cur = ""; any = false } }
            else { cur.append(c); any = true }
        }
        if any { out.append(cur) }
        return out
    }
}

extension CharacterSet {
    static let urlQueryAllowedKQL: CharacterSet = {
        var s = CharacterSet.alphanumerics
        s.insert(charactersIn: "-._~")
        return s
    }()
}

extension Value {
    var asArray: [Value]? { if case .array(let a) = self { return a }; return nil }
    var asBag: OrderedDictionary<String, Value>? { if case .bag(let b) = self { return b }; return nil }
}
