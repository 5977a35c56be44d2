import ArgumentParser
import Foundation
import TextVAE

/// JSON text for one value, for JSON lines written by hand so keys keep a fixed order.
enum JSON {
    static func string(_ s: String) -> String { jsonString(s) }

    /// Shortest text that reads back as the same Float; non-finite values become null.
    static func number(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
    static func array(_ xs: ArraySlice<Float>) -> String { "[" + xs.map(number).joined(separator: ",") + "]" }
    static func array(_ xs: [Float]) -> String { array(xs[...]) }

    /// {"k1":v1,...} from already encoded values, in the given order.
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
