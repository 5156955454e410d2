import Foundation

extension Incident {
    /// `self` was made from `base`, and the stored incident has become `current` since (another node's
    /// digest comment, an analyst's label, the pipeline's triage): `self`'s changes applied to
    /// `current`, so that neither writer's change is lost. Field by field: what `self` left as in
    /// `base` keeps `current`'s value; what `current` left as in `base` takes `self`'s. Lists (comments,
    /// labels, alerts, entities) merge as sets: `current` without what `self` removed, then what `self`
    /// added; any other value is taken whole. A field both changed differently (a status, an owner) takes `self`'s value, the later
    /// write, as a save without a base would.
    public func rebased(from base: Incident, onto current: Incident) -> Incident {
        guard self != base, current != base else { return self == base ? current : self }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func object(_ i: Incident) -> Any? {
            (try? encoder.encode(i)).flatMap { try? JSONSerialization.jsonObject(with: $0) }
        }
        guard let b = object(base), let n = object(self), let c = object(current),
              let merged = Self.merge(base: b, new: n, current: c),
              let data = try? JSONSerialization.data(withJSONObject: merged),
              let out = try? JSONDecoder().decode(Incident.self, from: data) else { return self }
        return out
    }

    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return (x as? NSObject)?.isEqual(y) ?? false
        default: return false
        }
    }

    /// The top level merges key by key; a list merges as a set; any other value (a risk score, a
    /// review) is taken whole, so that it stays one writer's consistent value.
    static func merge(base b: Any?, new n: Any?, current c: Any?, top: Bool = true) -> Any? {
        if same(n, b) { return c }
        if same(c, b) { return n }
        if top, let bd = b as? [String: Any], let nd = n as? [String: Any], let cd = c as? [String: Any] {
            var out: [String: Any] = [:]
            for k in Set(bd.keys).union(nd.keys).union(cd.keys) {
                if let v = merge(base: bd[k], new: nd[k], current: cd[k], top: false) { out[k] = v }
            }
            return out
        }
        if !top, let na = n as? [Any], let ca = c as? [Any] {
            let ba = b as? [Any] ?? []
            let removed = ba.filter { x in !na.contains { same($0, x) } }
            let added = na.filter { x in !ba.contains { same($0, x) } }
            let kept = ca.filter { x in !removed.contains { same($0, x) } }
            return kept + added.filter { x in !kept.contains { same($0, x) } }
        }
        return n
    }
}
