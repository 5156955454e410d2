/// The optional language model (a port): Vigil works without one; with one, a model may write prose
/// (an incident description, later a report summary) that is used only when a grounding check finds
/// every entity, number and date it states in the evidence.
public protocol LanguageModel: Sendable {
    func complete(system: String, user: String) async throws -> String
    /// For synchronous callers (the pipeline): must not wait on the Swift concurrency pool, so that
    /// a caller on that pool cannot starve it.
    func completeBlocking(system: String, user: String) throws -> String
}
