import Foundation
import Testing

@testable import TextVAE

@Suite struct ModelFileTests {
    static func smallFile() throws -> ModelFile {
        let vocabulary = try Vocabulary(building: [["the", "cat", "sat"], ["a", "dog"]])
        let model = SentenceVAE(config: ModelConfig(vocabulary: vocabulary.count, embedding: 3, hidden: 2, latent: 2), seed: 1)
        return ModelFile(model: model, vocabulary: vocabulary, tokenizer: TokenizerSettings(name: .icu, locale: "tr"))
    }

    @Test func roundTripKeepsEverything() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.safetensors").path
        let file = try Self.smallFile()
        try file.save(to: path)
        let back = try ModelFile.load(path)
        #expect(back.model.parameters == file.model.parameters)
        #expect(back.model.config == file.model.config)
        #expect(back.vocabulary == file.vocabulary)
        #expect(back.tokenizer == file.tokenizer)
        // The header is padded so that the data starts at a multiple of 8, as the format asks.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + n) % 8 == 0)
        // No temporary file left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.safetensors"])
    }

    /// Each broken file and the words its error must contain.
    @Test func brokenFilesAreRejectedWithAReason() throws {
        let good = try Self.smallFile()
        let bytes = [UInt8](Safetensors(metadata: (try good.metadata()), tensors: good.tensors).encoded())
        var otherMetadata = (try good.metadata())
        otherMetadata["format"] = nil
        var future = (try good.metadata())
        future["format"] = "textvae/2"
        var unknownCell = (try good.metadata())
        unknownCell["config"] = unknownCell["config"]!.replacingOccurrences(of: "{", with: "{\"cell\":\"peephole\",")
        var impossibleTying = (try good.metadata())  // E 3, H 2: nothing to tie
        impossibleTying["config"] = impossibleTying["config"]!.replacingOccurrences(of: "{", with: "{\"tied_embeddings\":true,")
        var wrongShape = good.tensors
        wrongShape[1] = Safetensors.Tensor(name: wrongShape[1].name, shape: [wrongShape[1].data.count], data: wrongShape[1].data)
        let header = String(decoding: bytes[8..<(8 + Int(bytes[0]) + Int(bytes[1]) << 8)], as: UTF8.self)
        let f16 =
            Array(bytes[0..<8]) + Array(header.replacingOccurrences(of: "\"F32\"", with: "\"F16\"").utf8)
            + Array(bytes[(8 + header.utf8.count)...])
        let cases: [(name: String, bytes: [UInt8], mentions: String)] = [
            ("empty", [], "not a valid safetensors"),
            ("truncated header", Array(bytes.prefix(40)), "not a valid safetensors"),
            ("truncated data", Array(bytes.dropLast(10)), "truncated"),
            ("corrupt header", Array(bytes[0..<8]) + Array(repeating: UInt8(ascii: "x"), count: bytes.count - 8), "not a JSON object"),
            ("huge header length", [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] + Array(bytes[8...]), "header length"),
            ("other safetensors", [UInt8](Safetensors(metadata: otherMetadata, tensors: good.tensors).encoded()), "not a textvae model"),
            ("future version", [UInt8](Safetensors(metadata: future, tensors: good.tensors).encoded()), "upgrade textvae"),
            ("unknown cell", [UInt8](Safetensors(metadata: unknownCell, tensors: good.tensors).encoded()), "cell 'peephole' is none of"),
            ("impossible tying", [UInt8](Safetensors(metadata: impossibleTying, tensors: good.tensors).encoded()), "equal to H"),
            ("wrong shape", [UInt8](Safetensors(metadata: (try good.metadata()), tensors: wrongShape).encoded()), "has shape"),
            (
                "missing tensor", [UInt8](Safetensors(metadata: (try good.metadata()), tensors: Array(good.tensors.dropLast())).encoded()),
                "lacks tensor"
            ),
            ("half precision", f16, "F32 only"),
        ]
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for c in cases {
            let path = folder.appendingPathComponent("\(c.name).safetensors").path
            FileManager.default.createFile(atPath: path, contents: Data(c.bytes))
            do {
                _ = try ModelFile.load(path)
                Issue.record("\(c.name): loaded without error")
            } catch let e as TextVAEError {
                #expect(e.description.contains(c.mentions), "\(c.name): \(e)")
                #expect(e.description.contains(path), "\(c.name): the message must name the file: \(e)")
            }
        }
    }

    /// Random mutations of a valid file: every one loads or throws a TextVAEError; none crashes.
    @Test func fuzzedModelFilesNeverCrash() throws {
        let good = try Self.smallFile()
        let bytes = [UInt8](Safetensors(metadata: (try good.metadata()), tensors: good.tensors).encoded())
        var rng = Random(seed: 2026)
        var rejected = 0
        let cases = 20_000
        for _ in 0..<cases {
            var b = bytes
            switch rng.next() % 4 {
            case 0: for _ in 0..<(1 + rng.next() % 4) { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            case 2: let i = Int(rng.next() % 64); b[min(i, b.count - 1)] ^= 1 << (rng.next() % 8)  // header length and start
            default: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(b.count)))
            }
            do {
                let file = try ModelFile.load(Safetensors.decode(b), path: "fuzz")
                #expect(file.model.parameters.count == file.model.layout.total)
            } catch is TextVAEError {
                rejected += 1
            } catch is Safetensors.FormatError {
                rejected += 1
            }
        }
        #expect(rejected > cases / 2, "most mutations should be caught; only \(rejected) of \(cases) were")
    }

    /// Random bytes and random Unicode through the file reader and both tokenizers.
    @Test func fuzzedTextNeverCrashesTheReaderOrTokenizers() throws {
        var rng = Random(seed: 7)
        let icu = try Tokenizer(TokenizerSettings(name: .icu, locale: "en"))
        let zh = try Tokenizer(TokenizerSettings(name: .icu, locale: "zh"))
        let ws = try Tokenizer(TokenizerSettings(name: .whitespace))
        let pieces: [String] = [
            "a", " ", "\t", "\r\n", "\n", "é", "e\u{301}", "İ", "我", "喜欢", "ภาษา", "\u{1B}[31m", "\u{1B}]8;;x\u{7}",
            "\u{0}", "\u{FEFF}", "3.14", "don't", "<unk>", "\u{200B}", "🙂", "\u{D7FF}", "'", "\"", "—", "…",
        ]
        for i in 0..<10_000 {
            // Half the cases: arbitrary bytes; half: valid text made of awkward pieces.
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = Array((0..<Int(rng.next() % 12)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined().utf8)
            }
            guard let lines = try? TextFile.lines(of: bytes, name: "fuzz") else { continue }
            for line in lines.lines {
                for t in [icu, zh, ws] {
                    let tokens = try t.tokenize(line)
                    #expect(tokens.allSatisfy { !$0.isEmpty && !$0.unicodeScalars.allSatisfy(\.properties.isWhitespace) })
                    _ = Detokenizer.join(tokens)
                }
            }
        }
    }

    /// A NaN or an infinity in any tensor is refused at load, naming the tensor, instead of NaN scores later.
    @Test func nonFiniteWeightsAreRefusedNamingTheTensor() throws {
        try withScratchFolder { folder in
            for (tensor, value) in [(ParameterTensor.embedding, Float.nan), (.outputBias, Float.infinity)] {
                var model = TinyModel.make()
                model.parameters[model.layout.range(tensor).lowerBound + 1] = value
                try TinyModel.file(model).save(to: folder + "/bad.safetensors")
                #expect(throws: TextVAEError.self) { try ModelFile.load(folder + "/bad.safetensors") }
                do { _ = try ModelFile.load(folder + "/bad.safetensors") } catch {
                    #expect("\(error)".contains(tensor.name) && "\(error)".contains("not a finite number"), "\(error)")
                }
                let run = try TextVAEProgram.run(["sample", "-m", "bad.safetensors"], in: folder)
                #expect(run.failedCleanly && run.stderr.contains(tensor.name), "\(run)")
            }
        }
    }
}
