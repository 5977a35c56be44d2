// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "textvae",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TextVAE", targets: ["TextVAE"]),
        .executable(name: "textvae", targets: ["textvae"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation --target TextVAE` builds the catalog in Sources/TextVAE/TextVAE.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // C shims: no public API, see each folder's README.
        .target(
            name: "CICU",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]
        ),
        .target(name: "CBLAS"),
        .target(name: "CKernels"),

        // Everything textvae does lives in the library; the executable only parses arguments.
        .target(name: "TextVAE", dependencies: ["CICU", "CBLAS", "CKernels"]),
        // The `textvae` command: one file per subcommand, argument parsing only.
        .executableTarget(
            name: "textvae",
            dependencies: ["TextVAE", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/CommandLineTool"
        ),

        .testTarget(
            name: "TextVAETests",
            dependencies: ["TextVAE"],
            exclude: ["Golden"]
        ),
    ]
)
