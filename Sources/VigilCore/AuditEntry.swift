/// One change to the workspace's incidents or policies: who or what made it, when, and why. The
/// audit trail is what a report's investigation actions are built from.
public struct AuditEntry: Sendable, Codable, Equatable {
    public var time: Int64
    public var actor: String
    public var incidentID: String?
    public var action: String
    public var detail: String
    public init(time: Int64, actor: String, incidentID: String?, action: String, detail: String) {
        self.time = time; self.actor = actor; self.incidentID = incidentID; self.action = action; self.detail = detail
    }
}
