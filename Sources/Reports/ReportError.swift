/// The Reports module's error: a message fit for the user, mapped to an exit code or HTTP status at
/// the boundary.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
