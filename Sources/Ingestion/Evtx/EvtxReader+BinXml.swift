import Foundation

/// One 64 KiB chunk of the file, read in place (offsets are relative to the chunk).
struct ChunkBytes {
    let file: [UInt8]
    let base: Int
    var count: Int { 65536 }
    subscript(i: Int) -> UInt8 { file[base + i] }
    subscript(r: Range<Int>) -> ArraySlice<UInt8> { file[(base + r.lowerBound)..<(base + r.upperBound)] }
    func le16(_ i: Int) -> UInt16 { EvtxReader.le16(file, base + i) }
    func le32(_ i: Int) -> UInt32 { EvtxReader.le32(file, base + i) }
    func le64(_ i: Int) -> UInt64 { EvtxReader.le64(file, base + i) }
}

/// Binary XML inside one chunk: names and template definitions are referenced by chunk offsets.
struct ChunkReader {
    let chunk: ChunkBytes
    var templates: [Int: [EvtxNode]] = [:]
    /// Templates being parsed and the element depth: a damaged chunk must not recurse forever.
    var parsing: Set<Int> = []
    var depth = 0
    /// The file's templates parsed so far, by print (shared by its chunks' readers).
    let prints: EvtxTemplatePrints?
    typealias Failure = EvtxReader.Failure

    init(chunk: ChunkBytes, prints: EvtxTemplatePrints? = nil) { self.chunk = chunk; self.prints = prints }

    /// A substitution placeholder inside a parsed template (a template is parsed once per chunk and
    /// filled in per record by `instantiate`).
    static let substitutionName = "\u{0}sub"
    static let entities = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]

    static func placeholder(_ id: Int) -> EvtxElement {
        EvtxElement(name: substitutionName, attributes: [("id", .unsigned(UInt64(id)))], children: [])
    }

    /// The substitution a placeholder stands for, or nil for any other element.
    static func substitutionID(_ e: EvtxElement) -> Int? {
        guard e.name == substitutionName, case .unsigned(let id)? = e.attributes.first?.value else { return nil }
        return Int(id)
    }

    /// The substitution an attribute's value stands for (a one-placeholder `.xml` value), or nil.
    static func attributeSubstitution(_ v: EvtxValue) -> Int? {
        guard case .xml(let xs) = v, xs.count == 1, case .element(let p) = xs[0] else { return nil }
        return substitutionID(p)
    }

    static func character(_ code: Int) -> String { String(UnicodeScalar(UInt32(code)).map(Character.init) ?? " ") }

    func need(_ pos: Int, _ n: Int) throws { if pos < 0 || pos + n > chunk.count { throw Failure(message: "binary XML runs past the chunk at \(pos)") } }
    func u8(_ p: Int) throws -> UInt8 { try need(p, 1); return chunk[p] }
    func u16(_ p: Int) throws -> Int { try need(p, 2); return Int(chunk.le16(p)) }
    func u32(_ p: Int) throws -> Int { try need(p, 4); return Int(chunk.le32(p)) }
    func u64(_ p: Int) throws -> UInt64 { try need(p, 8); return chunk.le64(p) }

    func utf16(_ p: Int, chars: Int) throws -> String {
        try need(p, chars * 2)
        var n = chars
        while n > 0 && chunk.le16(p + 2 * (n - 1)) == 0 { n -= 1 }
        // Nearly all of a log's text is ASCII: its UTF-8 is its low bytes, which String takes without
        // transcoding (the general UTF-16 decoding was a fifth of mapping an event).
        return chunk.file.withUnsafeBufferPointer { b -> String in
            let base = chunk.base + p
            var ascii = true
            for i in 0..<n where b[base + 2 * i + 1] != 0 || b[base + 2 * i] >= 0x80 { ascii = false; break }
            if ascii {
                return String(unsafeUninitializedCapacity: n) { out in
                    for i in 0..<n { out[i] = b[base + 2 * i] }
                    return n
                }
            }
            var units: [UInt16] = []
            units.reserveCapacity(n)
            for i in 0..<n { units.append(UInt16(b[base + 2 * i]) | UInt16(b[base + 2 * i + 1]) << 8) }
            return String(decoding: units, as: UTF16.self)
        }
    }

    /// A name stored at `offset`: 4 unknown bytes, a hash, a length, UTF-16 and a terminator.
    func name(at offset: Int) throws -> String { try utf16(offset + 8, chars: try u16(offset + 6)) }

    /// Skips a name defined in place (its offset is where the reader stands).
    func skipName(_ offset: Int, at pos: Int) throws -> Int { offset == pos ? pos + 8 + 2 * (try u16(pos + 6)) + 2 : pos }

    /// A record's event: the first element of its fragment, instantiated.
    mutating func root(at start: Int, end: Int, id: UInt64) throws -> EvtxElement {
        for n in try fragment(at: start, end: end) { if case .element(let e) = n { return e } }
        throw Failure(message: "record \(id) holds no element")
    }

    /// A fragment or sequence of content up to the end-of-file token (or `end`).
    mutating func fragment(at start: Int, end: Int) throws -> [EvtxNode] {
        var pos = start, out: [EvtxNode] = []
        while pos < end {
            let t = try u8(pos)
            switch t {
            case 0x00: return out
            case 0x0f: pos += 4
            case 0x0c:
                let (nodes, next) = try templateInstance(at: pos)
                out += nodes; pos = next
            case 0x01, 0x41:
                let (e, next) = try element(at: pos)
                out.append(.element(e))
                pos = next
            default: throw Failure(message: String(format: "unexpected token 0x%02x at %d", t, pos))
            }
        }
        return out
    }

    /// An element, its substitutions left as placeholders.
    mutating func element(at start: Int) throws -> (EvtxElement, Int) {
        depth += 1
        defer { depth -= 1 }
        guard depth < 100 else { throw Failure(message: "elements nested more than 100 deep") }
        let token = try u8(start)
        var pos = start + 1 + 2
        pos += 4  // data size: the tokens say where the element ends
        let nameOffset = try u32(pos); pos += 4
        pos = try skipName(nameOffset, at: pos)
        var e = EvtxElement(name: try name(at: nameOffset), attributes: [], children: [])
        if token & 0x40 != 0 {
            pos += 4  // attribute list size
            while true {
                let a = try u8(pos)
                guard a & 0x3f == 0x06 else { break }
                pos += 1
                let off = try u32(pos); pos += 4
                pos = try skipName(off, at: pos)
                let (value, next) = try attributeValue(at: pos)
                pos = next
                e.attributes.append((try name(at: off), value))
                if a & 0x40 == 0 { break }
            }
        }
        let close = try u8(pos); pos += 1
        if close == 0x03 { return (e, pos) }
        guard close == 0x02 else { throw Failure(message: String(format: "element %@ without a close token (0x%02x)", e.name, close)) }
        while true {
            let t = try u8(pos)
            switch t & 0x3f {
            case 0x04: return (e, pos + 1)
            case 0x01:
                let (child, next) = try element(at: pos)
                e.children.append(.element(child))
                pos = next
            case 0x05:
                let chars = try u16(pos + 2)
                e.children.append(.text(.string(try utf16(pos + 4, chars: chars))))
                pos += 4 + 2 * chars
            case 0x0d, 0x0e:
                e.children.append(.element(Self.placeholder(try u16(pos + 1))))
                pos += 4
            case 0x07:
                let chars = try u16(pos + 1)
                e.children.append(.text(.string(try utf16(pos + 3, chars: chars))))
                pos += 3 + 2 * chars
            case 0x08:
                e.children.append(.text(.string(Self.character(try u16(pos + 1)))))
                pos += 3
            case 0x09:
                let off = try u32(pos + 1)
                pos = try skipName(off, at: pos + 5)
                let n = try name(at: off)
                e.children.append(.text(.string(Self.entities[n] ?? "&\(n);")))
            default: throw Failure(message: String(format: "unexpected token 0x%02x in element %@ at %d", t, e.name, pos))
            }
        }
    }

    /// An attribute's value: text, or a substitution (kept as a one-placeholder `.xml` value).
    mutating func attributeValue(at start: Int) throws -> (EvtxValue, Int) {
        var pos = start, text = "", result: EvtxValue?
        while true {
            let t = try u8(pos)
            switch t & 0x3f {
            case 0x05:
                let chars = try u16(pos + 2)
                text += try utf16(pos + 4, chars: chars)
                pos += 4 + 2 * chars
            case 0x0d, 0x0e:
                result = .xml([.element(Self.placeholder(try u16(pos + 1)))])
                pos += 4
            case 0x08:
                text += Self.character(try u16(pos + 1))
                pos += 3
            case 0x09:
                let off = try u32(pos + 1)
                pos = try skipName(off, at: pos + 5)
                text += Self.entities[try name(at: off)] ?? ""
            default:
                return (result ?? .string(text), pos)
            }
            if t & 0x40 == 0 { return (result ?? .string(text), pos) }
        }
    }

    /// A template instance: the definition (in place or earlier in the chunk) and its values.
    mutating func templateInstance(at start: Int) throws -> ([EvtxNode], Int) {
        let (body, values, next) = try templateParts(at: start)
        return (try instantiate(body, values), next)
    }

    /// A record that is one template instance, as its parsed template and values (nil for any other
    /// shape, or values holding embedded XML: those records are instantiated).
    mutating func templateView(at start: Int, end: Int) throws -> (EvtxElement, [EvtxValue])? {
        guard let r = try instance(at: start, end: end), r.nested == nil else { return nil }
        return (r.root, try values(descriptors: r.descriptors, count: r.count))
    }

    /// A template instance's parsed definition (cached per chunk), its values, and where it ends.
    mutating func templateParts(at start: Int) throws -> ([EvtxNode], [EvtxValue], Int) {
        let head = try templateHead(at: start)
        let values = try values(descriptors: head.descriptors, count: head.count)
        var end = head.descriptors + 4 * head.count
        for i in 0..<head.count { end += try u16(head.descriptors + 4 * i) }
        return (head.body, values, end)
    }

    /// The typed values whose descriptors start at `descriptors` (the values follow the descriptors).
    mutating func values(descriptors: Int, count: Int) throws -> [EvtxValue] {
        var values: [EvtxValue] = []
        var pos = descriptors + 4 * count
        for i in 0..<count {
            let size = try u16(descriptors + 4 * i)
            values.append(try value(at: pos, size: size, type: try u8(descriptors + 4 * i + 2)))
            pos += size
        }
        return values
    }

    /// A template instance's definition (its chunk offset and parsed body, cached per chunk) and where
    /// its value descriptors start (4 bytes each: size, type, padding); the values follow them.
    mutating func templateHead(at start: Int) throws -> (definition: Int, body: [EvtxNode], descriptors: Int, count: Int) {
        var pos = start + 1 + 1 + 4
        let defOffset = try u32(pos); pos += 4
        if defOffset == pos {
            pos += 24 + (try u32(pos + 20))
        }
        let body: [EvtxNode]
        if let cached = templates[defOffset] { body = cached } else {
            guard parsing.insert(defOffset).inserted else { throw Failure(message: "template at \(defOffset) refers to itself") }
            defer { parsing.remove(defOffset) }
            let size = try u32(defOffset + 20)
            // A definition an earlier chunk parsed is taken as it was parsed (the same tree, which
            // also compares equal at once).
            let print = prints != nil ? (try? self.print(at: defOffset + 24, end: defOffset + 24 + size)) ?? nil : nil
            if let print, let known = prints?.bodies[print] { body = known; prints?.reused += 1 } else {
                body = try fragment(at: defOffset + 24, end: defOffset + 24 + size)
                if let print { prints?.bodies[print] = body }
            }
            templates[defOffset] = body
        }
        let count = try u32(pos)
        try need(pos + 4, 4 * count)
        return (defOffset, body, pos + 4, count)
    }

    /// A record read through its template: the instance's template (one element) and values, and
    /// the template instance one of its values embeds (Windows' own logs put the event's data there).
    struct Instance {
        var definition: Int, root: EvtxElement, descriptors: Int, count: Int
        var nested: Nested?
    }

    struct Nested {
        var slot: Int, definition: Int, body: [EvtxNode], descriptors: Int, count: Int
    }

    /// The record as a template instance without reading its values, or nil for any other shape
    /// (no template, more than one embedded fragment, a fragment that is not one template instance).
    mutating func instance(at start: Int, end: Int) throws -> Instance? {
        var pos = start
        if try u8(pos) == 0x0f { pos += 4 }
        guard try u8(pos) == 0x0c else { return nil }
        let head = try templateHead(at: pos)
        guard head.body.count == 1, case .element(let root) = head.body[0] else { return nil }
        var next = head.descriptors + 4 * head.count, nested: Nested?
        for i in 0..<head.count {
            let size = Int(chunk.le16(head.descriptors + 4 * i))
            if chunk[head.descriptors + 4 * i + 2] == 0x21 {
                guard nested == nil, let n = try nestedInstance(at: next, size: size, slot: i) else { return nil }
                nested = n
            }
            next += size
        }
        if next < end, try u8(next) != 0x00 { return nil }
        return Instance(definition: head.definition, root: root, descriptors: head.descriptors, count: head.count, nested: nested)
    }

    /// An embedded fragment that is exactly one template instance whose values embed nothing.
    mutating func nestedInstance(at p: Int, size: Int, slot: Int) throws -> Nested? {
        try need(p, size)
        var pos = p
        if size > 0, chunk[pos] == 0x0f { pos += 4 }
        guard pos < p + size, chunk[pos] == 0x0c else { return nil }
        let head = try templateHead(at: pos)
        var next = head.descriptors + 4 * head.count
        for i in 0..<head.count {
            if chunk[head.descriptors + 4 * i + 2] == 0x21 { return nil }
            next += Int(chunk.le16(head.descriptors + 4 * i))
        }
        guard next == p + size || (next < p + size && chunk[next] == 0x00) else { return nil }
        return Nested(slot: slot, definition: head.definition, body: head.body, descriptors: head.descriptors, count: head.count)
    }

    /// The template body with its substitution placeholders filled in.
    func instantiate(_ nodes: [EvtxNode], _ values: [EvtxValue]) throws -> [EvtxNode] {
        var out: [EvtxNode] = []
        for n in nodes {
            guard case .element(var e) = n else { out.append(n); continue }
            func value(_ id: Int) throws -> EvtxValue {
                guard id < values.count else { throw Failure(message: "substitution \(id) of \(values.count)") }
                return values[id]
            }
            if let id = Self.substitutionID(e) {
                switch try value(id) {
                case .null: break
                case .xml(let xs): out += xs
                case let v: out.append(.text(v))
                }
                continue
            }
            var attrs: [(name: String, value: EvtxValue)] = []
            for a in e.attributes {
                guard let id = Self.attributeSubstitution(a.value) else { attrs.append(a); continue }
                // A null substitution drops the attribute.
                let v = try value(id)
                if v != .null { attrs.append((a.name, v)) }
            }
            e.attributes = attrs
            e.children = try instantiate(e.children, values)
            out.append(.element(e))
        }
        return out
    }

    mutating func value(at p: Int, size: Int, type: UInt8) throws -> EvtxValue {
        try need(p, size)
        if type & 0x80 != 0 { return try array(at: p, size: size, type: type & 0x7f) }
        switch type {
        case 0x00: return .null
        case 0x01: return .string(try utf16(p, chars: size / 2))
        case 0x02: return .string(String(decoding: chunk[p..<(p + size)].prefix { $0 != 0 }, as: UTF8.self))
        case 0x03: return .signed(Int64(Int8(bitPattern: try u8(p))))
        case 0x04: return .unsigned(UInt64(try u8(p)))
        case 0x05: return .signed(Int64(Int16(truncatingIfNeeded: try u16(p))))
        case 0x06: return .unsigned(UInt64(try u16(p)))
        case 0x07: return .signed(Int64(Int32(truncatingIfNeeded: try u32(p))))
        case 0x08: return .unsigned(UInt64(try u32(p)))
        case 0x09: return .signed(Int64(bitPattern: try u64(p)))
        case 0x0a: return .unsigned(try u64(p))
        case 0x0b: return .real(Double(Float(bitPattern: UInt32(try u32(p)))))
        case 0x0c: return .real(Double(bitPattern: try u64(p)))
        case 0x0d: return .bool(size >= 4 ? try u32(p) != 0 : try u8(p) != 0)
        case 0x0e: return .binary(Array(chunk[p..<(p + size)]))
        case 0x0f:
            guard size >= 16 else { return .binary(Array(chunk[p..<(p + size)])) }
            return .guid(text({ EvtxSlots.writeGUID($0, at: $1, into: &$2) }, at: p))
        case 0x10: return size == 8 ? .hex(try u64(p), width: 64) : .hex(UInt64(try u32(p)), width: 32)
        case 0x11: return .fileTime(Int64(bitPattern: try u64(p)))
        case 0x12:
            let v = try (0..<8).map { try u16(p + 2 * $0) }
            return .sysTime(String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", v[0], v[1], v[3], v[4], v[5], v[6], v[7]))
        case 0x13:
            guard size >= 8 else { return .binary(Array(chunk[p..<(p + size)])) }
            return .sid(text({ EvtxSlots.writeSID($0, at: $1, size: size, into: &$2) }, at: p))
        case 0x14: return .hex(UInt64(try u32(p)), width: 32)
        case 0x15: return .hex(try u64(p), width: 64)
        case 0x21: return .xml(try fragment(at: p, end: p + size))
        default: return .binary(Array(chunk[p..<(p + size)]))
        }
    }

    /// Text written from the chunk's bytes at `p` (checked by `value` first) by `write`.
    func text(_ write: (UnsafeBufferPointer<UInt8>, Int, inout [UInt8]) -> Void, at p: Int) -> String {
        var out: [UInt8] = []
        chunk.file.withUnsafeBufferPointer { write($0, chunk.base + p, &out) }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func array(at p: Int, size: Int, type: UInt8) throws -> EvtxValue {
        switch type {
        case 0x01:
            let s = try utf16(p, chars: size / 2)
            return .array(s.split(separator: "\u{0}", omittingEmptySubsequences: false).map { .string(String($0)) })
        case 0x02:
            return .array(chunk[p..<(p + size)].split(separator: 0).map { .string(String(decoding: $0, as: UTF8.self)) })
        default:
            let width: Int = [0x03: 1, 0x04: 1, 0x05: 2, 0x06: 2, 0x07: 4, 0x08: 4, 0x09: 8, 0x0a: 8, 0x0b: 4, 0x0c: 8, 0x0d: 4, 0x0f: 16, 0x10: 8, 0x11: 8, 0x12: 16, 0x14: 4, 0x15: 8][type] ?? 0
            guard width > 0 else { return .binary(Array(chunk[p..<(p + size)])) }
            var out: [EvtxValue] = []
            var q = p
            while q + width <= p + size { out.append(try value(at: q, size: width, type: type)); q += width }
            return .array(out)
        }
    }
}
