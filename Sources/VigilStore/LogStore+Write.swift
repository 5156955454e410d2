public import Foundation
import GRDB
public import KQL
import Glibc
import Synchronization

extension LogStore {
    /// What a durable write reports back.
    public struct WriteReceipt: Sendable {
        public var table: String
        public var rows: Int
        /// The extent written (bulk path), or nil for a write-ahead batch.
        public var extentID: String?
    }

    /// Bulk path (file ingest): the batch is sorted by time and written as one extent; the call returns
    /// once the file is fsynced and the catalog row committed, so the rows survive any crash after it.
    @discardableResult
    public func writeExtent(table: String, batch: Table, addedColumns: [ColumnSchema]) throws -> WriteReceipt {
        guard batch.count > 0 else { return WriteReceipt(table: table, rows: 0, extentID: nil) }
        let rec = try writeExtentFile(table: table, rows: batch)
        let rel = rec.file
        do {
            try db.pool.write { db in
                try self.registerTable(db, table, addedColumns)
                try rec.insert(db)
            }
        } catch {
            try? FileManager.default.removeItem(at: workspace.root.appendingPathComponent(rel))
            throw StoreError.io("cannot commit extent of \(table): \(error)")
        }
        state.withLock { st in
            st.known.insert(table)
            if !(st.extents[table] ?? []).contains(where: { $0.id == rec.id }) { st.extents[table, default: []].append(rec) }
            st.extents[table]!.sort { ($0.min_time ?? 0) < ($1.min_time ?? 0) }
            st.generation[table, default: 0] += 1
            addColumns(&st, table, addedColumns)
        }
        return WriteReceipt(table: table, rows: rec.rows, extentID: rec.id)
    }

    /// Sorts rows by time, encodes them and writes the extent file durably; the caller commits the
    /// returned catalog row (and deletes the file if it cannot).
    func writeExtentFile(table: String, rows: Table) throws -> ExtentRecord {
        let sorted = Self.sortedByTime(rows)
        let id = makeID()
        let (bytes, footer) = ExtentCodec.encode(sorted)
        let rel = "tables/\(table)/\(id).vgx"
        try writeDurably(bytes, to: workspace.root.appendingPathComponent(rel))
        let ingest = sorted.column(named: "_IngestionTime").flatMap(Self.minMax)
        return ExtentRecord(id: id, table_name: table, file: rel, rows: sorted.count, bytes: bytes.count, min_time: footer.minTime,
                            max_time: footer.maxTime, min_ingest: ingest?.0, max_ingest: ingest?.1, created_at: clock())
    }

    /// Streaming path (HTTP, syslog): the batch is committed to the write-ahead area in one SQLite
    /// transaction and is queryable at once; a sealer later turns such batches into extents. Refuses
    /// with `.busy` when unsealed rows exceed the configured bound, so callers slow down instead of
    /// the store dropping data.
    @discardableResult
    public func appendWAL(table: String, batch: Table, addedColumns: [ColumnSchema]) throws -> WriteReceipt {
        guard batch.count > 0 else { return WriteReceipt(table: table, rows: 0, extentID: nil) }
        let limit = workspace.config.ingest.maxPendingRows
        if limit > 0, pendingRows + batch.count > limit {
            throw StoreError.busy("\(pendingRows) rows are waiting to be sealed (limit \(limit)); retry shortly")
        }
        let pending = try db.pool.write { db in try walInsert(db, table: table, batch: batch, addedColumns: addedColumns) }
        walCommitted(pending)
        return WriteReceipt(table: table, rows: batch.count, extentID: nil)
    }

    /// A write-ahead batch inserted, not yet known to this process's catalog.
    struct PendingWAL {
        var table: String, id: Int64, rows: Int, minTime: Int64?, maxTime: Int64?, ingestedAt: Int64, added: [ColumnSchema]
    }

    /// `appendWAL`'s insert inside the caller's transaction, so that a state change and its log rows
    /// commit together (one fsync); `walCommitted` follows once that transaction has committed.
    func walInsert(_ db: Database, table: String, batch: Table, addedColumns: [ColumnSchema]) throws -> PendingWAL {
        let (bytes, footer) = ExtentCodec.encode(batch)
        let now = clock()
        try registerTable(db, table, addedColumns)
        try db.execute(sql: "INSERT INTO wal_batch (table_name, rows, min_time, max_time, ingested_at, payload) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [table, batch.count, footer.minTime, footer.maxTime, now, Data(bytes)])
        return PendingWAL(table: table, id: db.lastInsertedRowID, rows: batch.count, minTime: footer.minTime, maxTime: footer.maxTime, ingestedAt: now, added: addedColumns)
    }

    func walCommitted(_ p: PendingWAL) {
        state.withLock { st in
            st.known.insert(p.table)
            if !(st.wal[p.table] ?? []).contains(where: { $0.id == p.id }) {
                st.wal[p.table, default: []].append(WALRecord(id: p.id, table_name: p.table, rows: p.rows, min_time: p.minTime, max_time: p.maxTime, ingested_at: p.ingestedAt))
            }
            st.generation[p.table, default: 0] += 1
            addColumns(&st, p.table, p.added)
        }
    }

    func addColumns(_ st: inout State, _ table: String, _ added: [ColumnSchema]) {
        guard SchemaCatalog.builtIn[table] == nil, !added.isEmpty else { return }
        var cols = st.customSchemas[table]?.columns ?? []
        for c in added where !cols.contains(where: { $0.name == c.name }) { cols.append(c) }
        st.customSchemas[table] = Schema(cols)
    }

    /// Records the table and a custom table's new columns, inside the caller's transaction.
    func registerTable(_ db: Database, _ table: String, _ added: [ColumnSchema]) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO log_table (name, custom, created_at) VALUES (?, ?, ?)",
                       arguments: [table, SchemaCatalog.known(table) == nil, clock()])
        guard SchemaCatalog.builtIn[table] == nil, !added.isEmpty else { return }
        var ordinal = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(ordinal), -1) + 1 FROM custom_column WHERE table_name = ?", arguments: [table]) ?? 0
        for c in added {
            try db.execute(sql: "INSERT OR IGNORE INTO custom_column (table_name, ordinal, name, type) VALUES (?, ?, ?, ?)",
                           arguments: [table, ordinal, c.name, c.type.rawValue])
            ordinal += 1
        }
    }

    /// Writes to a temporary name, fsyncs, renames into place and fsyncs the directory.
    func writeDurably(_ bytes: [UInt8], to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = url.appendingPathExtension("tmp")
        let fd = open(tmp.path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot create \(tmp.path): errno \(errno)") }
        var ok = bytes.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { return false }
                off += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp.path, url.path) == 0 else {
            unlink(tmp.path)
            throw StoreError.io("cannot write \(url.path): errno \(errno)")
        }
        let dfd = open(dir.path, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// The batch ordered by `TimeGenerated` (stable), as extents are.
    static func sortedByTime(_ t: Table) -> Table {
        guard let c = t.column(named: "TimeGenerated"), case .int64(let a) = c.data else { return t }
        var sorted = true
        for i in 1..<max(1, a.count) where a[i] < a[i - 1] { sorted = false; break }
        if sorted { return t }
        let idx: [Int32] = (0..<Int32(a.count)).sorted { (x: Int32, y: Int32) -> Bool in
            let ax = a[Int(x)], ay = a[Int(y)]
            return ax != ay ? ax < ay : x < y
        }
        return t.gather(idx)
    }

    static func minMax(_ c: Column) -> (Int64, Int64)? {
        guard case .int64(let a) = c.data, let lo = a.min(), let hi = a.max() else { return nil }
        return (lo, hi)
    }
}
