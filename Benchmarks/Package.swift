// swift-tools-version:6.1
import PackageDescription

// Wire-layer benchmarks, kept in their own package so that the benchmark
// plugin and its dependencies never reach the main build.
// Run with `swift package --allow-writing-to-package-directory benchmark`
// from this directory (or `make bench` at the root).
let package = Package(
    name: "PorticoBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Portico", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", "2.101.2"..<"2.102.0"),
        // The trait list replaces the package's defaults, which pull in a
        // runtime interposer that is not needed (nor resolvable) here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                .product(name: "Wire", package: "Portico"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "WireBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
