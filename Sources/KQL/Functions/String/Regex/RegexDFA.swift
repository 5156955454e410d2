/// Whether a text matches, by a DFA built lazily from the program as texts are read: a state is the
/// set of instructions the VM would hold (before following assertions, which need the next scalar)
/// and a stand-in for the previous scalar (assertions only ask whether it was a start, a newline, a
/// carriage return, or a word character). Each transition is computed once by the VM's own closure
/// and then read from a table: an ASCII byte costs one load. Past `maxStates` the cache is dropped
/// and the search finishes on the VM, so memory stays bounded whatever the pattern.
final class RegexDFA: @unchecked Sendable {
    let vm: RegexMatcher
    private var states: [[Int32]] = []
    private var prevs: [UInt32] = []
    private var index: [Key: Int32] = [:]
    /// 128 entries per state: -1 not computed yet, else next state * 2 + 1 when a match ended before the byte.
    private var ascii: [Int32] = []
    private var other: [UInt64: Int32] = [:]
    /// Per state: -1 not computed, 0 or 1 whether a match ends at the end of the text.
    private var atEnd: [Int8] = []
    private var scratch: [Int32] = []
    static let maxStates = 2_000

    private struct Key: Hashable { var pcs: [Int32]; var prev: UInt32 }

    init(_ vm: RegexMatcher) { self.vm = vm }

    /// The previous scalar's stand-in: assertions ask only these properties of it.
    @inline(__always) static func standIn(_ c: UInt32) -> UInt32 {
        if c == 0x0A || c == 0x0D { return c }
        if c < 128 { return ScalarSet.isWord(c, unicode: false) ? 0x61 : 0x20 }
        return ScalarSet.isWord(c, unicode: true) ? 0xE9 : 0x20
    }

    private func state(_ pcs: [Int32], _ prev: UInt32) -> Int32 {
        let key = Key(pcs: pcs, prev: prev)
        if let s = index[key] { return s }
        let s = Int32(states.count)
        states.append(pcs); prevs.append(prev); atEnd.append(-1)
        ascii.append(contentsOf: repeatElement(-1, count: 128))
        index[key] = s
        return s
    }

    private func reset() {
        states.removeAll(keepingCapacity: true); prevs.removeAll(keepingCapacity: true)
        index.removeAll(keepingCapacity: true); ascii.removeAll(keepingCapacity: true)
        other.removeAll(keepingCapacity: true); atEnd.removeAll(keepingCapacity: true)
    }

    private func transition(_ s: Int32, _ c: UInt32) -> Int32 {
        let matched = vm.transition(from: states[Int(s)], prev: prevs[Int(s)], next: c, into: &scratch)
        if matched { return 1 }
        if !vm.anchoredStart { scratch.insert(0, at: 0) }
        return state(scratch, Self.standIn(c)) * 2
    }

    /// nil when the state budget ran out (the caller asks the VM).
    func isMatch(_ t: UnsafeBufferPointer<UInt8>) -> Bool? {
        // Text of many scripts fills the non-ASCII transitions even with few states.
        if states.count > Self.maxStates || other.count > 200_000 { reset() }
        if states.isEmpty { _ = state([0], RegexMatcher.none) }
        guard let base = t.baseAddress else { return endMatches(0) }
        var s: Int32 = 0
        var i = 0
        let n = t.count
        while i < n {
            let b = base[i]
            var packed: Int32
            if b < 0x80 {
                packed = ascii[Int(s) &* 128 &+ Int(b)]
                if packed < 0 {
                    packed = transition(s, UInt32(b))
                    ascii[Int(s) * 128 + Int(b)] = packed
                }
                i += 1
            } else {
                let (c, len) = RegexMatcher.decode(at: i, base)
                let key = UInt64(UInt32(s)) << 32 | UInt64(c)
                if let p = other[key] { packed = p } else {
                    packed = transition(s, c)
                    other[key] = packed
                }
                i += len
            }
            if packed & 1 == 1 { return true }
            s = packed >> 1
            if states.count > Self.maxStates { return nil }
            if vm.anchoredStart && states[Int(s)].isEmpty { return false }
        }
        return endMatches(s)
    }

    private func endMatches(_ s: Int32) -> Bool {
        if atEnd[Int(s)] < 0 {
            atEnd[Int(s)] = vm.transition(from: states[Int(s)], prev: prevs[Int(s)], next: RegexMatcher.none, into: &scratch) ? 1 : 0
        }
        return atEnd[Int(s)] == 1
    }
}
