/// A parser file that cannot be installed, with the place to fix it: `file:line: message`. The
/// module's one error type; reading a directory reports these and goes on with the other files.
public struct ParserFileDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) { self.file = file; self.line = line; self.message = message }
    public var description: String { "\(file):\(line): \(message)" }
}
