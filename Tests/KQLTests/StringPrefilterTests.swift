import Testing
@testable import KQL
import KQLSyntax
import VigilApp

/// A leading `where` becomes a byte test of one string column only when it has that shape, and the
/// test agrees with the engine's own evaluation of the predicate on every value.
@Suite struct StringPrefilterTests {
    static let schema = Schema([ColumnSchema("CommandLine", .string), ColumnSchema("Account", .string), ColumnSchema("EventID", .int)])

    static func prefilter(_ text: String, shadowed: Set<String> = []) -> StringPrefilter? {
        StringPrefilter.of(Parser.parseExpression(text).0, schema: schema, shadowed: { shadowed.contains($0) })
    }

    @Test func onlyOneStringColumnWithConstantOperandsBecomesAPrefilter() {
        #expect(Self.prefilter(#"CommandLine has "bitsadmin" or CommandLine contains "-enc""#)?.column == "CommandLine")
        #expect(Self.prefilter(#"not(CommandLine startswith_cs "C:") and CommandLine !has "x""#)?.column == "CommandLine")
        #expect(Self.prefilter(#"CommandLine has "a" or Account has "b""#) == nil, "two columns")
        #expect(Self.prefilter(#"CommandLine has "a" and EventID == 4688"#) == nil, "another operator")
        #expect(Self.prefilter(#"EventID has "4688""#) == nil, "not a string column")
        #expect(Self.prefilter(#"CommandLine has x"#) == nil, "not a constant")
        #expect(Self.prefilter(#"CommandLine has "a""#, shadowed: ["CommandLine"]) == nil, "a let name, not the column")
        #expect(Self.prefilter(#"CommandLine contains "Ünïcode""#) == nil, "case-insensitive beyond ASCII")
        #expect(Self.prefilter(#"CommandLine contains_cs "Ünïcode""#) != nil)
        #expect(Self.prefilter(#"CommandLine == "a""#) == nil)
    }

    @Test func theByteTestAgreesWithTheEngine() throws {
        let values = ["", "bitsadmin /transfer", "BITSADMIN.exe", "xbitsadmin", "powershell -EncodedCommand abc", "powershell -enc",
                      "C:\\Windows\\cmd.exe", "c:\\windows", "Ünïcode café", "x", "a x b", "-ENC"]
        let preds = [#"CommandLine has "bitsadmin" or CommandLine contains "-enc""#,
                     #"not(CommandLine startswith_cs "C:") and CommandLine !has "x""#,
                     #"CommandLine hasprefix "bits" and not(CommandLine hassuffix "exe")"#,
                     #"CommandLine =~ "X" or CommandLine endswith_cs "café" or CommandLine contains_cs "Ünï""#,
                     #"CommandLine !contains "a""#]
        let table = Table.from(schema: Self.schema, rows: values.map { [.string($0), .string(""), .long(1)] })
        for p in preds {
            let pf = try #require(Self.prefilter(p), "\(p)")
            guard case .success(let r, _) = QueryRunner(provider: InMemoryTables(tables: ["T": table]), now: 0).run("T | where \(p) | project CommandLine") else {
                Issue.record("query failed: \(p)"); continue
            }
            let engine = Set((0..<r[0].table.count).map { r[0].table.row($0)[0].kqlString })
            let bytes = Set(values.filter { v in Array(v.utf8).withUnsafeBufferPointer { pf.test($0) } })
            #expect(engine == bytes, "\(p)")
            #expect(pf.nullPasses == engine.contains(""), "\(p)")
        }
    }
}
