import Foundation
import Testing

@testable import TextVAE

/// Runs `body` with a fresh folder under the system's temporary folder and
/// removes it afterwards, so tests never share or leave files.
func withScratchFolder<T>(_ body: (String) throws -> T) throws -> T {
    let url = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

func writeFile(_ bytes: [UInt8], _ path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite struct TextFileTests {
    /// Bad UTF-8 of every kind, with the absolute byte offset (in the whole
    /// file) and line number the error must name.
    static let invalid: [(name: String, bytes: [UInt8], line: Int, offset: Int)] = [
        ("Latin-1 byte", Array("good\nbad ".utf8) + [0xFF] + Array(" line\nthird\n".utf8), 2, 9),
        ("lone continuation byte", Array("ok\nok\n".utf8) + [0x80] + Array("x\n".utf8), 3, 6),
        ("overlong slash", Array("a".utf8) + [0xC0, 0xAF], 1, 1),
        ("overlong three bytes", [0xE0, 0x80, 0xAF], 1, 0),
        ("surrogate", Array("é ".utf8) + [0xED, 0xA0, 0x80], 1, 3),
        ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80], 1, 0),
        ("F5 lead byte", [0xF5, 0x80, 0x80, 0x80], 1, 0),
        ("bad second continuation", [0xE2, 0x82, 0x41], 1, 0),
        ("truncated at end of file", Array("x\n€".utf8.dropLast()), 2, 2),
        ("truncated before newline", [0xE2, 0x82, 0x0A, 0x41], 1, 0),
        // The BOM counts in the byte offset: it is part of the file.
        ("after a BOM and CRLF", [0xEF, 0xBB, 0xBF] + Array("a\r\nb".utf8) + [0xC3], 2, 7),
    ]

    @Test func invalidUTF8NamesFileLineAndOffset() throws {
        try withScratchFolder { folder in
            for c in Self.invalid {
                let path = folder + "/bad.txt"
                try writeFile(c.bytes, path)
                let error = try #require(throws: TextVAEError.self, "\(c.name)") {
                    try Corpus.read(path, tokenizer: Tokenizer(TokenizerSettings()))
                }
                let message = error.description
                #expect(message.contains(path), "\(c.name): \(message)")
                #expect(message.contains("line \(c.line) "), "\(c.name): \(message)")
                #expect(message.contains("byte offset \(c.offset)"), "\(c.name): \(message)")
                #expect(message.contains("--skip-invalid"), "\(c.name): the message says what to do")
            }
        }
    }

    @Test func skipInvalidDropsAndCountsLines() throws {
        let bytes = Array("first line\nbad ".utf8) + [0xFF] + Array("\nthird line\n".utf8) + [0xC3, 0x28] + Array("\nlast".utf8)
        let file = try TextFile.lines(of: bytes, name: "x.txt", skipInvalid: true)
        #expect(file.lines == ["first line", "third line", "last"])
        #expect(file.skippedInvalid == 2)

        try withScratchFolder { folder in
            let path = folder + "/mixed.txt"
            try writeFile(bytes, path)
            let corpus = try Corpus.read(path, tokenizer: Tokenizer(TokenizerSettings()), skipInvalid: true)
            #expect(corpus.sentences == [["first", "line"], ["third", "line"], ["last"]])
            #expect(corpus.skippedInvalid == 2)
        }
    }

    @Test func validUTF8OfEveryLengthPasses() throws {
        let text = "a é € 😀 \u{10FFFF} \u{D7FF} \u{E000}"
        let file = try TextFile.lines(of: Array(text.utf8), name: "x.txt")
        #expect(file.lines.map { Array($0.utf8) } == [Array(text.utf8)])
    }

    @Test func nulBytesMeanABinaryFile() throws {
        for bytes: [UInt8] in [[0], Array("text\n".utf8) + [0, 1, 2], [0xEF, 0xBB, 0xBF, 0x41, 0x00]] {
            let error = try #require(throws: TextVAEError.self) { try TextFile.lines(of: bytes, name: "data.bin") }
            #expect(
                error.description.contains("data.bin") && error.description.contains("binary"),
                "bytes \(bytes): \(error)")
        }
    }

    @Test func bomAndLineEndings() throws {
        let cases: [(name: String, bytes: [UInt8], lines: [String])] = [
            ("BOM", [0xEF, 0xBB, 0xBF] + Array("Hello\nworld\n".utf8), ["Hello", "world"]),
            ("CRLF", Array("one\r\ntwo\r\n".utf8), ["one", "two"]),
            ("BOM and CRLF, no final newline", [0xEF, 0xBB, 0xBF] + Array("one\r\n\r\ntwo".utf8), ["one", "", "two"]),
            ("LF", Array("one\n\ntwo\n".utf8), ["one", "", "two"]),
            // A BOM is only dropped at the start of the file; inside it is a character.
            ("BOM inside", Array("a\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("b".utf8), ["a", "\u{FEFF}b"]),
            ("no final newline", Array("x".utf8), ["x"]),
            ("empty", [], []),
        ]
        for c in cases {
            let file = try TextFile.lines(of: c.bytes, name: "x.txt")
            #expect(
                file.lines.map { $0.unicodeScalars.map(\.value) } == c.lines.map { $0.unicodeScalars.map(\.value) },
                "\(c.name): got \(file.lines.map(\.debugDescription))")
        }

        // The first token of a file with a BOM is the word, not BOM + word.
        let corpus = try Corpus(
            lines: TextFile.lines(of: [0xEF, 0xBB, 0xBF] + Array("Hello world\r\n".utf8), name: "x").lines,
            tokenizer: Tokenizer(TokenizerSettings()))
        #expect(corpus.sentences.map(scalars) == [scalars(["hello", "world"])])
    }

    @Test func controlCharactersAndANSIEscapes() throws {
        let cases: [(name: String, line: String, tokens: [String])] = [
            ("colour", "a \u{1B}[31mred\u{1B}[0m word", ["a", "red", "word"]),
            ("bold, several parameters", "\u{1B}[1;4;38;5;208mloud\u{1B}[m text", ["loud", "text"]),
            ("cursor movement", "left\u{1B}[2Kright", ["leftright"]),
            ("two-character escape", "x\u{1B}cy", ["xy"]),
            // Operating system commands: terminals write these into logs (window titles, links).
            ("window title (OSC ended by BEL)", "\u{1B}]0;my title\u{07}hello world", ["hello", "world"]),
            ("hyperlink (OSC 8 ended by ST)", "see \u{1B}]8;;http://x.org\u{1B}\\here\u{1B}]8;;\u{1B}\\ now", ["see", "here", "now"]),
            ("other controls become spaces", "bell\u{07}tab\tdel\u{7F}c1\u{85}end", ["bell", "tab", "del", "c1", "end"]),
        ]
        let tokenizer = try Tokenizer(TokenizerSettings())
        for c in cases {
            let file = try TextFile.lines(of: Array(c.line.utf8), name: "x.txt")
            let tokens = try file.lines.flatMap { try tokenizer.tokenize($0) }
            #expect(tokens == c.tokens, "\(c.name): line \(file.lines.map(\.debugDescription))")
            #expect(!file.lines.joined().unicodeScalars.contains { $0.value == 0x1B }, "\(c.name): ESC left in the text")
        }
    }

    @Test func missingFolderEmptyAndBlankFiles() throws {
        try withScratchFolder { folder in
            try writeFile([], folder + "/empty.txt")
            try writeFile(Array("\n  \n\t\r\n".utf8), folder + "/blank.txt")
            let cases: [(path: String, mentions: String)] = [
                (folder + "/missing.txt", "no such file"),
                (folder, "folder"),
                (folder + "/empty.txt", "no sentences"),
                (folder + "/blank.txt", "no sentences"),
            ]
            for c in cases {
                let error = try #require(throws: TextVAEError.self, "\(c.path)") {
                    try Corpus.read(c.path, tokenizer: Tokenizer(TokenizerSettings()))
                }
                #expect(error.description.hasPrefix(c.path + ":"), "\(c.path): \(error)")
                #expect(error.description.contains(c.mentions), "\(c.path): \(error)")
            }
        }
    }

    @Test func atomicWriteReplacesAndRefusesMissingFolders() throws {
        try withScratchFolder { folder in
            let path = folder + "/out.txt"
            try AtomicFile.write(Data("first".utf8), to: path)
            try AtomicFile.write(Data("second".utf8), to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.txt"], "no temporary file left")
            #expect(throws: TextVAEError.self) { try AtomicFile.write(Data(), to: folder + "/no/such/folder/x.txt") }
        }
    }

    @Test func temporaryFilesOfKilledWritersAreRemovedButNotThoseOfLiveOnes() throws {
        try withScratchFolder { folder in
            // PIDs above the kernel's limit (4,194,304) never run; our own PID always does.
            let dead = folder + "/.out.txt.tmp-2147483000", live = folder + "/.out.txt.tmp-\(getpid() + 0)x"
            let ours = folder + "/.other.txt.tmp-2147483000", initProcess = folder + "/.out.txt.tmp-1"  // PID 1 always runs
            for path in [dead, live, ours, initProcess] { FileManager.default.createFile(atPath: path, contents: Data("half".utf8)) }
            try AtomicFile.write(Data("whole".utf8), to: folder + "/out.txt")
            let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
            #expect(!names.contains(".out.txt.tmp-2147483000"), "the dead writer's file stays: \(names)")
            #expect(names.contains(".other.txt.tmp-2147483000"), "another file's temporary was touched: \(names)")
            #expect(names.contains(".out.txt.tmp-\(getpid())x"), "a name that is not a PID was touched: \(names)")
            #expect(names.contains(".out.txt.tmp-1"), "a running writer's file was removed: \(names)")
        }
    }
}
