import Foundation

/// An event as JSON, in the shape evtx_dump and the Sigma regression set use: attributes under
/// `#attributes`, an element's text as its value (typed: integers as numbers, hex as `0x...`),
/// `#text` beside attributes, `<Data Name="X">` children of EventData as `X`, an empty element null.
public enum EvtxJSON {
    public static func object(_ e: EvtxElement) -> [String: Any] { [e.name: render(e)] }

    static func render(_ e: EvtxElement) -> Any {
        var obj: [String: Any] = [:]
        if !e.attributes.isEmpty {
            var a: [String: Any] = [:]
            for (n, v) in e.attributes { a[n] = json(v) }
            obj["#attributes"] = a
        }
        let elements = e.children.compactMap { c -> EvtxElement? in if case .element(let x) = c { return x } else { return nil } }
        let texts = e.children.compactMap { c -> EvtxValue? in if case .text(let v) = c { return v } else { return nil } }
        for c in elements {
            let isNamedData = c.name == "Data" && c.attributes.contains { $0.name == "Name" }
            let name = isNamedData ? c.attributes.first(where: { $0.name == "Name" })!.value.text : c.name
            let value: Any = isNamedData ? dataValue(c) : render(c)
            if let existing = obj[name] {
                if var list = existing as? [Any], !(existing is [String: Any]) { list.append(value); obj[name] = list } else { obj[name] = [existing, value] }
            } else {
                obj[name] = value
            }
        }
        if !texts.isEmpty {
            let v: Any = texts.count == 1 ? json(texts[0]) : texts.map(\.text).joined()
            if obj.isEmpty { return v }
            obj["#text"] = v
        }
        return obj.isEmpty ? NSNull() : obj
    }

    /// `<Data Name="X">v</Data>`: the value alone (null when empty).
    static func dataValue(_ c: EvtxElement) -> Any {
        let texts = c.children.compactMap { n -> EvtxValue? in if case .text(let v) = n { return v } else { return nil } }
        if texts.isEmpty {
            let inner = c.children.compactMap { n -> EvtxElement? in if case .element(let x) = n { return x } else { return nil } }
            return inner.isEmpty ? NSNull() : render(EvtxElement(name: c.name, attributes: [], children: c.children))
        }
        return texts.count == 1 ? json(texts[0]) : texts.map(\.text).joined()
    }

    static func json(_ v: EvtxValue) -> Any {
        switch v {
        case .null: return NSNull()
        // evtx_dump trims the whitespace around text values.
        case .string(let s): return s.trimmingCharacters(in: .whitespacesAndNewlines)
        case .signed(let i): return i
        case .unsigned(let u): return u <= UInt64(Int64.max) ? Int64(u) as Any : u as Any
        case .real(let d): return d
        case .bool(let b): return b
        case .array(let a): return a.map(json)
        default: return v.text
        }
    }
}
