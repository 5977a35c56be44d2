// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "textvae",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TextVAE", targets: ["TextVAE"]),
        .executable(name: "textvae", targets: ["CommandLineTool"]),
    ],
    // `Server` builds `textvae serve` (Hummingbird, SwiftNIO). The sanitizer and fuzz builds turn it off with
    // `--disable-default-traits`: the server is tested in the plain build, and NIO would double their build time.
    traits: [
        .trait(name: "Server", description: "The `textvae serve` command: a JSON API and a page, on Hummingbird."),
        .default(enabledTraits: ["Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation --target TextVAE` builds the catalog in Sources/TextVAE/TextVAE.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
    ],
    targets: [
        // C shims: no public API, see each folder's README.
        .target(
            name: "CICU",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]
        ),
        .target(name: "CBLAS"),
        .target(name: "CKernels"),
        .target(name: "CMPI"),

        // Everything textvae does lives in the library; the executable only parses arguments.
        .target(name: "TextVAE", dependencies: ["CICU", "CBLAS", "CKernels", "CMPI"]),
        // The `textvae` command: one file per subcommand, argument parsing only.
        .executableTarget(
            name: "CommandLineTool",
            dependencies: [
                "TextVAE", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .target(name: "TextVAEServer", condition: .when(traits: ["Server"])),
            ],
            path: "Sources/CommandLineTool"
        ),
        // `textvae serve`: the HTTP server, its routes and its page (see the folder's README.md).
        // Without the `Server` trait the target compiles to nothing (its files are inside `#if Server`).
        .target(
            name: "TextVAEServer",
            dependencies: [
                "TextVAE",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Server"])),
                // For MaximumAvailableConnections (--max-connections).
                .product(name: "HummingbirdCore", package: "hummingbird", condition: .when(traits: ["Server"])),
            ],
            exclude: ["README.md", "Deployment"],
            resources: [.embedInCode("Page/index.html"), .embedInCode("openapi.json")]
        ),

        // Fuzz targets for textvae's file readers: `Tests/Scripts/ci/fuzz.sh` builds `textvae-fuzz` with
        // coverage and libFuzzer; a plain build replays corpora, and the tests replay the seeds.
        .target(name: "FuzzTargets", dependencies: ["TextVAE"], path: "Tests/Fuzz/Targets"),
        .executableTarget(name: "textvae-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz/Main"),

        .testTarget(
            name: "TextVAETests",
            dependencies: [
                "TextVAE", "FuzzTargets",
                .target(name: "TextVAEServer", condition: .when(traits: ["Server"])),
            ],
            exclude: ["Golden"]
        ),
    ]
)
