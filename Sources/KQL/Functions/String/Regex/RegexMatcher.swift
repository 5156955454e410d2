import Foundation

/// A Pike VM over UTF-8 text: every thread of the program advances one scalar at a time in
/// priority order, so a search takes time proportional to text length x program size whatever the
/// pattern (no backtracking), and the first thread to match among the leftmost wins, as Perl-style
/// (leftmost-first) matching expects. Scratch space is allocated once per matcher and reused; a
/// matcher serves one search at a time (`KQLRegex` keeps a pool).
final class RegexMatcher: @unchecked Sendable {
    private let prog: RegexProgram
    private let n: Int
    private let slotCount: Int
    private var cur: Threads, next: Threads
    private let stack: UnsafeMutablePointer<Frame>
    private let caps: UnsafeMutablePointer<Int>
    private let ops: UnsafeMutablePointer<RegexProgram.Op>
    private let opA: UnsafeMutablePointer<Int32>, opB: UnsafeMutablePointer<Int32>

    static let none: UInt32 = .max

    private struct Frame { var pc: Int32; var slot: Int32; var value: Int }

    private struct Threads {
        var dense: UnsafeMutablePointer<Int32>
        var sparse: UnsafeMutablePointer<Int32>
        var slots: UnsafeMutablePointer<Int>
        var count = 0

        init(size: Int, slotCount: Int) {
            dense = .allocate(capacity: size)
            sparse = .allocate(capacity: size)
            sparse.initialize(repeating: 0, count: size)
            slots = .allocate(capacity: max(1, size * slotCount))
        }
        func free() { dense.deallocate(); sparse.deallocate(); slots.deallocate() }

        @inline(__always) func contains(_ pc: Int32) -> Bool {
            let s = Int(sparse[Int(pc)])
            return s < count && dense[s] == pc
        }
        @inline(__always) mutating func insert(_ pc: Int32) {
            sparse[Int(pc)] = Int32(count)
            dense[count] = pc
            count += 1
        }
    }

    init(_ prog: RegexProgram) {
        self.prog = prog
        n = prog.count
        slotCount = prog.slotCount
        cur = Threads(size: n, slotCount: slotCount)
        next = Threads(size: n, slotCount: slotCount)
        stack = .allocate(capacity: 2 * n + 2)
        caps = .allocate(capacity: slotCount)
        ops = .allocate(capacity: n)
        ops.initialize(from: prog.ops, count: n)
        opA = .allocate(capacity: n)
        opA.initialize(from: prog.a, count: n)
        opB = .allocate(capacity: n)
        opB.initialize(from: prog.b, count: n)
    }

    deinit {
        cur.free(); next.free()
        stack.deallocate(); caps.deallocate(); ops.deallocate(); opA.deallocate(); opB.deallocate()
    }

    /// The leftmost-first match starting at or after `from`: its slots (group g spans
    /// `slots[2g]..<slots[2g+1]`, -1 when the group did not take part) in `out`. With
    /// `captures: false` only whether there is a match is computed, and the search stops at the
    /// first thread to reach the end of the pattern. The required literal is the caller's to test
    /// (`KQLRegex` does, once per text).
    func search(_ t: UnsafeBufferPointer<UInt8>, from: Int, captures: Bool, out: inout [Int]) -> Bool {
        let len = t.count
        let ns = captures ? slotCount : 0
        let base = t.baseAddress ?? UnsafePointer(bitPattern: 1)!
        cur.count = 0
        var matched = false
        var pos = from
        var prev = pos > 0 ? Self.decode(before: pos, base) : Self.none
        var (c, clen) = pos < len ? Self.decode(at: pos, base) : (Self.none, 0)
        while true {
            if !matched && (!prog.anchoredStart || pos == 0) {
                if cur.count == 0 && !prog.prefix.isEmpty {
                    guard let at = Self.find(prog.prefix, in: t, from: pos) else { break }
                    if at != pos {
                        pos = at
                        prev = Self.decode(before: pos, base)
                        (c, clen) = Self.decode(at: pos, base)
                    }
                }
                for s in 0..<ns { caps[s] = -1 }
                if add(&cur, 0, ns, pos, prev, c) && !captures { return true }
            }
            if cur.count == 0 {
                if matched || prog.anchoredStart || pos >= len { break }
            }
            if pos >= len {
                for k in 0..<cur.count where ops[Int(cur.dense[k])] == .match {
                    record(cur, cur.dense[k], ns, &out)
                    return true
                }
                break
            }
            let npos = pos + clen
            let (nc, nlen) = npos < len ? Self.decode(at: npos, base) : (Self.none, 0)
            next.count = 0
            for k in 0..<cur.count {
                let pc = cur.dense[k]
                if ops[Int(pc)] == .match {
                    record(cur, pc, ns, &out)
                    matched = true
                    if !captures { return true }
                    break
                }
                guard consumes(Int(pc), c) else { continue }
                if ns > 0 { caps.update(from: cur.slots + Int(pc) * ns, count: ns) }
                if add(&next, pc + 1, ns, npos, c, nc) && !captures { return true }
            }
            swap(&cur, &next)
            prev = c; c = nc; clen = nlen; pos = npos
            if cur.count == 0 && matched { break }
        }
        return matched
    }

    /// The instructions reached from `pcs` between `prev` and `next` that consume `next` (their
    /// successors, sorted, into `out`), and whether a match instruction was reached: the
    /// transition of the lazy DFA (`RegexDFA`), built from the same closure as the VM's.
    func transition(from pcs: [Int32], prev: UInt32, next: UInt32, into out: inout [Int32]) -> Bool {
        cur.count = 0
        var matched = false
        for pc in pcs where add(&cur, pc, 0, 0, prev, next) { matched = true }
        out.removeAll(keepingCapacity: true)
        if matched || next == Self.none { return matched }
        for k in 0..<cur.count where consumes(Int(cur.dense[k]), next) { out.append(cur.dense[k] + 1) }
        out.sort()
        return false
    }

    var anchoredStart: Bool { prog.anchoredStart }

    /// Whether instruction `i` consumes scalar `c` (false for the instructions that consume nothing).
    @inline(__always) private func consumes(_ i: Int, _ c: UInt32) -> Bool {
        switch ops[i] {
        case .char: return UInt32(bitPattern: opA[i]) == c
        case .set: return prog.sets[Int(opA[i])].contains(c)
        case .any: return true
        case .anyButNewline: return c != 0x0A
        default: return false
        }
    }

    private func record(_ list: Threads, _ pc: Int32, _ ns: Int, _ out: inout [Int]) {
        if ns == 0 { return }
        if out.count != ns { out = Array(repeating: -1, count: ns) }
        for s in 0..<ns { out[s] = list.slots[Int(pc) * ns + s] }
    }

    /// Follows jumps, splits, saves and assertions from `pc` at `pos` (between `prev` and `cur`),
    /// adding every instruction reached to `list` in priority order. Returns whether a match
    /// instruction was reached.
    @inline(__always)
    private func add(_ list: inout Threads, _ pc0: Int32, _ ns: Int, _ pos: Int, _ prev: UInt32, _ cur: UInt32) -> Bool {
        var reachedMatch = false
        var sp = 0
        stack[0] = Frame(pc: pc0, slot: -1, value: 0)
        sp = 1
        while sp > 0 {
            sp -= 1
            let f = stack[sp]
            if f.slot >= 0 { caps[Int(f.slot)] = f.value; continue }
            var pc = f.pc
            follow: while !list.contains(pc) {
                list.insert(pc)
                let i = Int(pc)
                switch ops[i] {
                case .jump: pc = opA[i]
                case .split:
                    stack[sp] = Frame(pc: opB[i], slot: -1, value: 0)
                    sp += 1
                    pc = opA[i]
                case .save:
                    let slot = Int(opA[i])
                    if slot < ns {
                        stack[sp] = Frame(pc: 0, slot: Int32(slot), value: caps[slot])
                        sp += 1
                        caps[slot] = pos
                    }
                    pc += 1
                case .assert:
                    guard Self.holds(RegexAssertion(rawValue: opA[i])!, unicode: opB[i] == 1, prev, cur) else { break follow }
                    pc += 1
                default:
                    if ops[i] == .match { reachedMatch = true }
                    if ns > 0 { (list.slots + i * ns).update(from: caps, count: ns) }
                    break follow
                }
            }
        }
        return reachedMatch
    }

    static func holds(_ kind: RegexAssertion, unicode: Bool, _ prev: UInt32, _ next: UInt32) -> Bool {
        switch kind {
        case .beginText: return prev == none
        case .endText: return next == none
        case .beginLine: return prev == none || prev == 0x0A
        case .endLine: return next == none || next == 0x0A
        case .beginLineCRLF: return prev == none || prev == 0x0A || (prev == 0x0D && next != 0x0A)
        case .endLineCRLF: return next == none || next == 0x0D || (next == 0x0A && prev != 0x0D)
        default: break
        }
        let before = prev != none && ScalarSet.isWord(prev, unicode: unicode)
        let after = next != none && ScalarSet.isWord(next, unicode: unicode)
        switch kind {
        case .wordBoundary: return before != after
        case .notWordBoundary: return before == after
        case .wordStart: return !before && after
        case .wordEnd: return before && !after
        case .wordStartHalf: return !before
        case .wordEndHalf: return !after
        default: return false
        }
    }

    /// The scalar at `i` and its length; the text is valid UTF-8 (it comes from a Swift String).
    @inline(__always) static func decode(at i: Int, _ t: UnsafePointer<UInt8>) -> (UInt32, Int) {
        let b0 = UInt32(t[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(t[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(t[i + 1] & 0x3F) << 6 | UInt32(t[i + 2] & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | UInt32(t[i + 1] & 0x3F) << 12 | UInt32(t[i + 2] & 0x3F) << 6 | UInt32(t[i + 3] & 0x3F), 4)
    }

    @inline(__always) static func decode(before i: Int, _ t: UnsafePointer<UInt8>) -> UInt32 {
        var j = i - 1
        while j > 0 && t[j] & 0xC0 == 0x80 { j -= 1 }
        return decode(at: j, t).0
    }

    static func find(_ needle: [UInt8], in t: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        needle.withUnsafeBufferPointer { ByteSearch.firstIndex(of: $0, in: t, from: from) }
    }

    /// Whether the text contains `needle` (ASCII letters compared without case when `caseless`; the
    /// needle is then lowercase).
    static func contains(_ needle: [UInt8], caseless: Bool, in t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        if !caseless { return find(needle, in: t, from: 0) != nil }
        let m = needle.count, count = t.count
        guard m <= count else { return false }
        let first = needle[0]
        var i = 0
        while i + m <= count {
            let b = t[i]
            if b == first || (b >= 0x41 && b <= 0x5A && b | 0x20 == first) {
                var k = 1
                while k < m {
                    let x = t[i + k]
                    if x != needle[k] && !(x >= 0x41 && x <= 0x5A && x | 0x20 == needle[k]) { break }
                    k += 1
                }
                if k == m { return true }
            }
            i += 1
        }
        return false
    }
}
