import Foundation
import KQL

/// What mapping an event needs from its template, worked out once per template instead of once per
/// event: where the System fields are (a fixed text or a substitution), the data fields' names in
/// order with where each one's text comes from, and the `EventData` XML as a program of fixed bytes
/// and substitutions. A busy log has a handful of templates and millions of events, so an event is
/// mapped by running its template's plan over its values. The plan reproduces `EvtxEventView`'s
/// reading exactly; a template it cannot (a data field named by a substitution) has none, and its
/// events are mapped through the view.
final class EvtxTemplatePlan {
    /// Part of an element's text: fixed text of the template, or a substitution's value.
    enum Piece: Equatable {
        case text([UInt8])
        case slot(Int)
    }

    /// An element's content as `EvtxEventView.text` reads it; `single` when the element has exactly one
    /// child (then a substitution is read as its typed value). An absent element has no pieces.
    struct Content {
        var pieces: [Piece] = []
        var single = false
    }

    /// An attribute as `EvtxEventView.attribute` reads it.
    enum Attribute {
        case absent
        case text([UInt8])
        case slot(Int)
    }

    struct Field {
        var name: String
        var pieces: [Piece]
        /// Named `<Data>` values lose their surrounding spaces.
        var trimmed: Bool
    }

    /// The XML program: bytes to copy, substitutions to escape, attributes dropped when their value is
    /// null, and elements closed as `<x />` when all their content is null.
    enum Op {
        case bytes([UInt8])
        case escaped(Int)
        /// ` name="value"` unless the value is null.
        case attribute(name: [UInt8], slot: Int)
        /// ` />` and a jump to `skip` when every listed substitution is null, `>` otherwise.
        case open(slots: [Int], skip: Int)
    }

    let provider: Attribute, timeCreated: Attribute, userID: Attribute
    let channel: Content, computer: Content, eventID: Content, level: Content, task: Content
    let fields: [Field]
    /// Field indices in key order (WindowsEvent's `EventData` object is sorted).
    let sortedFields: [Int]
    let targetUser: Int?, targetDomain: Int?, subjectUser: Int?, subjectDomain: Int?
    let xml: Program
    /// Each field's lone substitution (-1 when its text is made of pieces).
    let fieldSlots: [Int]
    /// SecurityEvent's column of each field, resolved on first use (-1: not a column).
    var securityColumns: [Int]?
    /// Each field's name as a JSON object key with its colon (`"Name":`), for WindowsEvent's `EventData`.
    lazy var jsonKeys: [[UInt8]] = fields.map { f in
        var out: [UInt8] = []
        var name = f.name
        name.withUTF8 { Value.writeJSONString($0, into: &out) }
        out.append(UInt8(ascii: ":"))
        return out
    }

    /// The plan of a template whose root is `root`, or nil when the view must read its events.
    init?(root: EvtxElement) {
        let system = root.child("System")
        func content(_ name: String) -> Content { system?.child(name).map(Self.content) ?? Content() }
        func attribute(_ element: String, _ name: String) -> Attribute {
            guard let e = system?.child(element), let a = e.attributes.first(where: { $0.name == name }) else { return .absent }
            if let id = ChunkReader.attributeSubstitution(a.value) { return .slot(id) }
            return .text(Array(a.value.text.utf8))
        }
        provider = attribute("Provider", "Name"); timeCreated = attribute("TimeCreated", "SystemTime"); userID = attribute("Security", "UserID")
        channel = content("Channel"); computer = content("Computer"); eventID = content("EventID"); level = content("Level"); task = content("Task")
        guard let fields = Self.fields(root) else { return nil }
        self.fields = fields
        sortedFields = fields.indices.sorted { fields[$0].name < fields[$1].name }
        func index(_ name: String) -> Int? { fields.lastIndex { $0.name == name } }
        targetUser = index("TargetUserName"); targetDomain = index("TargetDomainName")
        subjectUser = index("SubjectUserName"); subjectDomain = index("SubjectDomainName")
        var ops: [Op] = []
        if let data = root.child("EventData") ?? root.child("UserData") {
            var element = data
            if data.name == "EventData", !data.attributes.contains(where: { $0.name == "xmlns" }) {
                element.attributes.append(("xmlns", .string("http://schemas.microsoft.com/win/2004/08/events/event")))
            }
            Self.compile(element, into: &ops)
        }
        xml = Program(Self.merged(ops))
        fieldSlots = fields.map { f in
            if f.pieces.count == 1, case .slot(let i) = f.pieces[0] { return i }
            return -1
        }
    }

    /// The XML program as flat arrays (an op is its kind and three numbers; its bytes and lists in
    /// pools): run once per event, without a retain per op.
    struct Program {
        enum Kind: UInt8 { case bytes, escaped, attribute, open }
        var kind: [Kind] = [], a: [Int] = [], b: [Int] = [], c: [Int] = []
        var pool: [UInt8] = [], lists: [Int] = []

        init(_ ops: [Op]) {
            for op in ops {
                switch op {
                case .bytes(let x): add(.bytes, pool.count, pool.count + x.count, 0); pool += x
                case .escaped(let slot): add(.escaped, slot, 0, 0)
                case .attribute(let name, let slot): add(.attribute, pool.count, pool.count + name.count, slot); pool += name
                case .open(let slots, let skip): add(.open, lists.count, lists.count + slots.count, skip); lists += slots
                }
            }
        }

        mutating func add(_ k: Kind, _ x: Int, _ y: Int, _ z: Int) { kind.append(k); a.append(x); b.append(y); c.append(z) }
    }

    /// The outer template's root with an embedded instance's body in place of its placeholder, the
    /// body's substitutions numbered after the outer ones (from `offset`): the tree instantiating both
    /// would give, as one template. Nil when the placeholder is an attribute's value.
    static func spliced(_ e: EvtxElement, slot: Int, body: [EvtxNode], offset: Int) -> EvtxElement? {
        if e.attributes.contains(where: { ChunkReader.attributeSubstitution($0.value) == slot }) { return nil }
        var out = e
        out.children = []
        for c in e.children {
            guard case .element(let x) = c else { out.children.append(c); continue }
            if let id = ChunkReader.substitutionID(x) {
                if id == slot { out.children += body.map { renumbered($0, by: offset) } } else { out.children.append(c) }
            } else {
                guard let y = spliced(x, slot: slot, body: body, offset: offset) else { return nil }
                out.children.append(.element(y))
            }
        }
        return out
    }

    static func renumbered(_ n: EvtxNode, by offset: Int) -> EvtxNode {
        guard case .element(var e) = n else { return n }
        if let id = ChunkReader.substitutionID(e) { return .element(ChunkReader.placeholder(id + offset)) }
        e.attributes = e.attributes.map { a in
            ChunkReader.attributeSubstitution(a.value).map { (a.name, EvtxValue.xml([.element(ChunkReader.placeholder($0 + offset))])) } ?? a
        }
        e.children = e.children.map { renumbered($0, by: offset) }
        return .element(e)
    }

    /// The highest substitution the nodes use (-1 for none).
    static func highestSubstitution(_ nodes: [EvtxNode]) -> Int {
        nodes.reduce(-1) { m, n in
            guard case .element(let e) = n else { return m }
            if let id = ChunkReader.substitutionID(e) { return max(m, id) }
            let attrs = e.attributes.compactMap { ChunkReader.attributeSubstitution($0.value) }.max() ?? -1
            return max(m, attrs, highestSubstitution(e.children))
        }
    }

    static func content(_ e: EvtxElement) -> Content {
        var c = Content(single: e.children.count == 1)
        for n in e.children {
            switch n {
            case .text(let v): c.pieces.append(.text(Array(v.text.utf8)))
            case .element(let x): if let id = ChunkReader.substitutionID(x) { c.pieces.append(.slot(id)) }
            }
        }
        return c
    }

    /// `EvtxTables.fields`' names and contents, in document order (a repeated name keeps its last
    /// content, as the dictionary did), followed by the space-free spelling of names with spaces.
    static func fields(_ root: EvtxElement) -> [Field]? {
        var out: [Field] = []
        func put(_ name: String, _ e: EvtxElement, trimmed: Bool) {
            let f = Field(name: name, pieces: content(e).pieces, trimmed: trimmed)
            if let i = out.firstIndex(where: { $0.name == name }) { out[i] = f } else { out.append(f) }
        }
        if let data = root.child("EventData") {
            var unnamed = 0
            for c in data.children {
                guard case .element(let d) = c, ChunkReader.substitutionID(d) == nil else { continue }
                if let a = d.attributes.first(where: { $0.name == "Name" }) {
                    // A name that is a substitution changes per event: the view reads those.
                    guard ChunkReader.attributeSubstitution(a.value) == nil else { return nil }
                    put(a.value.text, d, trimmed: true)
                } else {
                    put(unnamed == 0 ? d.name : "\(d.name)\(unnamed)", d, trimmed: false); unnamed += 1
                }
            }
        } else if let user = root.child("UserData"),
                  case .element(let inner)? = user.children.first(where: { if case .element(let x) = $0 { return ChunkReader.substitutionID(x) == nil } else { return false } }) {
            for c in inner.children { if case .element(let d) = c, ChunkReader.substitutionID(d) == nil { put(d.name, d, trimmed: false) } }
        }
        for f in out where f.name.utf8.contains(0x20) {
            let joined = f.name.replacingOccurrences(of: " ", with: "")
            if !out.contains(where: { $0.name == joined }) { out.append(Field(name: joined, pieces: f.pieces, trimmed: f.trimmed)) }
        }
        return out
    }

    /// `EvtxEventView.xml`, compiled.
    static func compile(_ e: EvtxElement, into ops: inout [Op]) {
        ops.append(.bytes([UInt8(ascii: "<")] + Array(e.name.utf8)))
        for a in e.attributes {
            if let id = ChunkReader.attributeSubstitution(a.value) { ops.append(.attribute(name: Array(a.name.utf8), slot: id)); continue }
            var s: [UInt8] = [0x20] + Array(a.name.utf8) + Array("=\"".utf8)
            EvtxEventView.escape(a.value.text, into: &s)
            ops.append(.bytes(s + [UInt8(ascii: "\"")]))
        }
        // Content that is only substitutions may all be null at run time: the element is then empty.
        let slots = e.children.compactMap { c -> Int? in if case .element(let x) = c { return ChunkReader.substitutionID(x) } else { return nil } }
        let mayBeEmpty = slots.count == e.children.count
        let open = ops.count
        if mayBeEmpty { ops.append(.open(slots: slots, skip: 0)) } else { ops.append(.bytes([UInt8(ascii: ">")])) }
        for c in e.children {
            switch c {
            case .element(let x):
                if let id = ChunkReader.substitutionID(x) { ops.append(.escaped(id)) } else { compile(x, into: &ops) }
            case .text(let v):
                var s: [UInt8] = []
                EvtxEventView.escape(v.text, into: &s)
                ops.append(.bytes(s))
            }
        }
        ops.append(.bytes(Array("</".utf8) + Array(e.name.utf8) + [UInt8(ascii: ">")]))
        if mayBeEmpty { ops[open] = .open(slots: slots, skip: ops.count) }
    }

    /// Adjacent fixed bytes joined (never into a jump's target), jump targets moved with them.
    static func merged(_ ops: [Op]) -> [Op] {
        let targets = Set(ops.compactMap { op -> Int? in if case .open(_, let skip) = op { return skip } else { return nil } })
        var out: [Op] = [], moved: [Int] = []
        for (i, op) in ops.enumerated() {
            moved.append(out.count)
            if case .bytes(let b) = op, !targets.contains(i), case .bytes(let a)? = out.last { out[out.count - 1] = .bytes(a + b) } else { out.append(op) }
        }
        moved.append(out.count)
        return out.map { op in if case .open(let s, let skip) = op { return .open(slots: s, skip: moved[skip]) } else { return op } }
    }
}
