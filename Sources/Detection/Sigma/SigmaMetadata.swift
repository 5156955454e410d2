/// What every Sigma document (a detection rule or a correlation) says about itself.
public struct SigmaMetadata: Sendable {
    public var id: String
    /// The `name` correlation rules may refer to it by.
    public var name: String
    public var title: String
    public var status: String
    public var level: String
    public var author: String
    public var tags: [String]
    public var falsePositives: [String]
    /// Vigil's own key (Sigma allows custom attributes): `enabled: false` switches the rule off, as
    /// the rules page and `vigil rules` do for Sentinel's format.
    public var enabled: Bool

    init(_ root: [String: Any]) {
        func text(_ k: String, _ fallback: String = "") -> String { root[k].map { "\($0)" } ?? fallback }
        id = text("id"); name = text("name"); title = text("title"); status = text("status"); level = text("level", "medium"); author = text("author")
        tags = Self.list(root["tags"]); falsePositives = Self.list(root["falsepositives"])
        enabled = (root["enabled"] as? Bool) ?? (root["enabled"].map { "\($0)".lowercased() != "false" } ?? true)
    }

    /// A YAML scalar or list as a list of strings.
    static func list(_ v: Any?) -> [String] { (v as? [Any])?.map { "\($0)" } ?? (v.map { ["\($0)"] } ?? []) }
}
