/// An event read without building its tree: the chunk's parsed template (its substitutions left as
/// placeholders) and the record's values. A busy log's records share a few templates, so reading
/// through the template instead of instantiating it per record is most of the reader's speed. An event
/// that was instantiated (a record without a template, or with embedded XML values) is a view with no
/// values; the same code maps both.
public struct EvtxEventView {
    public let root: EvtxElement
    public let values: [EvtxValue]

    public init(root: EvtxElement, values: [EvtxValue] = []) { self.root = root; self.values = values }

    /// The value a placeholder stands for (null past the values).
    @inline(__always) func value(_ id: Int) -> EvtxValue { id < values.count ? values[id] : .null }

    /// A child element by name (placeholders are values, not elements).
    public func child(_ e: EvtxElement, _ name: String) -> EvtxElement? {
        for c in e.children { if case .element(let x) = c, x.name == name { return x } }
        return nil
    }

    /// The element's text content, its substitutions filled in.
    public func text(_ e: EvtxElement) -> String {
        if e.children.count == 1 { return piece(e.children[0]) }
        var s = ""
        for c in e.children { s += piece(c) }
        return s
    }

    /// One node's text (a child element contributes nothing, as in `EvtxElement.text`).
    func piece(_ n: EvtxNode) -> String {
        switch n {
        case .text(let v): return v.text
        case .element(let x): return ChunkReader.substitutionID(x).map { value($0).text } ?? ""
        }
    }

    /// The typed value of an element's content when it is exactly one value (a substitution or text).
    public func typedValue(_ e: EvtxElement) -> EvtxValue? {
        guard e.children.count == 1 else { return nil }
        switch e.children[0] {
        case .text(let v): return v
        case .element(let x): return ChunkReader.substitutionID(x).map { value($0) }
        }
    }

    /// An attribute's value (nil when absent or when its substitution is null, which drops it).
    public func attribute(_ e: EvtxElement, _ name: String) -> EvtxValue? {
        guard let a = e.attributes.first(where: { $0.name == name }) else { return nil }
        return resolved(a.value)
    }

    func resolved(_ v: EvtxValue) -> EvtxValue? {
        guard case .xml(let xs) = v, xs.count == 1, case .element(let p) = xs[0], let id = ChunkReader.substitutionID(p) else { return v }
        let r = value(id)
        return r == .null ? nil : r
    }

    /// Whether an element has content once its substitutions are filled (a null one adds nothing).
    func isEmpty(_ e: EvtxElement) -> Bool {
        e.children.allSatisfy { c in
            if case .element(let x) = c, let id = ChunkReader.substitutionID(x) { return value(id) == .null }
            return false
        }
    }

    /// The element as XML text, its substitutions filled in and escaped.
    public func xml(_ e: EvtxElement, into s: inout String) {
        s += "<"; s += e.name
        for a in e.attributes {
            guard let v = resolved(a.value) else { continue }
            s += " "; s += a.name; s += "=\""; Self.escape(v.text, into: &s); s += "\""
        }
        if isEmpty(e) { s += " />"; return }
        s += ">"
        for c in e.children {
            switch c {
            case .element(let x):
                if let id = ChunkReader.substitutionID(x) { Self.escape(value(id).text, into: &s) } else { xml(x, into: &s) }
            case .text(let v): Self.escape(v.text, into: &s)
            }
        }
        s += "</"; s += e.name; s += ">"
    }

    static func escape(_ t: String, into out: inout String) {
        var t = t
        let plain = t.withUTF8 { b in !b.contains { $0 == 0x26 || $0 == 0x3c || $0 == 0x3e || $0 == 0x22 } }
        if plain { out += t; return }
        for ch in t.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(ch)
            }
        }
    }
}
