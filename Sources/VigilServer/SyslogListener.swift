import Foundation
import Ingestion
public import Logging
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization
public import VigilStore

/// The syslog listener of `vigil serve`: UDP datagrams and TCP streams (RFC 6587 framing), each
/// message parsed as syslog (→ `Syslog`) or, when it carries `CEF:`, as CEF (→ `CommonSecurityLog`),
/// and committed to the store's write-ahead area in batches every `flushInterval`.
public final class SyslogListener: Service, Sendable {
    public let store: LogStore
    public let host: String
    public let udpPort: Int
    public let tcpPort: Int
    public let flushInterval: Duration
    let logger: Logger
    let buffer: SyslogBuffer
    let paused = Mutex<[any Channel]>([])
    let bound = Mutex<(udp: Int?, tcp: Int?)>((nil, nil))
    let ready = Mutex<[CheckedContinuation<(udp: Int, tcp: Int), Never>]>([])
    let reportedDrops = Mutex(0)

    public init(store: LogStore, host: String, udpPort: Int, tcpPort: Int, flushInterval: Duration = .milliseconds(200),
                capacity: Int = 100_000, logger: Logger) {
        self.store = store; self.host = host; self.udpPort = udpPort; self.tcpPort = tcpPort
        self.flushInterval = flushInterval; self.logger = logger
        buffer = SyslogBuffer(capacity: capacity)
    }

    /// The bound ports (port 0 asks the system for free ones), once listening.
    public func ports() async -> (udp: Int, tcp: Int) {
        if let b = bound.withLock({ $0.udp != nil ? (udp: $0.udp!, tcp: $0.tcp!) : nil }) { return b }
        return await withCheckedContinuation { c in
            let now: (udp: Int, tcp: Int)? = ready.withLock { r in
                if let u = bound.withLock({ $0.udp }), let t = bound.withLock({ $0.tcp }) { return (udp: u, tcp: t) }
                r.append(c)
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Messages received and UDP datagrams dropped because the buffer was full.
    public var counters: (received: Int, dropped: Int) { buffer.counters }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let buffer = self.buffer
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(UDPHandler(buffer: buffer)) } }
            .bind(host: host, port: udpPort).get()
        let listener = self
        let tcp = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(SyslogFrameDecoder()))
                    try ch.pipeline.syncOperations.addHandler(TCPHandler(listener: listener))
                }
            }
            .bind(host: host, port: tcpPort).get()
        let ports = (udp: udp.localAddress?.port ?? 0, tcp: tcp.localAddress?.port ?? 0)
        bound.withLock { $0 = (ports.udp, ports.tcp) }
        for c in ready.withLock({ r in defer { r = [] }; return r }) { c.resume(returning: ports) }
        logger.info("syslog listening", metadata: ["udp": "\(host):\(ports.0)", "tcp": "\(host):\(ports.1)"])
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.flushInterval)
                await self.flush()
            }
        }
        // Stop receiving, then store what was received.
        try? await udp.close()
        try? await tcp.close()
        await flush()
    }

    func pause(_ channel: any Channel) {
        paused.withLock { $0.append(channel) }
        channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
    }

    /// Commits buffered messages; on a busy store they wait for the next round.
    func flush() async {
        // UDP cannot be slowed down: what a full buffer refused is said, never silent.
        let dropped = buffer.counters.dropped
        let newly = reportedDrops.withLock { r in defer { r = dropped }; return dropped - r }
        if newly > 0 { logger.warning("syslog buffer full: UDP datagrams dropped", metadata: ["dropped": "\(newly)", "total": "\(dropped)"]) }
        let messages = buffer.drain()
        if !messages.isEmpty {
            var groups: [String: [SyslogBuffer.Message]] = [:]
            var order: [String] = []
            for m in messages {
                let isCEF = Self.containsCEF(m.bytes)
                let key = (isCEF ? "cef|" : "syslog|") + m.sender
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(m)
            }
            let store = self.store
            for (i, key) in order.enumerated() {
                let ms = groups[key]!
                let isCEF = key.hasPrefix("cef|")
                let sender = ms[0].sender
                var bytes: [UInt8] = []
                for m in ms { bytes.append(contentsOf: m.bytes); bytes.append(10) }
                let copy = bytes
                do {
                    _ = try await NIOThreadPool.singleton.runIfActive {
                        try copy.withUnsafeBufferPointer {
                            try store.ingest($0, source: "syslog:\(sender)", format: isCEF ? .cef : .syslog, durability: .writeAhead, senderIP: sender, sealWhenDue: false)
                        }
                    }
                } catch {
                    logger.warning("syslog flush deferred", metadata: ["error": "\(error)"])
                    buffer.requeue(order[i...].flatMap { groups[$0]! })
                    break
                }
            }
        }
        if !buffer.isFull {
            for ch in paused.withLock({ p in defer { p = [] }; return p }) {
                ch.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            }
        }
    }

    static func containsCEF(_ b: [UInt8]) -> Bool {
        guard b.count >= 4 else { return false }
        for i in 0...(b.count - 4) where b[i] == 67 && b[i + 1] == 69 && b[i + 2] == 70 && b[i + 3] == 58 { return true }
        return false
    }
}

final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let buffer: SyslogBuffer
    init(buffer: SyslogBuffer) { self.buffer = buffer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let env = unwrapInboundIn(data)
        var bytes = Array(env.data.readableBytesView)
        while let last = bytes.last, last == 10 || last == 13 || last == 0 { bytes.removeLast() }
        guard !bytes.isEmpty else { return }
        _ = buffer.add(.init(bytes: bytes, sender: env.remoteAddress.ipAddress ?? ""), droppable: true)
    }
}

final class TCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let listener: SyslogListener
    init(listener: SyslogListener) { self.listener = listener }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let sender = context.remoteAddress?.ipAddress ?? ""
        let m = SyslogBuffer.Message(bytes: Array(frame.readableBytesView), sender: sender)
        if !listener.buffer.add(m, droppable: false) {
            // Full: keep this message anyway and stop reading this connection until the next flush.
            listener.buffer.append(m)
            listener.pause(context.channel)
        }
    }
}
