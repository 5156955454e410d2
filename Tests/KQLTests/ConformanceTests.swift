import Foundation
import Testing
import KQL

/// Runs every `.kqltest` case file under Cases/: the engine's conformance corpus.
@Suite struct ConformanceTests {
    static let cases: [KQLCase] = {
        guard let dir = Bundle.module.url(forResource: "Cases", withExtension: nil),
              let files = try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil) else { return [] }
        return files.filter { $0.pathExtension == "kqltest" }.sorted { $0.lastPathComponent < $1.lastPathComponent }.flatMap { url in
            KQLCase.parse((try? String(contentsOf: url, encoding: .utf8)) ?? "", file: url.lastPathComponent)
        }
    }()

    @Test func corpusIsLarge() {
        #expect(Self.cases.count >= 500)
    }

    @Test(arguments: cases)
    func conformance(_ c: KQLCase) {
        let failure = c.check()
        #expect(failure == nil, "\(c): \(failure ?? "")")
    }

    /// The same corpus with string columns dictionary-encoded, as the loader stores them.
    @Test(arguments: cases)
    func conformanceOverDictionaryStrings(_ c: KQLCase) {
        let failure = c.check(dictionaryEncoded: true)
        #expect(failure == nil, "\(c): \(failure ?? "")")
    }
}
