/// An event read without building its tree: the chunk's parsed template (its substitutions left as
/// placeholders) and the record's values. A busy log's records share a few templates, so reading
/// through the template instead of instantiating it per record is most of the reader's speed. An event
/// that was instantiated (a record without a template, or with embedded XML values) is a view with no
/// values; the same code maps both.
public struct EvtxEventView {
    public let root: EvtxElement
    public let values: [EvtxValue]
    /// Each value's text, made once: the data fields and the rendered XML both need it.
    let texts: [String]

    public init(root: EvtxElement, values: [EvtxValue] = []) { self.root = root; self.values = values; texts = values.map(\.text) }

    /// The value a placeholder stands for (null past the values).
    @inline(__always) func value(_ id: Int) -> EvtxValue { id < values.count ? values[id] : .null }
    @inline(__always) func valueText(_ id: Int) -> String { id < texts.count ? texts[id] : "" }

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
        case .element(let x): return ChunkReader.substitutionID(x).map { valueText($0) } ?? ""
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
        guard let id = ChunkReader.attributeSubstitution(v) else { return v }
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

    /// The element as XML text (UTF-8), its substitutions filled in and escaped.
    public func xml(_ e: EvtxElement, into s: inout [UInt8]) {
        s.append(UInt8(ascii: "<")); Self.put(e.name, into: &s)
        for a in e.attributes {
            let text: String
            if let id = ChunkReader.attributeSubstitution(a.value) {
                guard value(id) != .null else { continue }
                text = valueText(id)
            } else {
                text = a.value.text
            }
            s.append(0x20); Self.put(a.name, into: &s); s.append(UInt8(ascii: "=")); s.append(UInt8(ascii: "\""))
            Self.escape(text, into: &s); s.append(UInt8(ascii: "\""))
        }
        if isEmpty(e) { s.append(0x20); s.append(UInt8(ascii: "/")); s.append(UInt8(ascii: ">")); return }
        s.append(UInt8(ascii: ">"))
        for c in e.children {
            switch c {
            case .element(let x):
                if let id = ChunkReader.substitutionID(x) { Self.escape(valueText(id), into: &s) } else { xml(x, into: &s) }
            case .text(let v): Self.escape(v.text, into: &s)
            }
        }
        s.append(UInt8(ascii: "<")); s.append(UInt8(ascii: "/")); Self.put(e.name, into: &s); s.append(UInt8(ascii: ">"))
    }

    static func put(_ t: String, into out: inout [UInt8]) {
        var t = t
        t.withUTF8 { out.append(contentsOf: $0) }
    }

    static func escape(_ t: String, into out: inout [UInt8]) {
        var t = t
        t.withUTF8 { escape($0, into: &out) }
    }

    /// `&`, `<`, `>` and `"` escaped (`'` is not, as Windows renders event data).
    static func escape(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Most values have nothing to escape: copied whole.
        guard b.contains(where: { $0 == 0x26 || $0 == 0x3c || $0 == 0x3e || $0 == 0x22 }) else { out.append(contentsOf: b); return }
        for c in b {
            switch c {
            case UInt8(ascii: "&"): out += Self.amp
            case UInt8(ascii: "<"): out += Self.lt
            case UInt8(ascii: ">"): out += Self.gt
            case UInt8(ascii: "\""): out += Self.quot
            default: out.append(c)
            }
        }
    }

    static let amp = Array("&amp;".utf8), lt = Array("&lt;".utf8), gt = Array("&gt;".utf8), quot = Array("&quot;".utf8)
}
