public import Foundation
import KQL
import KQLSyntax
import VigilStore

extension Benchmark {
    /// What binding Sentinel content costs and how much of it binds.
    public struct BindingFigures: Sendable {
        public var tables: Int
        public var functions: Int
        public var queries: Int
        public var bound: Int
        public var failures: [(file: String, message: String)]
        public var medianMillis: Double
        public var p95Millis: Double
        public var maxMillis: Double
        public var installSeconds: Double
        /// The slowest queries to bind, with their median milliseconds.
        public var slowest: [(file: String, millis: Double)]
    }

    /// Queries of rule or hunting files (`query:` of YAML, or whole `.kql` / `.txt` files) under a path.
    public static func corpusQueries(_ paths: [String]) -> [(String, String)] {
        var out: [(String, String)] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            let files: [String] = isDir.boolValue
                ? ((fm.enumerator(atPath: path)?.allObjects as? [String]) ?? []).sorted().map { (path as NSString).appendingPathComponent($0) } : [path]
            for f in files {
                guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { continue }
                let lower = f.lowercased()
                if lower.hasSuffix(".kql") { out.append((f, text)); continue }
                guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else { continue }
                if let q = RuleFileQuery.query(in: text) { out.append((f, q)) }
            }
        }
        return out
    }

    /// Installs every parser file into a scratch workspace, then binds each query (as `--parse-only`
    /// does, over the empty catalog) `repeats` times; times are per query, after a first warm-up bind.
    public static func runBinding(workspace: String, parsers: String, queries: [(String, String)], repeats: Int) throws -> BindingFigures {
        try? FileManager.default.removeItem(atPath: workspace)
        let store = try LogStore(workspace: Workspace.open(workspace, create: true))
        let t0 = Date()
        _ = try FunctionInstaller.install([parsers], into: store, by: "bench")
        let install = Date().timeIntervalSince(t0)
        let runner = QueryRunner(provider: store, now: DateTimeParser.parse("2024-06-30T00:00:00Z")!)
        var times: [Double] = []
        var perQuery: [(String, Double)] = []
        var bound = 0
        var failures: [(String, String)] = []
        for (file, q) in queries {
            let first = runner.run(q, parseOnly: true)
            if case .failure(_, let m) = first { failures.append((file, m.split(separator: "\n").first.map(String.init) ?? m)) } else { bound += 1 }
            var mine: [Double] = []
            for _ in 0..<max(1, repeats) {
                let s = DispatchTime.now().uptimeNanoseconds
                _ = runner.run(q, parseOnly: true)
                mine.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6)
            }
            times += mine
            perQuery.append((file, mine.sorted()[mine.count / 2]))
        }
        times.sort()
        func pct(_ p: Double) -> Double { times.isEmpty ? 0 : times[min(times.count - 1, Int(Double(times.count - 1) * p))] }
        return BindingFigures(tables: store.tableNames().count, functions: store.functionInfos().reduce(0) { $0 + $1.function.names.count },
                              queries: queries.count, bound: bound, failures: failures, medianMillis: pct(0.5), p95Millis: pct(0.95),
                              maxMillis: times.last ?? 0, installSeconds: install,
                              slowest: Array(perQuery.sorted { $0.1 > $1.1 }.prefix(3)))
    }
}

/// The `query:` of a Sentinel rule or hunting-query YAML, read without a YAML library (a literal
/// block or a plain/quoted scalar), so a file another tool cannot load still yields its query.
enum RuleFileQuery {
    static func query(in text: String) -> String? {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        guard let i = lines.firstIndex(where: { $0.hasPrefix("query:") }) else { return nil }
        let head = lines[i].dropFirst(6).trimmingCharacters(in: .whitespaces)
        if head.hasPrefix("|") || head.hasPrefix(">") || head.isEmpty {
            var body: [String] = []
            var indent: Int?
            for l in lines[(i + 1)...] {
                if l.trimmingCharacters(in: .whitespaces).isEmpty { body.append(""); continue }
                let lead = l.prefix { $0 == " " || $0 == "\t" }.count
                if lead == 0 { break }
                if indent == nil { indent = lead }
                if lead < indent! { break }
                body.append(String(l.dropFirst(indent!)))
            }
            let q = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            return q.isEmpty ? nil : q
        }
        if (head.hasPrefix("'") && head.hasSuffix("'")) || (head.hasPrefix("\"") && head.hasSuffix("\"")) { return String(head.dropFirst().dropLast()) }
        return head
    }
}
