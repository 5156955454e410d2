/// Names Kusto deprecated but Sentinel content still uses (`extractjson`, `arraylength`,
/// `base64_decodestring`...), as the functions they became.
enum DeprecatedAliases {
    static let pairs: [(alias: String, target: String)] = [
        ("extractjson", "extract_json"), ("arraylength", "array_length"), ("base64_decodestring", "base64_decode_tostring"),
        ("base64_encodestring", "base64_encode_tostring"), ("array_strcat", "strcat_array"), ("toobject", "todynamic"),
        ("parsejson", "parse_json"), ("array_iif", "array_iff"), ("tohex", "tohex"), ("bag_pack", "pack"), ("pack_dictionary", "pack"),
        ("tobool", "tobool"), ("totimespan", "totimespan"), ("datepart", "datetime_part"), ("make_string", "make_string"),
        ("iif", "iff"),
    ]

    /// Aliases of functions defined elsewhere: added by the registry after the families.
    static func resolve(_ defined: [String: FunctionDef]) -> [FunctionDef] {
        pairs.compactMap { p in
            guard defined[p.alias] == nil, let f = defined[p.target] else { return nil }
            return F.alias(f, p.alias)
        }
    }
}
