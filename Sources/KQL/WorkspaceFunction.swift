/// A workspace function (a Log Analytics saved function): a named KQL body with optional typed
/// parameters and defaults, callable from any query like a table or a function. Sentinel installs its
/// ASIM and Solution parsers this way; `aliases` are the other names one parser answers to
/// (`imAuthentication` and `_Im_Authentication`).
public struct WorkspaceFunction: Sendable, Codable, Equatable {
    public struct Parameter: Sendable, Codable, Equatable {
        public var name: String
        public var type: String
        /// KQL text of the default value; nil when the argument is required.
        public var defaultValue: String?
        public init(name: String, type: String, defaultValue: String? = nil) { self.name = name; self.type = type; self.defaultValue = defaultValue }
    }

    public var name: String
    public var aliases: [String]
    public var parameters: [Parameter]
    public var body: String
    public var title: String
    /// `ASIM`, `Solution`, `Workspace`: where it comes from, for listing.
    public var category: String
    public var version: String
    /// The file it was read from (`Parsers/ASimDns/Parsers/imDns.yaml`), or `api`.
    public var source: String

    public init(name: String, aliases: [String] = [], parameters: [Parameter] = [], body: String, title: String = "", category: String = "Workspace",
                version: String = "", source: String = "") {
        self.name = name; self.aliases = aliases; self.parameters = parameters; self.body = body; self.title = title
        self.category = category; self.version = version; self.source = source
    }

    /// Every name it can be called by, the primary name first.
    public var names: [String] { [name] + aliases.filter { $0 != name } }

    /// The parameter list as KQL declares it: `(starttime:datetime=datetime(null), disabled:bool=false)`.
    public var parameterList: String {
        "(" + parameters.map { p in "\(p.name):\(p.type)" + (p.defaultValue.map { "=\($0)" } ?? "") }.joined(separator: ", ") + ")"
    }

    public func stored(as callName: String) -> StoredFunction {
        StoredFunction(name: callName, parameters: parameterList, body: body)
    }

    /// The function as one KQL `let` statement, as `vigil functions show` prints it.
    public var declaration: String { "let \(name) = \(parameterList) {\n\(body.trimmingTrailingWhitespace)\n};" }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var s = Substring(self)
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
