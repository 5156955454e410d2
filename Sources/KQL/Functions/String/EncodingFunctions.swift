import Foundation
import OrderedCollections

/// CSV records, JSON paths and canonical JSON, code points, punycode, base64 to and from byte
/// arrays and GUIDs, multi-string replacement, ordinal comparison and UTF-8 bytes.
enum EncodingFunctions {
    /// The first record of a CSV text, RFC 4180 quoting (`""` inside quotes is a quote).
    static func csvRecord(_ s: String) -> [Value] {
        var out: [Value] = []
        var field = "", quoted = false, afterQuote = false
        var it = s.makeIterator()
        while let c = it.next() {
            if quoted {
                if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
                continue
            }
            switch c {
            case "\"":
                if afterQuote { field.append("\""); quoted = true; afterQuote = false } else if field.isEmpty { quoted = true }
                else { field.append(c) }
            case ",": out.append(.string(field)); field = ""; afterQuote = false
            case "\n", "\r\n": out.append(.string(field)); return out
            case "\r": continue
            default: field.append(c); afterQuote = false
            }
        }
        out.append(.string(field))
        return out
    }

    /// A JSONPath of the subset Kusto supports: `$`, `.name`, `['name']`, `[index]`.
    static func jsonPath(_ v: Value, _ path: String) -> Value? {
        var cur = v
        var s = Substring(path.trimmingCharacters(in: .whitespaces))
        guard s.hasPrefix("$") else { return nil }
        s = s.dropFirst()
        while !s.isEmpty {
            if s.hasPrefix(".") {
                s = s.dropFirst()
                let name = s.prefix { $0 != "." && $0 != "[" }
                s = s.dropFirst(name.count)
                guard case .bag(let b) = cur, let next = b[String(name)] else { return nil }
                cur = next
            } else if s.hasPrefix("[") {
                guard let close = s.firstIndex(of: "]") else { return nil }
                var inner = s[s.index(after: s.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                s = s[s.index(after: close)...]
                if inner.hasPrefix("'") || inner.hasPrefix("\"") {
                    inner = String(inner.dropFirst().dropLast())
                    guard case .bag(let b) = cur, let next = b[inner] else { return nil }
                    cur = next
                } else if let i = Int(inner) {
                    guard case .array(let arr) = cur else { return nil }
                    let j = i < 0 ? arr.count + i : i
                    guard j >= 0, j < arr.count else { return nil }
                    cur = arr[j]
                } else { return nil }
            } else { return nil }
        }
        return cur
    }

    /// JSON with every property bag's keys sorted, as `dynamic_to_json` writes it.
    static func canonical(_ v: Value) -> Value {
        switch v {
        case .array(let a): return .array(a.map(canonical))
        case .bag(let b):
            var d = OrderedDictionary<String, Value>()
            for k in b.keys.sorted() { d[k] = canonical(b[k]!) }
            return .bag(d)
        default: return v
        }
    }

    // MARK: punycode (RFC 3492)

    static let base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    static func adapt(_ delta: Int, _ numPoints: Int, _ first: Bool) -> Int {
        var d = first ? delta / damp : delta / 2
        d += d / numPoints
        var k = 0
        while d > ((base - tmin) * tmax) / 2 { d /= base - tmin; k += base }
        return k + (base - tmin + 1) * d / (d + skew)
    }

    static func digit(_ d: Int) -> Character { Character(Unicode.Scalar(UInt8(d < 26 ? d + 97 : d + 22))) }

    static func punycodeEncode(_ input: String) -> String? {
        let cps = input.unicodeScalars.map { Int($0.value) }
        var out = String(input.unicodeScalars.filter(\.isASCII).map(Character.init))
        let b = out.count
        var h = b
        if b > 0 { out.append("-") }
        var n = initialN, delta = 0, bias = initialBias
        while h < cps.count {
            guard let m = cps.filter({ $0 >= n }).min() else { break }
            delta += (m - n) * (h + 1)
            n = m
            for c in cps {
                if c < n { delta += 1 }
                if c == n {
                    var q = delta, k = base
                    while true {
                        let t = k <= bias ? tmin : (k >= bias + tmax ? tmax : k - bias)
                        if q < t { break }
                        out.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    out.append(digit(q))
                    bias = adapt(delta, h + 1, h == b)
                    delta = 0
                    h += 1
                }
            }
            delta += 1; n += 1
        }
        return out
    }

    static func punycodeDecode(_ input: String) -> String? {
        var output: [Int] = []
        let chars = Array(input.unicodeScalars)
        var start = 0
        if let dash = chars.lastIndex(of: "-") {
            output = chars[..<dash].map { Int($0.value) }
            start = dash + 1
        }
        var n = initialN, i = 0, bias = initialBias, pos = start
        while pos < chars.count {
            let oldi = i
            var w = 1, k = base
            while true {
                guard pos < chars.count else { return nil }
                let c = Int(chars[pos].value); pos += 1
                let d: Int
                switch c {
                case 48...57: d = c - 22
                case 65...90: d = c - 65
                case 97...122: d = c - 97
                default: return nil
                }
                let (dw, o1) = d.multipliedReportingOverflow(by: w)
                let (ni, o2) = i.addingReportingOverflow(dw)
                guard !o1, !o2, ni <= 0x10FFFF * (output.count + 2) else { return nil }
                i = ni
                let t = k <= bias ? tmin : (k >= bias + tmax ? tmax : k - bias)
                if d < t { break }
                let (nw, o3) = w.multipliedReportingOverflow(by: base - t)
                guard !o3 else { return nil }
                w = nw
                k += base
            }
            bias = adapt(i - oldi, output.count + 1, oldi == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF else { return nil }
            output.insert(n, at: i)
            i += 1
        }
        var s = ""
        for cp in output { guard let u = Unicode.Scalar(cp) else { return nil }; s.unicodeScalars.append(u) }
        return s
    }

    static var all: [FunctionDef] {
        [
            F.row("parse_csv", 1...1, .dynamic) { a, _ in .array(csvRecord(a[0].kqlString)) },
            F.row("extract_json", 2...3, .string) { a, _ in
                let src: Value = { if case .string(let s) = a[1] { return Value.parseJSON(s) }; return a[1] }()
                guard let v = jsonPath(src, a[0].kqlString), !v.isNull else { return .string("") }
                if case .string(let s) = v { return .string(s) }
                return .string(v.kqlString)
            },
            F.row("dynamic_to_json", 1...1, .string) { a, _ in .string(canonical(a[0]).jsonText) },
            F.row("unicode_codepoints_to_string", 1...65_535, .string) { a, _ in
                var s = ""
                for v in a.count == 1 ? (a[0].asArray ?? [a[0]]) : a.flatMap({ $0.asArray ?? [$0] }) {
                    guard let cp = v.asInt64, let u = Unicode.Scalar(UInt32(clamping: cp)) else { return .null }
                    s.unicodeScalars.append(u)
                }
                return .string(s)
            },
            F.row("punycode_from_string", 1...2, .string) { a, _ in
                let s = a[0].kqlString
                if a.count > 1, a[1].asBool == true {
                    // IDN: each label of a domain name.
                    return .string(s.split(separator: ".", omittingEmptySubsequences: false).map { l in
                        l.unicodeScalars.allSatisfy(\.isASCII) ? String(l) : "xn--" + (punycodeEncode(String(l)) ?? "")
                    }.joined(separator: "."))
                }
                return punycodeEncode(s).map { .string($0) } ?? .null
            },
            F.row("punycode_to_string", 1...2, .string) { a, _ in
                let s = a[0].kqlString
                if a.count > 1, a[1].asBool == true {
                    var labels: [String] = []
                    for l in s.split(separator: ".", omittingEmptySubsequences: false) {
                        if l.lowercased().hasPrefix("xn--") { guard let d = punycodeDecode(String(l.dropFirst(4))) else { return .null }; labels.append(d) }
                        else { labels.append(String(l)) }
                    }
                    return .string(labels.joined(separator: "."))
                }
                return punycodeDecode(s).map { .string($0) } ?? .null
            },
            F.row("base64_decode_toarray", 1...1, .dynamic) { a, _ in
                guard let d = Data(base64Encoded: padded(a[0].kqlString)) else { return .null }
                return .array(d.map { .long(Int64($0)) })
            },
            F.row("base64_encode_fromarray", 1...1, .string) { a, _ in
                guard let arr = a[0].asArray else { return .null }
                var bytes: [UInt8] = []
                for v in arr { guard let b = v.asInt64, (0...255).contains(b) else { return .null }; bytes.append(UInt8(b)) }
                return .string(Data(bytes).base64EncodedString())
            },
            F.row("base64_decode_toguid", 1...1, .guid) { a, _ in
                guard let d = Data(base64Encoded: padded(a[0].kqlString)), let g = GuidBytes.string(Array(d)) else { return .null }
                return .guid(g)
            },
            F.row("replace_strings", 3...3, .string) { a, _ in
                guard let from = a[1].asArray?.map(\.kqlString), let to = a[2].asArray?.map(\.kqlString), from.count == to.count else { return .null }
                return .string(replaceStrings(a[0].kqlString, from, to))
            },
            F.row("strcmp", 2...2, .long) { a, _ in
                let x = Array(a[0].kqlString.utf16), y = Array(a[1].kqlString.utf16)
                return .long(x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1))
            },
            F.row("to_utf8", 1...1, .dynamic) { a, _ in .array(a[0].kqlString.utf8.map { .long(Int64($0)) }) },
            F.row("isutf8", 1...1, .bool) { a, _ in .bool(!a[0].kqlString.unicodeScalars.contains("\u{FFFD}")) },
        ]
    }

    static func padded(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        return t + String(repeating: "=", count: (4 - t.count % 4) % 4)
    }

    /// Replaces every occurrence of the lookups in one pass, left to right; where several match at a
    /// position the longest wins, and replaced text is not searched again.
    static func replaceStrings(_ s: String, _ from: [String], _ to: [String]) -> String {
        let src = Array(s.unicodeScalars)
        let pats = from.map { Array($0.unicodeScalars) }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < src.count {
            var best = -1
            for (k, p) in pats.enumerated() where !p.isEmpty && i + p.count <= src.count && (best < 0 || p.count > pats[best].count) {
                if Array(src[i..<(i + p.count)]) == p { best = k }
            }
            if best >= 0 { out.append(contentsOf: to[best].unicodeScalars); i += pats[best].count } else { out.append(src[i]); i += 1 }
        }
        return String(out)
    }
}
