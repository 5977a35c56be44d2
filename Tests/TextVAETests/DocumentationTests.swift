import Foundation
import Testing

/// The repository explains itself: every relative link in its Markdown files reaches a file that exists, no
/// document sends a reader outside the repository, and the README stays a five-minute read.
@Suite struct DocumentationTests {
    static let root = testsFolder.deletingLastPathComponent().deletingLastPathComponent()

    /// The repository's Markdown files, build folders left out.
    static func markdownFiles() throws -> [URL] {
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey])
        var files: [URL] = []
        while let url = walker?.nextObject() as? URL {
            let name = url.lastPathComponent
            if name.hasPrefix(".build") || name == ".git" || name == ".swiftpm" { walker?.skipDescendants(); continue }
            if url.pathExtension == "md" { files.append(url) }
        }
        return files
    }

    /// The targets of `[text](target)` links that are neither web addresses nor anchors in the same page.
    static func relativeLinks(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            let target = String(text[Range(match.range(at: 1), in: text)!])
            if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("#") || target.hasPrefix("mailto:") {
                return nil
            }
            if target.hasPrefix("doc:") || target.hasPrefix("<doc:") { return nil }
            return String(target.split(separator: "#", maxSplits: 1)[0])
        }
    }

    @Test func everyRelativeLinkReachesAFile() throws {
        let files = try Self.markdownFiles()
        #expect(files.count > 10, "found \(files.count) Markdown files under \(Self.root.path)")
        var broken: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for target in Self.relativeLinks(in: text) {
                let resolved = file.deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL
                if !FileManager.default.fileExists(atPath: resolved.path) {
                    broken.append("\(file.path.dropFirst(Self.root.path.count + 1)): \(target)")
                }
            }
        }
        #expect(broken.isEmpty, "links to files that do not exist:\n\(broken.joined(separator: "\n"))")
    }

    @Test func noDocumentSendsTheReaderOutsideTheRepository() throws {
        var outside: [String] = []
        let repositoryFiles = (FileManager.default.enumerator(atPath: Self.root.path)?.allObjects as? [String] ?? [])
            .filter { !$0.hasPrefix(".") }.map { "/" + $0 }
        for file in try Self.markdownFiles() {
            let text = try String(contentsOf: file, encoding: .utf8)
            // A relative path that climbs above the repository's root from the file's folder and names nothing in
            // the repository (a shell line may climb from a folder it changed to), or this machine's work folder.
            let folder = file.deletingLastPathComponent()
            let climbs = text.matches(of: /(?:\.\.\/)+[A-Za-z0-9_.\/-]+/).contains { match in
                let path = String(match.output)
                guard !folder.appendingPathComponent(path).standardized.path.hasPrefix(Self.root.standardized.path) else { return false }
                let named = "/" + path.replacing(/^(?:\.\.\/)+/, with: "")
                return !repositoryFiles.contains { $0.hasSuffix(named) || $0.contains(named + "/") }
            }
            if climbs || text.contains("/work/") {
                outside.append(String(file.path.dropFirst(Self.root.path.count + 1)))
            }
        }
        #expect(outside.isEmpty, "these name a place outside the repository: \(outside)")
    }

    @Test func theReadmeIsAFiveMinuteRead() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(lines <= 250, "README.md has \(lines) lines; move detail into the DocC articles")
    }
}
