import Foundation
import TextVAE

func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

/// 75 → "1m15s".
func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
}
