import Foundation

/// The first occurrence of a byte string in another, from a position: exact bytes (UTF-8 code units),
/// no Unicode folding, as `split` and `parse` compare separators and literals.
enum ByteSearch {
    static func firstIndex(of needle: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let m = needle.count, n = text.count
        guard m > 0 else { return from <= n ? from : nil }
        let first = needle[0]
        var i = from
        while i + m <= n {
            if text[i] == first && (m == 1 || memcmp(text.baseAddress! + i, needle.baseAddress!, m) == 0) { return i }
            i += 1
        }
        return nil
    }
}
