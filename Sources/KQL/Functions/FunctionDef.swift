/// A scalar function (operators included): its arity, its result type, and how to compute it,
/// row by row on boxed values for the long tail, or column at a time for the hot paths.
public struct FunctionDef: Sendable {
    public typealias RowImpl = @Sendable ([Value], EvalContext) throws -> Value
    public typealias VectorImpl = @Sendable ([Vec], [KQLType], Int, EvalContext) throws -> Vec?

    public let name: String
    public let minArgs: Int
    public let maxArgs: Int
    /// The result type for argument types, or nil when the types are not accepted.
    public let returnType: @Sendable ([KQLType]) -> KQLType?
    public let row: RowImpl?
    public let vector: VectorImpl?
    /// Functions of the whole ordered column (`prev`, `row_number`): never evaluated in parallel chunks.
    public let isWindow: Bool
    /// Whether a call on constants may be folded once (false for `rand`).
    public let isPure: Bool

    public init(_ name: String, args: ClosedRange<Int>, returns: @escaping @Sendable ([KQLType]) -> KQLType?,
                isWindow: Bool = false, isPure: Bool = true, row: RowImpl? = nil, vector: VectorImpl? = nil) {
        self.name = name
        self.minArgs = args.lowerBound
        self.maxArgs = args.upperBound
        self.returnType = returns
        self.row = row
        self.vector = vector
        self.isWindow = isWindow
        self.isPure = isPure
    }

    /// Convenience: a fixed result type.
    public static func fixed(_ t: KQLType) -> @Sendable ([KQLType]) -> KQLType? { { _ in t } }
}

/// The catalog of scalar functions, keyed by lower-cased name. Families register themselves.
public enum FunctionRegistry {
    public static let all: [String: FunctionDef] = {
        var d: [String: FunctionDef] = [:]
        for f in OperatorFunctions.all + StringFunctions.all + ConversionFunctions.all + DateTimeFunctions.all
            + ConditionalFunctions.all + DynamicFunctions.all + MathFunctions.all + GeoFunctions.all + IPFunctions.all + HashFunctions.all
            + WindowFunctions.all + SeriesFunctions.all + EncodingFunctions.all + ArrayFunctions.all + StatisticsFunctions.all
            + UnitConversion.all + EnvironmentFunctions.all + SeriesElementwise.all + SeriesAnalysis.all
            + CompressionFunctions.all + DigestFunctions.all + GeoFunctions.h3 + GeoFunctions.simplification + GeoFunctions.covering + GeoFunctions.overlays {
            d[f.name] = f
        }
        for f in DeprecatedAliases.resolve(d) { d[f.name] = f }
        return d
    }()

    public static func lookup(_ name: String) -> FunctionDef? { all[name] }
    static var names: [String] { Array(all.keys) }
    static var seriesFitLine: FunctionDef { SeriesFunctions.all.first { $0.name == "series_fit_line" }! }
    static var seriesStats: FunctionDef { SeriesFunctions.all.first { $0.name == "series_stats" }! }
}
