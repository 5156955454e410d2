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
        switch evaluate(text, parseOnly: parseOnly, explain: explain) {
        case .success(let r, let plan): return .success(r, explain: plan)
        case .failure(let code, let ds, let source): return .failure(exitCode: code, message: ds.map { $0.render(in: source) }.joined(separator: "\n"))
        }
    }

    /// The API's form: status 0 with the JSON result, or 2/3 with `{code, message, diagnostics:[{code, message, line, column}]}`.
    public func runJSON(_ text: String) -> (status: Int32, json: String) {
        switch evaluate(text, parseOnly: false, explain: false) {
        case .success(let r, _): return (0, ResultFormatter.render(r, as: .json))
        case .failure(let code, let ds, let source):
            let items = ds.map { d -> String in
                let (line, col) = source.location(of: d.span.start)
                return "{\"code\":\(Value.string(d.code).jsonText),\"message\":\(Value.string(d.message).jsonText),\"line\":\(line),\"column\":\(col)}"
            }
            let first = ds.first
            return (code, "{\"code\":\(Value.string(first?.code ?? "KQL4001").jsonText),\"message\":\(Value.string(first?.message ?? "").jsonText),\"diagnostics\":[\(items.joined(separator: ","))]}")
        }
    }

    enum Evaluation {
        case success([ResultTable], [String])
        case failure(Int32, [Diagnostic], SourceText)
    }

    func evaluate(_ text: String, parseOnly: Bool, explain: Bool) -> Evaluation {
        let q = Parser.parse(text)
        let errors = q.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty { return .failure(2, errors, q.source) }
        let p: any TableProvider = parseOnly ? EmptyTables(base: provider) : provider
        let ex = QueryExecutor(provider: p, context: EvalContext(now: now, maxRows: maxRows), parameters: parameters)
        ex.recordPlan = explain
        ex.bindOnly = parseOnly
        do {
            let r = try ex.run(q)
            return .success(parseOnly ? [] : r, ex.explain)
        } catch let e as KQLError {
            if e.phase == .runtime { return .failure(3, [e.diagnostic], q.source) }
            // Bind again without data, going past each error, so every mistake is reported at once.
            let again = QueryExecutor(provider: EmptyTables(base: provider), context: EvalContext(now: now), parameters: parameters)
            again.bindOnly = true
            again.collectErrors = true
            _ = try? again.run(q)
            var all = again.collected
            if !all.contains(where: { $0.code == e.code && $0.span == e.span }) { all.insert(e, at: 0) }
            all.sort { $0.span.start < $1.span.start }
            return .failure(2, all.map(\.diagnostic), q.source)
        } catch {
            return .failure(3, [Diagnostic("KQL4001", "\(error)", at: .none)], q.source)
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
