import Foundation

/// A JSON string literal (quotes, backslashes and control characters escaped; U+2028 and U+2029 too, which
/// JSON allows raw but JavaScript source does not, so that the text can also sit in a page's script).
package func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                out += String(format: "\\u%04x", u.value)
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
