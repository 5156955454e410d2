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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    ],
    targets: [
        .target(name: "KQLSyntax", swiftSettings: strict),
        // zlib (Debian's zlib1g-dev) for gzip_* / zlib_* compression functions.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CGEOS", path: "Sources/CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .target(
            name: "KQL",
            dependencies: ["KQLSyntax", "CZlib", "CGEOS", .product(name: "OrderedCollections", package: "swift-collections"), .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/schemas.json"), .copy("Resources/schemas-additions.json"), .copy("Resources/schemas-connectors.json"),
                        .copy("Resources/schemas-azure-monitor.txt"), .copy("Resources/unicode-scripts.txt")],
            swiftSettings: strict),
        // Pure: Sentinel's parser files (ASIM YAML, Solutions' .txt/.kql) read into workspace functions;
        // the ASIM parsers ship as resources.
        .target(name: "SentinelParsers", dependencies: ["KQL", "KQLSyntax", "Yams"], resources: [.copy("Resources/ASIM")], swiftSettings: strict),
        // Pure domain values shared by the SOC modules.
        .target(name: "VigilCore", swiftSettings: strict),
        // Pure: Sentinel rule files, their validation, scheduling and alerts; Vigil's rule pack ships as resources.
        .target(
            name: "Detection",
            dependencies: ["VigilCore", "KQL", "KQLSyntax", "Yams", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            resources: [.copy("Resources/RulePack"), .copy("Resources/SigmaPack")],
            swiftSettings: strict),
        // Pure: the producer agent (alerts -> incidents) and the reviewer agent (policy -> verdicts).
        .target(name: "Agents", dependencies: ["VigilCore", "Yams", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        // Pure: evidence modules over the KQL engine and the explainable risk score.
        .target(name: "Triage", dependencies: ["VigilCore", "KQL", "KQLSyntax", "Yams"], swiftSettings: strict),
        // Pure: incident reports (builder, renderers, grounding), the digest's selection and schedule.
        .target(name: "Reports", dependencies: ["VigilCore", "KQL"], swiftSettings: strict),
        // Pure: Teams / Slack / webhook payloads, HMAC signing, the outbox state machine and its retry policy.
        .target(name: "Notifications", dependencies: ["VigilCore", "Reports", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        // Pure: parsers and coercion to Sentinel's schemas; no file or network I/O.
        .target(name: "Ingestion", dependencies: ["KQL", .product(name: "OrderedCollections", package: "swift-collections")], swiftSettings: strict),
        .target(
            name: "VigilStore",
            dependencies: ["KQL", "Ingestion", "VigilCore", "Notifications", "Reports", "SentinelParsers", .product(name: "GRDB", package: "GRDB.swift"), "Yams",
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"), .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strict),
        // HTTP API and network listeners; no business logic beyond mapping requests to the store.
        .target(
            name: "VigilServer",
            dependencies: [
                "KQL", "KQLSyntax", "Ingestion", "VigilStore", "VigilCore", "Reports", "SentinelParsers", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .target(
            name: "VigilApp",
            dependencies: [
                "KQL", "KQLSyntax", "Ingestion", "VigilStore", "VigilServer", "VigilCore", "Detection", "Agents", "Triage", "Reports", "Notifications", "SentinelParsers",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "vigil",
            dependencies: ["VigilApp", "KQL", "KQLSyntax", "Detection", "VigilStore", "Ingestion", "Agents", "VigilCore", "Triage", "Reports", "Notifications", "VigilServer", .product(name: "OrderedCollections", package: "swift-collections"), .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .testTarget(name: "KQLSyntaxTests", dependencies: ["KQLSyntax"], swiftSettings: strict),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "VigilCore"], swiftSettings: strict),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "VigilCore", "KQL", "KQLSyntax", .product(name: "OrderedCollections", package: "swift-collections")], exclude: ["Goldens"], swiftSettings: strict),
        .testTarget(name: "NotificationsTests", dependencies: ["Notifications", "Reports", "VigilCore"], exclude: ["Goldens"], swiftSettings: strict),
        .testTarget(name: "TriageTests", dependencies: ["Triage", "VigilCore", "KQL"], swiftSettings: strict),
        .testTarget(
            name: "DetectionTests",
            dependencies: ["Detection", "VigilCore", "KQL", .product(name: "OrderedCollections", package: "swift-collections")], swiftSettings: strict),
        .testTarget(name: "IngestionTests", dependencies: ["Ingestion", "KQL"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "VigilServerTests",
            dependencies: [
                "Agents", "VigilCore", "Reports", "Notifications", "Ingestion", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                "VigilServer", "VigilStore", "VigilApp", "KQL",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "VigilStoreTests",
            dependencies: ["VigilStore", "Ingestion", "KQL", "VigilApp", "VigilCore", "Detection", "Agents", "Triage", .product(name: "Logging", package: "swift-log"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strict),
        .testTarget(
            name: "KQLTests", dependencies: ["KQL", "KQLSyntax", "VigilApp", "Yams", .product(name: "OrderedCollections", package: "swift-collections")],
            resources: [.copy("Cases"), .copy("Fixtures")], swiftSettings: strict),
    ]
)
