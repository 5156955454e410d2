/// A half-open range of UTF-8 byte offsets into the query text; every node and diagnostic carries one.
public struct Span: Sendable, Hashable, Codable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = end }
    public static let none = Span(0, 0)
    /// The smallest span covering both.
    public func union(_ other: Span) -> Span { Span(Swift.min(start, other.start), Swift.max(end, other.end)) }
}

/// The query text with a line index, so spans can be reported as LINE:COL.
public struct SourceText: Sendable {
    public let text: String
    public let bytes: [UInt8]
    private let lineStarts: [Int]

    public init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// 1-based line and column (in characters) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let end = Swift.min(Swift.max(offset, start), bytes.count)
        let col = String(decoding: bytes[start..<end], as: UTF8.self).count + 1
        return (lo + 1, col)
    }

    /// The text of the line holding a byte offset, without its newline.
    public func line(containing offset: Int) -> String {
        let (line, _) = location(of: offset)
        let start = lineStarts[line - 1]
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") && bytes[end] != UInt8(ascii: "\r") { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    public func slice(_ span: Span) -> String {
        let s = Swift.max(0, Swift.min(span.start, bytes.count)), e = Swift.max(s, Swift.min(span.end, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}
