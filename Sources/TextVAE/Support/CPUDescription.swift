import Foundation

/// The CPU a figure was measured on, as every speed figure states it: "Intel(R) Xeon(R) Processor (AVX2, AVX-512,
/// AVX-512 BF16)", from /proc/cpuinfo (the first processor's model name and the vector extensions textvae's
/// kernels look at).
package enum CPUDescription {
    package static let current: String = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        func field(_ name: String) -> String? {
            info.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let named = [("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512"), ("avx512_bf16", "AVX-512 BF16"), ("amx_bf16", "AMX BF16")]
        let have = named.filter { flags.contains($0.0) }.map(\.1)
        return (field("model name") ?? "unknown CPU") + (have.isEmpty ? "" : " (\(have.joined(separator: ", ")))")
    }()
}
