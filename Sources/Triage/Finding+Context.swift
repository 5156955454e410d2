extension Finding {
    /// One fact of an entity's context: a match, a deviation (a first-seen value) or, with `ok` nil,
    /// not judged; with the rows it counted.
    static func contextFact(_ entity: String, _ name: String, _ ok: Bool?, _ text: String, counted: Int) -> Finding {
        contextFact(entity, name, level: ok.map { $0 ? "match" : "deviation" } ?? "not judged", text, counted: counted)
    }

    /// A fact with its level spelled out: also `explained`, a first-seen value that what else is known
    /// accounts for (it is not a deviation, and the verdict says how many there were).
    static func contextFact(_ entity: String, _ name: String, level: String, _ text: String, counted: Int) -> Finding {
        Finding(kind: .context, summary: "\(entity): \(name): \(text)", level: level, evidence: [["fact": name, "user": entity, "rowsCounted": String(counted)]])
    }

    /// The verdict over an entity's facts: verified when its history was long enough to judge and
    /// every judged fact matches. The texts say whose history it was (`own`, `history`) and what was
    /// too little (`tooLittle`).
    static func contextVerdict(_ entity: String, facts: [Finding], historyRows: Int, enough: Bool,
                               own: String, history: String, tooLittle: String) -> Finding {
        let deviations = facts.filter { $0.level == "deviation" }.count, judged = facts.filter { $0.level != "not judged" }.count
        let verified = enough && deviations == 0 && judged > 0
        let explained = facts.filter { $0.level == "explained" }.count
        let summary = verified ? "\(entity): every judged fact matches \(own)" + (explained > 0 ? " (\(explained) new value\(explained == 1 ? "" : "s") explained)" : "")
            : enough ? "\(entity): \(deviations) of \(judged) facts deviate from \(history)" : "\(entity): \(tooLittle)"
        return Finding(kind: .context, summary: summary, level: verified ? "verified" : "unverified",
                       evidence: [["user": entity, "historyRows": String(historyRows)]])
    }
}
