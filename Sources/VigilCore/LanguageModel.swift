/// The optional language model (a port): Vigil works without one; with one, a model may write prose
/// (an incident description, later a report summary) that is used only when a grounding check finds
/// every entity, number and date it states in the evidence.
public protocol LanguageModel: Sendable {
    func complete(system: String, user: String) async throws -> String
}
