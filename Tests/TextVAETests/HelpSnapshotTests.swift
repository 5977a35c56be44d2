import Foundation
import Testing

@testable import TextVAE

/// The help of every command, as a user reads it, against the snapshot in `Golden/help`: a change to an
/// option or its text shows in review. After an intended change, write the snapshots again with
/// `TEXTVAE_UPDATE_HELP=1 swift test --filter HelpSnapshotTests`.
@Suite struct HelpSnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/help")

    /// The subcommands the built `textvae` lists (`serve` only in a build with the `Server` trait).
    static func subcommands() throws -> [String] {
        let help = try TextVAEProgram.run(["--help"], in: NSTemporaryDirectory()).stdout
        var names: [String] = [], inGroup = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix("SUBCOMMANDS:") { inGroup = true; continue }
            if line.isEmpty { inGroup = false; continue }
            guard inGroup, line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { continue }
            names.append(String(name).trimmingCharacters(in: CharacterSet(charactersIn: ",")))
        }
        return names
    }

    @Test func everyHelpTextMatchesItsSnapshot() throws {
        let update = ProcessInfo.processInfo.environment["TEXTVAE_UPDATE_HELP"] == "1"
        if update { try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true) }
        let commands = try Self.subcommands()
        #expect(commands.contains("train") && commands.contains("sample") && commands.count >= 17, "\(commands)")
        for command in [""] + commands {
            let run = try TextVAEProgram.run(command.isEmpty ? ["--help"] : [command, "--help"], in: NSTemporaryDirectory())
            #expect(run.status == 0, "\(command): \(run)")
            let file = Self.folder.appendingPathComponent((command.isEmpty ? "textvae" : command) + ".txt")
            if update {
                try run.stdout.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try? String(contentsOf: file, encoding: .utf8)
            let top = command.isEmpty && !commands.contains("serve")  // the top help lists serve only with the trait
            if top { continue }
            #expect(
                run.stdout == expected,
                "textvae \(command) --help differs from \(file.path); if intended: TEXTVAE_UPDATE_HELP=1 swift test --filter HelpSnapshotTests"
            )
        }
    }
}
