/// Failures of the workspace and the log store, mapped to exit codes and HTTP statuses at the boundary.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// Bytes on disk do not match what was written (bad magic, checksum, bounds).
    case corrupt(String)
    /// The workspace directory or its configuration is unusable.
    case workspace(String)
    /// A table or extent that does not exist.
    case notFound(String)
    /// Ingest is ahead of storage; the caller should retry later (back-pressure, never a silent drop).
    case busy(String)
    case io(String)
    /// A request the store cannot carry out as asked (a bad name, a missing column).
    case invalid(String)
    /// A change based on an old version (an `If-Match` etag that is no longer current).
    case conflict(String)

    public var description: String {
        switch self {
        case .corrupt(let m): return "corrupt data: \(m)"
        case .workspace(let m): return "workspace: \(m)"
        case .notFound(let m): return "not found: \(m)"
        case .busy(let m): return "busy: \(m)"
        case .io(let m): return "I/O error: \(m)"
        case .invalid(let m): return m
        case .conflict(let m): return "conflict: \(m)"
        }
    }
}
