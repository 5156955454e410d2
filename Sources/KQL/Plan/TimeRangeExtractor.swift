import KQLSyntax

/// Finds `TimeGenerated` bounds in a filter's conjuncts so the scan can skip data outside them.
/// Bounds are inclusive and conservative: the filter still runs after the scan.
struct TimeRangeExtractor {
    let executor: QueryExecutor
    let scope: Scope

    func request(for pred: ExprSyntax) -> ScanRequest {
        var req = ScanRequest()
        visit(pred, &req)
        return req
    }

    func const(_ e: ExprSyntax) -> Int64? {
        guard let b = try? ExprCompiler(executor: executor, schema: Schema([]), scope: scope).compile(e), case .datetime(let t)? = b.constantValue else { return nil }
        return t
    }

    func isTime(_ e: ExprSyntax) -> Bool { if case .name("TimeGenerated", _) = e { return true }; return false }

    func visit(_ e: ExprSyntax, _ req: inout ScanRequest) {
        switch e {
        case .binary("and", let l, let r, _):
            visit(l, &req); visit(r, &req)
        case .binary(let op, let l, let r, _) where isTime(l) || isTime(r):
            let flipped = isTime(r)
            guard let t = const(flipped ? l : r) else { return }
            var o = op
            if flipped { o = ["<": ">", "<=": ">=", ">": "<", ">=": "<="][op] ?? op }
            switch o {
            case ">", ">=": req.timeFrom = max(req.timeFrom ?? .min, t)
            case "<", "<=": req.timeTo = min(req.timeTo ?? .max, t)
            case "==": req.timeFrom = t; req.timeTo = t
            default: break
            }
        case .between(false, let x, let lo, let hi, _) where isTime(x):
            if let a = const(lo) { req.timeFrom = max(req.timeFrom ?? .min, a) }
            if let b = const(hi) { req.timeTo = min(req.timeTo ?? .max, b) }
        default: break
        }
    }
}
