public import KQL

// GRDB also exports `Table` and `Column`; in this module the names mean the engine's columnar types.
public typealias Table = KQL.Table
public typealias Column = KQL.Column
