public import KQL
public import KQLSyntax

/// Parses and runs one query text, turning every failure into rendered diagnostics and an exit code
/// (2 for syntax and binding errors, 3 for runtime errors), the boundary mapping of `KQLError`.
public struct QueryRunner: Sendable {
    public var provider: any TableProvider
    public var now: Int64
    public var parameters: [String: Value]
    /// Rows an operator may produce before the query stops with KQL4003.
    public var maxRows: Int

    public init(provider: any TableProvider, now: Int64, parameters: [String: Value] = [:], maxRows: Int = 50_000_000) {
        self.provider = provider; self.now = now; self.parameters = parameters; self.maxRows = maxRows
    }

    public enum Outcome: Sendable {
        case success([ResultTable], explain: [String])
        case failure(exitCode: Int32, message: String)
    }

    public func run(_ text: String, parseOnly: Bool = false, explain: Bool = false) -> Outcome {
        let q = Parser.parse(text)
        let errors = q.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            return .failure(exitCode: 2, message: errors.map { $0.render(in: q.source) }.joined(separator: "\n"))
        }
        let p: any TableProvider = parseOnly ? EmptyTables(base: provider) : provider
        let ex = QueryExecutor(provider: p, context: EvalContext(now: now, maxRows: maxRows), parameters: parameters)
        ex.recordPlan = explain
        ex.bindOnly = parseOnly
        do {
            let r = try ex.run(q)
            return .success(parseOnly ? [] : r, explain: ex.explain)
        } catch let e as KQLError {
            if e.phase == .runtime { return .failure(exitCode: 3, message: e.diagnostic.render(in: q.source)) }
            // Bind again without data, going past each error, so every mistake is reported at once.
            let again = QueryExecutor(provider: EmptyTables(base: provider), context: EvalContext(now: now), parameters: parameters)
            again.bindOnly = true
            again.collectErrors = true
            _ = try? again.run(q)
            var all = again.collected
            if !all.contains(where: { $0.code == e.code && $0.span == e.span }) { all.insert(e, at: 0) }
            all.sort { $0.span.start < $1.span.start }
            return .failure(exitCode: 2, message: all.map { $0.diagnostic.render(in: q.source) }.joined(separator: "\n"))
        } catch {
            return .failure(exitCode: 3, message: "error KQL4001: \(error)")
        }
    }
}

/// The same catalog with every table empty: binding a query runs it over no rows.
struct EmptyTables: TableProvider {
    let base: any TableProvider
    func schema(of table: String) -> Schema? { base.schema(of: table) }
    func tableNames() -> [String] { base.tableNames() }
    func scan(_ table: String, request: ScanRequest) throws -> Table { Table.empty(base.schema(of: table) ?? Schema([])) }
    func storedFunction(named name: String) -> StoredFunction? { base.storedFunction(named: name) }
}
