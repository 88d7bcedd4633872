// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for Portico's parsers. Built only by `make fuzz`, in
// release into `.build-fuzz`, with coverage and ASan in every module (Wire
// included, not just these harnesses); libFuzzer supplies `main`. See the
// Makefile for the exact flags and docs/fuzzing.md.
//
// Each target is one executable exporting `LLVMFuzzerTestOneInput`; the main
// package is a dependency by path, so the fuzzers always test this checkout.
//
// The main package's identity is the name of its directory (a clone may be
// called anything), so it is looked up here rather than spelled.
let portico = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "Portico"

func fuzzer(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport", .product(name: "Wire", package: portico)] + extra
    )
}

let package = Package(
    name: "PorticoFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        fuzzer("FuzzFrameDecoder", [.product(name: "NIOCore", package: "swift-nio")]),
        fuzzer("FuzzClientHello", [.product(name: "NIOCore", package: "swift-nio")]),
        fuzzer("FuzzHTTPHead", [.product(name: "NIOCore", package: "swift-nio")]),
        // Sources/FuzzHTTPRequestSequence/HTTPRequestSequence.swift and the
        // files it uses are symbolic links to the edge's own (an executable target).
        fuzzer("FuzzHTTPRequestSequence", [.product(name: "NIOCore", package: "swift-nio")]),
        fuzzer("FuzzProxyV2", [.product(name: "NIOCore", package: "swift-nio")]),
        fuzzer("FuzzJoinToken"),
        fuzzer("FuzzControl", [.product(name: "NIOCore", package: "swift-nio")]),
        fuzzer("FuzzLZ4", [.product(name: "NIOCore", package: "swift-nio")]),
        // Sources/FuzzHomeConfig/Config is a symbolic link to the home agent's
        // Sources/HomeAgent/Config: the executable target cannot be imported,
        // so its config loader is compiled into this fuzzer as it is.
        fuzzer("FuzzHomeConfig", [.product(name: "Yams", package: "Yams")]),
        // The DNS module's message parser (the edge's domain ownership proof).
        .executableTarget(
            name: "FuzzDNSMessage",
            dependencies: ["FuzzSupport", .product(name: "DNS", package: portico)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
