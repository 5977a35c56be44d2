import ArgumentParser

/// A length of time on the command line, with its unit: `90s`, `30m`, `1.5h`. A bare number keeps the unit the
/// option has always had (minutes for `train --time-limit`, seconds for `serve --time-limit`), which its help says.
struct TimeSpan: ExpressibleByArgument, Equatable {
    enum Unit: Double { case seconds = 1, minutes = 60, hours = 3600 }
    let value: Double
    let unit: Unit?

    init?(argument: String) {
        let units: [(String, Unit)] = [("s", .seconds), ("m", .minutes), ("h", .hours)]
        let match = units.first { argument.hasSuffix($0.0) }
        guard let number = Double(match == nil ? argument : String(argument.dropLast())), number.isFinite, number >= 0 else { return nil }
        value = number
        unit = match?.1
    }

    /// In seconds, reading a bare number in `bare`.
    func seconds(bare: Unit) -> Double { value * (unit ?? bare).rawValue }
}
