/// Byte-level matching for Kusto's string operators. Case-insensitive forms fold ASCII; needles with
/// non-ASCII letters fall back to full Unicode lower-casing.
enum StringMatch {
    enum Mode { case contains, has, hasPrefix, hasSuffix, startsWith, endsWith, equals }

    /// A needle prepared once for many haystacks.
    struct Needle: Sendable {
        let bytes: [UInt8]
        let lowered: [UInt8]
        let caseSensitive: Bool
        let mode: Mode
        let ascii: Bool
        let text: String
        let firstIsAlnum: Bool
        let lastIsAlnum: Bool

        init(_ s: String, mode: Mode, caseSensitive: Bool) {
            text = s
            bytes = Array(s.utf8)
            ascii = bytes.allSatisfy { $0 < 0x80 }
            lowered = caseSensitive ? bytes : bytes.map(StringMatch.lower)
            self.caseSensitive = caseSensitive
            self.mode = mode
            firstIsAlnum = bytes.first.map(StringMatch.isTermByte) ?? false
            lastIsAlnum = bytes.last.map(StringMatch.isTermByte) ?? false

        }

        func matches(_ hay: String) -> Bool {
            if !caseSensitive && !ascii {
                return Needle(text.lowercased(), mode: mode, caseSensitive: true).matches(hay.lowercased())
            }
            if let r = hay.utf8.withContiguousStorageIfAvailable({ matches(bytes: $0) }) { return r }
            var h = hay
            return h.withUTF8 { matches(bytes: $0) }
        }

        func matches(bytes h: UnsafeBufferPointer<UInt8>) -> Bool {
            let n = lowered.count
            switch mode {
            case .equals: return h.count == n && eq(h, 0)
            case .startsWith: return h.count >= n && eq(h, 0)
            case .endsWith: return h.count >= n && eq(h, h.count - n)
            default: break
            }
            if n == 0 { return mode == .contains || mode == .hasPrefix || mode == .hasSuffix }
            if h.count < n { return false }
            // Candidates are positions holding the needle's first byte (either case), found 16 bytes at a
            // time with SIMD compares; each candidate is then verified.
            let last = h.count - n
            let f0 = lowered[0]
            let f1 = caseSensitive ? f0 : StringMatch.upper(f0)
            let l0 = lowered[n - 1]
            let l1 = caseSensitive ? l0 : StringMatch.upper(l0)
            let v0 = SIMD16<UInt8>(repeating: f0), v1 = SIMD16<UInt8>(repeating: f1)
            let w0 = SIMD16<UInt8>(repeating: l0), w1 = SIMD16<UInt8>(repeating: l1)
            guard let base = h.baseAddress else { return false }
            // The 16 starts from `at` whose bytes match the needle's first and last bytes: far fewer
            // candidates than either alone.
            @inline(__always) func candidates(_ at: Int) -> SIMDMask<SIMD16<Int8>> {
                let head = UnsafeRawPointer(base + at).loadUnaligned(as: SIMD16<UInt8>.self)
                let tail = UnsafeRawPointer(base + at + n - 1).loadUnaligned(as: SIMD16<UInt8>.self)
                return ((head .== v0) .| (head .== v1)) .& ((tail .== w0) .| (tail .== w1))
            }
            var i = 0
            while i <= last {
                if i + n - 1 + 16 <= h.count {
                    let hits = candidates(i)
                    if !Self.anyLane(hits) { i += 16; continue }
                    for k in 0..<16 where hits[k] {
                        let at = i + k
                        if at > last { return false }
                        if eq(h, at) && accept(h, at) { return true }
                    }
                    i += 16
                } else if last >= 15 {
                    // The tail: one more window, ending at the last start and overlapping the one
                    // before (a byte at a time, the tail cost as much as the rest of the text).
                    let j = last - 15
                    let hits = candidates(j)
                    if !Self.anyLane(hits) { return false }
                    for k in 0..<16 where hits[k] && j + k >= i {
                        if eq(h, j + k) && accept(h, j + k) { return true }
                    }
                    return false
                } else {
                    let c = base[i]
                    if (c == f0 || c == f1) && eq(h, i) && accept(h, i) { return true }
                    i &+= 1
                }
            }
            return false
        }

        /// Whether any lane is set: two 64-bit tests (the standard library's `any` is a generic
        /// reduction call, 4% of a string filter).
        @inline(__always) static func anyLane(_ m: SIMDMask<SIMD16<Int8>>) -> Bool {
            let words = unsafeBitCast(m, to: SIMD2<UInt64>.self)
            return words[0] | words[1] != 0
        }

        /// Whether a match at `i` satisfies the mode's term boundaries.
        @inline(__always) func accept(_ h: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
            switch mode {
            case .has: return boundaryBefore(h, i) && boundaryAfter(h, i + lowered.count)
            case .hasPrefix: return boundaryBefore(h, i)
            case .hasSuffix: return boundaryAfter(h, i + lowered.count)
            default: return true
            }
        }

        @inline(__always) func boundaryBefore(_ h: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
            !firstIsAlnum || i == 0 || !StringMatch.isTermByte(h[i - 1])
        }
        @inline(__always) func boundaryAfter(_ h: UnsafeBufferPointer<UInt8>, _ e: Int) -> Bool {
            !lastIsAlnum || e >= h.count || !StringMatch.isTermByte(h[e])
        }

        @inline(__always) func eq(_ h: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
            var k = 0
            let n = lowered.count
            if caseSensitive {
                while k < n { if h[at + k] != lowered[k] { return false }; k += 1 }
            } else {
                while k < n { if StringMatch.lower(h[at + k]) != lowered[k] { return false }; k += 1 }
            }
            return true
        }
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }
    @inline(__always) static func upper(_ c: UInt8) -> UInt8 { c >= 97 && c <= 122 ? c & ~0x20 : c }
    /// Kusto's terms are runs of letters and digits; non-ASCII bytes count as letters.
    @inline(__always) static func isTermByte(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0x80
    }

    /// Kusto's `like` (SQL-style `%` and `_`), case-insensitive unless `_cs`.
    static func like(_ s: String, _ pattern: String, caseSensitive: Bool) -> Bool {
        let a = Array((caseSensitive ? s : s.lowercased()).unicodeScalars)
        let p = Array((caseSensitive ? pattern : pattern.lowercased()).unicodeScalars)
        var i = 0, j = 0, star = -1, mark = 0
        while i < a.count {
            if j < p.count && (p[j] == "_" || p[j] == a[i]) { i += 1; j += 1 }
            else if j < p.count && p[j] == "%" { star = j; mark = i; j += 1 }
            else if star >= 0 { j = star + 1; mark += 1; i = mark }
            else { return false }
        }
        while j < p.count && p[j] == "%" { j += 1 }
        return j == p.count
    }
}
