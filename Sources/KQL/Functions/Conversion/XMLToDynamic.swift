import Foundation
import OrderedCollections

/// `parse_xml`: XML read into a dynamic value with Kusto's mapping: an element is a property of its
/// parent, attributes are `@name`, text is `#text` (or the value itself for an element with only
/// text), repeated siblings form an array. A hand-written reader of elements, attributes, text,
/// CDATA, comments, processing instructions and the predefined and numeric entities; malformed XML
/// gives null.
struct XMLToDynamic {
    let s: [UInt8]
    var i = 0

    static func parse(_ text: String) -> Value {
        var p = XMLToDynamic(s: Array(text.utf8))
        var root = OrderedDictionary<String, Value>()
        p.skipMisc()
        guard p.peek(UInt8(ascii: "<")), let (name, v) = p.element() else { return .null }
        root[name] = v
        p.skipMisc()
        return p.i >= p.s.count ? .bag(root) : .null
    }

    func peek(_ c: UInt8) -> Bool { i < s.count && s[i] == c }
    func starts(_ t: String) -> Bool { let b = Array(t.utf8); return i + b.count <= s.count && Array(s[i..<(i + b.count)]) == b }
    mutating func skipSpace() { while i < s.count, s[i] == 32 || s[i] == 9 || s[i] == 10 || s[i] == 13 { i += 1 } }
    mutating func skip(until t: String) { while i < s.count, !starts(t) { i += 1 }; i = min(s.count, i + t.utf8.count) }

    /// Whitespace, comments, `<?...?>` and `<!DOCTYPE ...>` between elements.
    mutating func skipMisc() {
        while true {
            skipSpace()
            if starts("<?") { skip(until: "?>") } else if starts("<!--") { skip(until: "-->") } else if starts("<!DOCTYPE") { skip(until: ">") } else { return }
        }
    }

    mutating func name() -> String? {
        let start = i
        while i < s.count, !(s[i] == 32 || s[i] == 9 || s[i] == 10 || s[i] == 13 || s[i] == UInt8(ascii: ">") || s[i] == UInt8(ascii: "/") || s[i] == UInt8(ascii: "=")) { i += 1 }
        return i > start ? String(decoding: s[start..<i], as: UTF8.self) : nil
    }

    static func decode(_ raw: String) -> String {
        guard raw.contains("&") else { return raw }
        var out = "", rest = Substring(raw)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { out += rest[amp...]; return out }
            let ent = rest[rest.index(after: amp)..<semi]
            switch ent {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                if ent.hasPrefix("#x"), let v = UInt32(ent.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { out.unicodeScalars.append(u) }
                else if ent.hasPrefix("#"), let v = UInt32(ent.dropFirst()), let u = Unicode.Scalar(v) { out.unicodeScalars.append(u) }
                else { out += rest[amp...semi] }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    /// An element at `<`: its name and value.
    mutating func element() -> (String, Value)? {
        guard peek(UInt8(ascii: "<")) else { return nil }
        i += 1
        guard let tag = name() else { return nil }
        var props = OrderedDictionary<String, Value>()
        while true {
            skipSpace()
            if starts("/>") { i += 2; return (tag, props.isEmpty ? .null : .bag(props)) }
            if peek(UInt8(ascii: ">")) { i += 1; break }
            guard let attr = name() else { return nil }
            skipSpace()
            guard peek(UInt8(ascii: "=")) else { return nil }
            i += 1
            skipSpace()
            guard i < s.count, s[i] == 34 || s[i] == 39 else { return nil }
            let q = s[i]
            i += 1
            let start = i
            while i < s.count, s[i] != q { i += 1 }
            guard i < s.count else { return nil }
            props["@" + attr] = .string(Self.decode(String(decoding: s[start..<i], as: UTF8.self)))
            i += 1
        }
        var text = ""
        var children = OrderedDictionary<String, [Value]>()
        while i < s.count {
            if starts("</") {
                i += 2
                guard name() == tag else { return nil }
                skipSpace()
                guard peek(UInt8(ascii: ">")) else { return nil }
                i += 1
                for (k, v) in children { props[k] = v.count == 1 ? v[0] : .array(v) }
                let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if props.isEmpty { return (tag, t.isEmpty ? .null : .string(t)) }
                if !t.isEmpty { props["#text"] = .string(t) }
                return (tag, .bag(props))
            }
            if starts("<!--") { skip(until: "-->"); continue }
            if starts("<?") { skip(until: "?>"); continue }
            if starts("<![CDATA[") {
                i += 9
                let start = i
                while i < s.count, !starts("]]>") { i += 1 }
                text += String(decoding: s[start..<min(i, s.count)], as: UTF8.self)
                i = min(s.count, i + 3)
                continue
            }
            if peek(UInt8(ascii: "<")) {
                guard let (n, v) = element() else { return nil }
                children[n, default: []].append(v)
                continue
            }
            let start = i
            while i < s.count, s[i] != UInt8(ascii: "<") { i += 1 }
            text += Self.decode(String(decoding: s[start..<i], as: UTF8.self))
        }
        return nil
    }
}
