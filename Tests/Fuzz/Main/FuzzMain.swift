import Foundation
import FuzzTargets

#if FUZZING
    /// libFuzzer's driver, from `libclang_rt.fuzzer_no_main` (linked by Tests/Scripts/ci/fuzz.sh).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32
#endif

/// `textvae-fuzz`: built by Tests/Scripts/ci/fuzz.sh with coverage and libFuzzer, it fuzzes the target
/// named by TEXTVAE_FUZZ_TARGET (libFuzzer's own options and corpus folders are its arguments).
/// A plain build replays files instead: `textvae-fuzz TARGET FILE_OR_FOLDER...`.
@main struct FuzzMain {
    static func main() {
        #if FUZZING
            guard let name = ProcessInfo.processInfo.environment["TEXTVAE_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
                fail("set TEXTVAE_FUZZ_TARGET to one of: " + FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))
            }
            selected = target
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(
                LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                    FuzzMain.selected.run(data.map { Data(bytes: $0, count: size) } ?? Data())
                    return 0
                })
        #else
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
                fail(
                    "usage: textvae-fuzz TARGET FILE_OR_FOLDER...  (targets: " + FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
                        + ")")
            }
            var accepted = 0, total = 0
            for path in arguments.dropFirst() {
                for file in files(path) {
                    guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
                    if target.run(data) { accepted += 1 }
                    total += 1
                }
            }
            print("\(target.rawValue): \(total) inputs replayed, \(accepted) accepted, no crash")
        #endif
    }

    nonisolated(unsafe) static var selected = FuzzTarget.modelFile

    static func files(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}
