public import KQL

/// The self-description at the end of an extent (and of a write-ahead batch): rows, time range and,
/// per column, where its bytes are, how they are encoded, their checksum and cheap statistics.
public struct ExtentFooter: Codable, Sendable {
    public struct ColumnEntry: Codable, Sendable {
        public var name: String
        public var type: String
        public var encoding: String
        public var offset: Int
        public var length: Int
        /// SHA-256 of each `blockSize` block of the column's bytes, truncated to 8 bytes (base64 of the
        /// concatenated digests): a full read checks them all, a partial read only the blocks it touches.
        public var blockSHA256: String
        public var blockSize: Int
        public var nullCount: Int
        /// Minimum and maximum of int64-backed columns (longs, datetimes, timespans).
        public var min: Int64?
        public var max: Int64?
        public var distinct: Int?

        public var kqlType: KQLType { KQLType(name: type) ?? .string }
    }

    public var format: Int
    public var rows: Int
    public var minTime: Int64?
    public var maxTime: Int64?
    public var columns: [ColumnEntry]

    public func entry(_ name: String) -> ColumnEntry? { columns.first { $0.name == name } }
}
