// swift-tools-version: 6.1
import PackageDescription

/// One settings array for every Swift target (Hummingbird's habit).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "improvementd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "improvementd", targets: ["improvementd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // HTML pages built as typed nodes (README.md, "Reports"), and the Prometheus textfile.
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian packages, one module map each.
        .systemLibrary(name: "CXGBoost", path: "Sources/CXGBoost", pkgConfig: "xgboost"),
        .systemLibrary(name: "CLibSVM", path: "Sources/CLibSVM"),
        .systemLibrary(name: "CLibLinear", path: "Sources/CLibLinear"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd"),
        .systemLibrary(name: "CGlibcMalloc", path: "Sources/CGlibcMalloc"),

        // Pure Swift: proleptic Gregorian day arithmetic, shared by the domain's days and the schedule.
        .target(name: "CivilCalendar", swiftSettings: swiftSettings),
        // Pure Swift: bars, signals, CSV validation, outcome labels, features, strategies.
        .target(name: "TradingDomain", dependencies: ["CivilCalendar"], swiftSettings: swiftSettings),
        // Pure Swift: metrics of a scored sample (holdout, CV fold, evaluation window), grades.
        .target(name: "ModelMetrics", swiftSettings: swiftSettings),
        // Pure Swift: the retrain triggers and the one retrain decision; the take/skip policy.
        .target(name: "Policy", dependencies: ["ModelMetrics"], swiftSettings: swiftSettings),
        // Classifiers (the only target importing the C ML modules), validation, tuning.
        .target(
            name: "Learning",
            dependencies: ["ModelMetrics", "CXGBoost", "CLibSVM", "CLibLinear", "COpenBLAS"],
            swiftSettings: swiftSettings
        ),
        // The SQLite store: migrations, records, registry.
        .target(
            name: "Store",
            dependencies: [
                "TradingDomain", "ModelMetrics",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API GRDB links, for the one bulk insert that binds values directly.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Daemon plumbing: scheduler service, pure schedule maths, journald logging, sd_notify, lock, memory.
        .target(
            name: "Daemon",
            dependencies: [
                "CivilCalendar",
                "CSystemd",
                "CGlibcMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // SIGHUP for the reload service (the ServiceGroup traps only the shutdown signals).
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure Swift: the HTML pages and their SVG charts, functions of the figures they show.
        .target(
            name: "Reports",
            dependencies: ["ModelMetrics", "TradingDomain", .product(name: "Plot", package: "Plot")],
            swiftSettings: swiftSettings
        ),
        // The improvement cycle, importers, config, composition root.
        .target(
            name: "UseCases",
            dependencies: [
                "TradingDomain", "ModelMetrics", "Policy", "Learning", "Store", "Daemon", "Reports",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "improvementd",
            dependencies: [
                "UseCases", "Learning", "ModelMetrics", "Policy", "Store", "TradingDomain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "CLibrariesTests",
            dependencies: ["CXGBoost", "CLibSVM", "CLibLinear", "COpenBLAS", "CSystemd"],
            swiftSettings: swiftSettings
        ),
        // Seeded mutations of the bundled files, shared by the fuzz tests of two test targets.
        .target(name: "FuzzSupport", path: "Tests/FuzzSupport", swiftSettings: swiftSettings),
        .testTarget(name: "CivilCalendarTests", dependencies: ["CivilCalendar"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TradingDomainTests",
            dependencies: ["TradingDomain", "FuzzSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ModelMetricsTests", dependencies: ["ModelMetrics"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "ModelMetrics"], swiftSettings: swiftSettings),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "ModelMetrics"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DaemonTests",
            dependencies: ["Daemon", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "ModelMetrics"], swiftSettings: swiftSettings),
        .testTarget(name: "StoreTests", dependencies: ["Store", "ModelMetrics"], swiftSettings: swiftSettings),
        .testTarget(
            name: "UseCasesTests",
            dependencies: [
                "UseCases", "improvementd", "Store", "Learning", "ModelMetrics", "Policy", "TradingDomain", "Daemon", "FuzzSupport", "Reports",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
