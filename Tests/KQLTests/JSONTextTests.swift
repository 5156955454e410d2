import KQL
import Testing

/// A string's JSON text escapes exactly what JSON requires (quotes, backslashes, control characters)
/// and reads back as the same string, whatever its mix of escapes and Unicode.
@Suite struct JSONTextTests {
    @Test func escapesAreWrittenAsJSONSpellsThem() {
        var out = ""
        Value.writeJSONString("C:\\Windows\\x \"q\"\n\r\t\u{1}é😀", into: &out)
        #expect(out == #""C:\\Windows\\x \"q\"\n\r\t\u0001é😀""#)
    }

    @Test func everyMixReadsBackAsItself() {
        let pieces = ["a", "\\", "\"", "\n", "\u{1f}", "é", "😀", " ", "\t", "C:\\Program Files\\x.exe"]
        var rng: UInt64 = 7
        for _ in 0..<2_000 {
            var s = ""
            for _ in 0..<Int(rng % 9) {
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                s += pieces[Int(rng >> 33) % pieces.count]
            }
            var out = ""
            Value.writeJSONString(s, into: &out)
            #expect(Value.parseJSON(out) == .string(s), "\(s.debugDescription) wrote \(out)")
            // The bytes' writer (EVTX's dynamic columns) writes the same text.
            var bytes: [UInt8] = [], text = s
            text.withUTF8 { Value.writeJSONString($0, into: &bytes) }
            #expect(bytes == Array(out.utf8), "\(s.debugDescription)")
        }
    }
}
