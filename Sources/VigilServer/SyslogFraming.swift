import NIOCore

/// RFC 6587 framing of syslog over TCP: octet counting (`LEN SP MSG`) when a frame starts with a
/// digit, else non-transparent framing ended by LF (or NUL, which some senders use).
struct SyslogFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    /// Longest accepted message; a longer LF-framed run is cut there rather than buffered forever.
    let maxLength: Int

    init(maxLength: Int = 64 * 1024) { self.maxLength = maxLength }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .needMoreData }
        if first >= 48 && first <= 57 {
            // Octet counting: digits, a space, then exactly that many bytes.
            let view = buffer.readableBytesView
            guard let space = view.prefix(12).firstIndex(of: 32) else {
                if view.count > 12 { return try lineFrame(context, &buffer) }
                return .needMoreData
            }
            let digits = view[view.startIndex..<space]
            guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(String(decoding: digits, as: UTF8.self)), n <= maxLength else {
                return try lineFrame(context, &buffer)
            }
            let headerLength = space - view.startIndex + 1
            guard buffer.readableBytes >= headerLength + n else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: headerLength)
            context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: n)!))
            return .continue
        }
        return try lineFrame(context, &buffer)
    }

    mutating func lineFrame(_ context: ChannelHandlerContext, _ buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        if let end = view.firstIndex(where: { $0 == 10 || $0 == 0 }) {
            let len = end - view.startIndex
            var line = buffer.readSlice(length: len)!
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytes > 0, line.getInteger(at: line.readerIndex + line.readableBytes - 1, as: UInt8.self) == 13 {
                line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
            }
            if line.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(line)) }
            return .continue
        }
        if buffer.readableBytes > maxLength {
            context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: maxLength)!))
            return .continue
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: buffer.readableBytes)!)) }
        return .needMoreData
    }
}
