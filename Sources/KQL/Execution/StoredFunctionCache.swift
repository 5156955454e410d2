public import KQLSyntax
import Synchronization

/// Parsed bodies of stored functions, shared by every query of the process: a workspace with 300
/// parser functions binds a query without parsing them again (the key is the function's text, so an
/// updated function is parsed afresh).
enum StoredFunctionCache {
    struct Entry: Sendable { var lambda: LambdaSyntax; var source: SourceText }
    static let cache = Mutex<[String: Entry]>([:])

    static func key(_ sf: StoredFunction) -> String { sf.parameters + "\u{0}" + sf.body }

    static func get(_ sf: StoredFunction) -> Entry? { cache.withLock { $0[key(sf)] } }

    static func put(_ sf: StoredFunction, _ l: Entry) {
        cache.withLock { c in
            // Bounded: a process that sees many versions of many functions forgets them all at once.
            if c.count > 4096 { c.removeAll() }
            c[key(sf)] = l
        }
    }
}
