/// Why a whole input could not be ingested (a bad record is a `RecordDiagnostic`, not an error).
public enum IngestionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The format could not be recognised from the name or the first bytes.
    case unknownFormat(String)
    /// No table was named and none could be inferred.
    case unknownTable(String)
    /// A table name Log Analytics would refuse (custom tables end in `_CL`).
    case invalidTableName(String)
    /// The input holds no records at all.
    case empty(String)
    /// A custom table's declared columns are not usable (bad name or type, duplicates, reserved names).
    case invalidSchema(String)

    public var description: String {
        switch self {
        case .unknownFormat(let m), .unknownTable(let m), .invalidTableName(let m), .empty(let m), .invalidSchema(let m): return m
        }
    }
}
