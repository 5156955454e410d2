public import OrderedCollections

extension Value {
    /// The property bag, if this is one.
    public var asBagPublic: OrderedDictionary<String, Value>? { if case .bag(let b) = self { return b }; return nil }
    public var asStringPublic: String? { if case .string(let s) = self { return s }; return nil }
}
