/// Where reports are posted: a Microsoft Teams incoming webhook or Workflows URL (an Adaptive
/// Card), a Slack incoming webhook (Block Kit), or any HTTPS endpoint (JSON signed with HMAC-SHA256).
public struct NotificationChannel: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case teams, slack, webhook }
    public var name: String
    public var kind: Kind
    public var url: String
    /// The webhook's signing secret (`secret` or `secretEnv` in `vigil.yaml`); unsigned when nil.
    public var secret: String?
    public init(name: String, kind: Kind, url: String, secret: String? = nil) {
        self.name = name; self.kind = kind; self.url = url; self.secret = secret
    }
}
