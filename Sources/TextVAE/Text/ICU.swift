internal import CICU

/// Swift face of the CICU shim: NFC, locale-aware lower-casing, and word and
/// sentence boundaries. A `BreakIterator` is not thread-safe; give each thread its own.
enum ICU {
    static func check(_ status: Int32, _ what: String) throws {
        if status > 0 {
            throw TextVAEError.system("ICU failed to \(what): \(String(cString: tvicu_error_name(status)))")
        }
    }

    static func nfc(_ text: [UInt16]) throws -> [UInt16] {
        try transform(text, "normalise to NFC") { src, n, dst, cap, status in tvicu_nfc(src, n, dst, cap, status) }
    }

    static func lowercase(_ text: [UInt16], locale: String) throws -> [UInt16] {
        try transform(text, "lower-case text") { src, n, dst, cap, status in
            tvicu_lower(src, n, locale, dst, cap, status)
        }
    }

    /// Runs an ICU "preflight" style function: try with a buffer a bit larger than
    /// the input, and again with the size ICU asked for if that was too small.
    private static func transform(
        _ text: [UInt16], _ what: String,
        _ call: (UnsafePointer<UInt16>, Int32, UnsafeMutablePointer<UInt16>, Int32, UnsafeMutablePointer<Int32>) -> Int32
    ) throws -> [UInt16] {
        if text.isEmpty { return [] }
        var capacity = text.count + text.count / 2 + 8
        for _ in 0..<2 {
            var out = [UInt16](repeating: 0, count: capacity)
            var status: Int32 = 0
            let n = text.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    call(src.baseAddress!, Int32(src.count), dst.baseAddress!, Int32(capacity), &status)
                }
            }
            try check(status, what)
            if Int(n) <= capacity { return Array(out[0..<Int(n)]) }
            capacity = Int(n)
        }
        throw TextVAEError.system("ICU failed to \(what): the result kept growing")
    }

    /// An ICU break iterator (word or sentence) for one locale.
    final class BreakIterator {
        enum Kind { case word, sentence }
        private let handle: OpaquePointer

        init(_ kind: Kind, locale: String) throws {
            var status: Int32 = 0
            let h = tvicu_breaker_open(kind == .word ? Int32(TVICU_WORD) : Int32(TVICU_SENTENCE), locale, &status)
            try check(status, "open a break iterator for locale '\(locale)'")
            guard let h else { throw TextVAEError.system("ICU returned no break iterator for locale '\(locale)'") }
            handle = h
        }

        deinit { tvicu_breaker_close(handle) }

        /// Segments of `text` as UTF-16 ranges, with the rule status of each.
        func segments(_ text: [UInt16]) throws -> [(range: Range<Int>, status: Int32)] {
            if text.isEmpty { return [] }
            var bounds = [Int32](repeating: 0, count: text.count + 1)
            var statuses = [Int32](repeating: 0, count: text.count + 1)
            var status: Int32 = 0
            let n = text.withUnsafeBufferPointer { src in
                tvicu_breaker_split(
                    handle, src.baseAddress!, Int32(src.count), &bounds, &statuses,
                    Int32(bounds.count), &status)
            }
            try check(status, "split text")
            var result: [(range: Range<Int>, status: Int32)] = []
            result.reserveCapacity(Int(n))
            for i in stride(from: 1, to: Int(n), by: 1) {
                result.append((Int(bounds[i - 1])..<Int(bounds[i]), statuses[i]))
            }
            return result
        }
    }
}
