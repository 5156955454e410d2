import Foundation

extension EvtxMapper {
    /// An element's text in the slots' buffer (a lone substitution's own bytes, otherwise its pieces
    /// joined at the buffer's end).
    mutating func text(_ c: EvtxTemplatePlan.Content) -> Range<Int> { text(c.pieces) }

    mutating func text(_ pieces: [EvtxTemplatePlan.Piece]) -> Range<Int> {
        if pieces.count == 1, case .slot(let i) = pieces[0] { return slots.range(i) }
        let start = slots.bytes.count
        for p in pieces {
            switch p {
            case .text(let b): slots.bytes += b
            case .slot(let i): slots.bytes.append(contentsOf: slots.bytes[slots.range(i)])
            }
        }
        return start..<slots.bytes.count
    }

    /// An attribute's text, nil when it is absent or its substitution is null.
    mutating func text(_ a: EvtxTemplatePlan.Attribute) -> Range<Int>? {
        switch a {
        case .absent: return nil
        case .slot(let i): return slots.isNull(i) ? nil : slots.range(i)
        case .text(let b):
            let start = slots.bytes.count
            slots.bytes += b
            return start..<slots.bytes.count
        }
    }

    /// A System number as `EvtxTables` reads it: a lone integer substitution's value, otherwise the
    /// text as a decimal (0 when it is not one).
    mutating func number(_ c: EvtxTemplatePlan.Content) -> Int {
        if c.single, c.pieces.count == 1, case .slot(let i) = c.pieces[0], slots.isInteger(i) { return Int(truncatingIfNeeded: slots.number[i]) }
        // Made before `string` reads the buffer (an argument is evaluated after the call's `self`).
        let r = text(c)
        return Int(string(r)) ?? 0
    }

    /// A data field's text, named ones without surrounding spaces and tabs (`EvtxTables.trimmed`).
    mutating func fieldRange(_ f: EvtxTemplatePlan.Field) -> Range<Int> {
        var r = text(f.pieces)
        guard f.trimmed, let first = r.first else { return r }
        guard Self.blank(slots.bytes[first]) || Self.blank(slots.bytes[r.upperBound - 1]) else { return r }
        while let f = r.first, slots.bytes[f] == 0x20 || slots.bytes[f] == 0x09 { r = r.dropFirst() }
        while let l = r.last, slots.bytes[l] == 0x20 || slots.bytes[l] == 0x09 { r = r.dropLast() }
        // Beyond ASCII, Unicode's spaces are trimmed too: Foundation decides.
        if let f = r.first, let l = r.last, slots.bytes[f] >= 0x80 || slots.bytes[l] >= 0x80 {
            let trimmed = string(r).trimmingCharacters(in: .whitespaces)
            let start = slots.bytes.count
            slots.bytes += trimmed.utf8
            return start..<slots.bytes.count
        }
        return r
    }

    /// A byte that may start or end trimmable space (beyond ASCII, Foundation decides).
    @inline(__always) static func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c >= 0x80 }

    /// The plan's XML program over this event's values, into `xml`.
    mutating func run(_ p: EvtxTemplatePlan.Program) {
        var i = 0
        while i < p.kind.count {
            let a = p.a[i], b = p.b[i]
            switch p.kind[i] {
            case .bytes: xml += p.pool[a..<b]
            case .escaped: escape(a)
            case .attribute:
                let s = p.c[i]
                if !slots.isNull(s) {
                    xml.append(0x20); xml += p.pool[a..<b]; xml.append(UInt8(ascii: "=")); xml.append(UInt8(ascii: "\""))
                    escape(s); xml.append(UInt8(ascii: "\""))
                }
            case .open:
                if p.lists[a..<b].allSatisfy({ slots.isNull($0) }) {
                    xml.append(0x20); xml.append(UInt8(ascii: "/")); xml.append(UInt8(ascii: ">"))
                    i = p.c[i]
                    continue
                }
                xml.append(UInt8(ascii: ">"))
            }
            i += 1
        }
    }

    mutating func escape(_ s: Int) {
        let r = slots.range(s)
        slots.bytes.withUnsafeBufferPointer { EvtxEventView.escape(UnsafeBufferPointer(rebasing: $0[r]), into: &xml) }
    }
}
