// swift-tools-version: 6.0
import PackageDescription

// The layering of docs/architecture.md is enforced here: pure modules list no I/O framework.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "KQL", targets: ["KQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        .target(name: "KQLSyntax", swiftSettings: strict),
        .target(
            name: "KQL",
            dependencies: ["KQLSyntax", .product(name: "OrderedCollections", package: "swift-collections"), .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/schemas.json"), .copy("Resources/schemas-additions.json")],
            swiftSettings: strict),
        // Pure: parsers and coercion to Sentinel's schemas; no file or network I/O.
        .target(name: "Ingestion", dependencies: ["KQL", .product(name: "OrderedCollections", package: "swift-collections")], swiftSettings: strict),
        .target(
            name: "VigilStore",
            dependencies: ["KQL", "Ingestion", .product(name: "GRDB", package: "GRDB.swift"), "Yams", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(
            name: "VigilApp",
            dependencies: ["KQL", "KQLSyntax", "Ingestion", "VigilStore"],
            swiftSettings: strict),
        .executableTarget(
            name: "vigil",
            dependencies: ["VigilApp", "KQL", "KQLSyntax", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .testTarget(name: "KQLSyntaxTests", dependencies: ["KQLSyntax"], swiftSettings: strict),
        .testTarget(name: "IngestionTests", dependencies: ["Ingestion", "KQL"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "VigilStoreTests",
            dependencies: ["VigilStore", "Ingestion", "KQL", "VigilApp", .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strict),
        .testTarget(
            name: "KQLTests", dependencies: ["KQL", "KQLSyntax", "VigilApp", "Yams", .product(name: "OrderedCollections", package: "swift-collections")],
            resources: [.copy("Cases"), .copy("Fixtures")], swiftSettings: strict),
    ]
)
