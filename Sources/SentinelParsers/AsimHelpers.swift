public import KQL

/// ASIM's helper functions that parsers invoke (`| invoke _ASIM_ResolveDvcFQDN('Computer')`), which
/// Sentinel provides as built-in functions rather than parser files. Written here from their
/// documented behaviour: a value with dots is an FQDN (host, domain, type `FQDN`); without, a hostname.
enum AsimHelpers {
    static func resolveFQDN(_ prefix: String) -> WorkspaceFunction {
        let body = """
            T
            | extend __asim_value = tostring(column_ifexists(field, ''))
            | extend __asim_parts = split(__asim_value, '.')
            | extend \(prefix)Hostname = tostring(__asim_parts[0]),
                     \(prefix)Domain = iff(array_length(__asim_parts) > 1, strcat_array(array_slice(__asim_parts, 1, -1), '.'), ''),
                     \(prefix)DomainType = iff(array_length(__asim_parts) > 1, 'FQDN', ''),
                     \(prefix)FQDN = iff(array_length(__asim_parts) > 1, __asim_value, '')
            | project-away __asim_value, __asim_parts
            """
        return WorkspaceFunction(name: "_ASIM_Resolve\(prefix)FQDN", aliases: ["ASIM_Resolve\(prefix)FQDN"],
                                 parameters: [.init(name: "T", type: "(*)"), .init(name: "field", type: "string")], body: body,
                                 title: "ASIM helper: \(prefix.isEmpty ? "" : prefix + " ")hostname, domain, domain type and FQDN from one field",
                                 category: "ASIM", version: "1.0", source: "vigil")
    }

    static let all: [WorkspaceFunction] = ["", "Src", "Dst", "Dvc"].map(resolveFQDN)
}
