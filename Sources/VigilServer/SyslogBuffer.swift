import Synchronization

/// Messages received by the syslog listener, waiting for the next flush into the store. Bounded:
/// past `capacity` TCP connections stop reading (the sender's TCP window closes: back-pressure), and
/// UDP datagrams, which cannot be slowed, are counted as dropped.
final class SyslogBuffer: Sendable {
    struct Message: Sendable { var bytes: [UInt8]; var sender: String }
    struct State {
        var messages: [Message] = []
        var dropped = 0
        var received = 0
    }
    let capacity: Int
    let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// False when full (the message is not taken).
    func add(_ m: Message, droppable: Bool) -> Bool {
        state.withLock { s in
            if s.messages.count >= capacity {
                if droppable { s.dropped += 1 }
                return false
            }
            s.messages.append(m)
            s.received += 1
            return true
        }
    }

    /// Takes a message past the capacity (a TCP frame already read); the caller then stops reading.
    func append(_ m: Message) { state.withLock { $0.messages.append(m); $0.received += 1 } }

    var isFull: Bool { state.withLock { $0.messages.count >= capacity } }

    func drain() -> [Message] { state.withLock { s in defer { s.messages = [] }; return s.messages } }

    /// Puts back messages whose flush failed (the store was busy), in front of newer ones.
    func requeue(_ ms: [Message]) { state.withLock { $0.messages.insert(contentsOf: ms, at: 0) } }

    var counters: (received: Int, dropped: Int) { state.withLock { ($0.received, $0.dropped) } }
}
