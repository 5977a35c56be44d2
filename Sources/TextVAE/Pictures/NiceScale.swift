import Foundation

/// Axis ticks at "nice" values (1, 2 or 5 times a power of ten), as plotting
/// libraries choose them, so that tick labels are short and easy to read.
package struct NiceScale: Equatable {
    package var lower: Double
    package var upper: Double
    package var step: Double

    /// Covers [minimum, maximum] with about `ticks` intervals; a flat or empty
    /// range is widened so that the axis still has a span.
    package init(_ minimum: Double, _ maximum: Double, ticks: Int = 5) {
        var lo = minimum.isFinite ? minimum : 0, hi = maximum.isFinite ? maximum : 1
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-12 * max(1, abs(hi)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let raw = (hi - lo) / Double(max(1, ticks))
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        step = nice * magnitude
        lower = floor(lo / step + 1e-9) * step
        upper = ceil(hi / step - 1e-9) * step
    }

    package var ticks: [Double] {
        let n = Int(((upper - lower) / step).rounded())
        return (0...max(0, n)).map { lower + Double($0) * step }
    }

    /// A tick label with as many decimals as the step needs ("0.25", "1500", "2k" is not used: exact values read better).
    package func label(_ value: Double) -> String {
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)) + (step / pow(10, floor(log10(step))) == 2.5 ? 1 : 0))
        let v = abs(value) < step * 1e-9 ? 0 : value
        return String(format: "%.\(decimals)f", v)
    }
}
