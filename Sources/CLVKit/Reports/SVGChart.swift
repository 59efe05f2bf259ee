import Foundation

/// Small, dependency-free SVG charts for the HTML report: line charts, grouped bar charts and
/// heat maps, with axes, ticks, axis labels and a legend. Every text is XML-escaped; a
/// non-finite value is never written (lines break at it, bars and cells skip it), so the output
/// holds no `NaN` or `inf`.
public enum SVGChart {
    /// A line: points (x, y) drawn in order.
    public struct Line: Sendable {
        public var name: String
        public var color: String
        public var points: [(x: Double, y: Double)]
        public var dashed: Bool
        public init(name: String, color: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name
            self.color = color
            self.points = points
            self.dashed = dashed
        }
    }

    /// One series of a grouped bar chart: a value per category (nil: no bar).
    public struct Bars: Sendable {
        public var name: String
        public var color: String
        public var values: [Double?]
        public init(name: String, color: String, values: [Double?]) {
            self.name = name
            self.color = color
            self.values = values
        }
    }

    /// A vertical marker line at `x` with a label (e.g. the calibration end).
    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        public init(x: Double, label: String) {
            self.x = x
            self.label = label
        }
    }

    /// Colours used by the report (colour-blind safe, Okabe–Ito).
    public static let actualColor = "#0072B2", modelColor = "#D55E00", neutralColor = "#009E73"

    static let width = 760.0, height = 360.0
    static let left = 70.0, right = 20.0, top = 40.0, bottom = 56.0

    // MARK: Line chart

    /// A line chart with numeric axes; `xTickLabel` names the x ticks (e.g. a period's start date)
    /// instead of their numbers.
    public static func lineChart(title: String, xLabel: String, yLabel: String, lines: [Line],
                                 marker: Marker? = nil, xTickLabel: ((Double) -> String)? = nil) -> String {
        let xs = lines.flatMap { $0.points.map(\.x) }.filter(\.isFinite) + (marker.map { [$0.x] } ?? [])
        let ys = lines.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let xScale = Scale(domain: (xs.min() ?? 0, xs.max() ?? 1), range: (left, width - right), niceTicks: true)
        let yScale = Scale(domain: (min(0, ys.min() ?? 0), ys.max() ?? 1), range: (height - bottom, top), niceTicks: true)
        var svg = open(title: title)
        svg += axes(x: xScale, y: yScale, xLabel: xLabel, yLabel: yLabel, xTickLabel: xTickLabel)
        if let marker, marker.x.isFinite {
            let x = xScale(marker.x)
            svg += "<line class=\"marker\" x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(height - bottom))\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\"\(n(x + 4))\" y=\"\(n(top + 12))\" font-size=\"11\" fill=\"#333\">\(escaped(marker.label))</text>"
        }
        for line in lines {
            var segments: [[String]] = [[]]
            for p in line.points {
                if p.x.isFinite && p.y.isFinite {
                    segments[segments.count - 1].append("\(n(xScale(p.x))),\(n(yScale(p.y)))")
                } else if !segments[segments.count - 1].isEmpty {
                    segments.append([])
                }
            }
            for segment in segments where !segment.isEmpty {
                svg += "<polyline class=\"series\" fill=\"none\" stroke=\"\(escaped(line.color))\" stroke-width=\"2\""
                svg += line.dashed ? " stroke-dasharray=\"6 4\"" : ""
                svg += " points=\"\(segment.joined(separator: " "))\"><title>\(escaped(line.name))</title></polyline>"
            }
        }
        svg += legend(lines.filter { !$0.name.isEmpty }.map { ($0.name, $0.color, $0.dashed) })
        return svg + "</svg>"
    }

    // MARK: Bar chart

    /// A grouped bar chart: one group per category, one bar per series.
    public static func barChart(title: String, xLabel: String, yLabel: String, categories: [String],
                                series: [Bars], lines: [Line] = []) -> String {
        let values = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
            + lines.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        let yScale = Scale(domain: (0, values.max() ?? 1), range: (height - bottom, top), niceTicks: true)
        let plotWidth = width - left - right
        let groupWidth = plotWidth / Double(max(categories.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        var svg = open(title: title)
        svg += axes(x: nil, y: yScale, xLabel: xLabel, yLabel: yLabel)
        // Category labels; thinned so that they do not overlap.
        let every = max(1, Int((Double(categories.count) * labelWidth(categories, minimum: 34) / plotWidth).rounded(.up)))
        for (i, category) in categories.enumerated() where i % every == 0 {
            let x = left + groupWidth * (Double(i) + 0.5)
            svg += "<text x=\"\(n(x))\" y=\"\(n(height - bottom + 16))\" font-size=\"11\" text-anchor=\"middle\">\(escaped(category))</text>"
        }
        for (s, bars) in series.enumerated() {
            for (i, value) in bars.values.enumerated() {
                guard let value, value.isFinite, i < categories.count else { continue }
                let x = left + groupWidth * (Double(i) + 0.1) + barWidth * Double(s)
                let y = yScale(max(value, 0)), y0 = yScale(0)
                svg += "<rect class=\"bar\" x=\"\(n(x))\" y=\"\(n(min(y, y0)))\" width=\"\(n(max(barWidth - 1, 1)))\" height=\"\(n(abs(y0 - y)))\" fill=\"\(escaped(bars.color))\">"
                svg += "<title>\(escaped(bars.name)), \(escaped(categories[i])): \(label(value))</title></rect>"
            }
        }
        for line in lines {
            let points = line.points.enumerated().compactMap { i, p -> String? in
                guard p.y.isFinite, i < categories.count else { return nil }
                return "\(n(left + groupWidth * (Double(i) + 0.5))),\(n(yScale(p.y)))"
            }
            if !points.isEmpty {
                svg += "<polyline class=\"series\" fill=\"none\" stroke=\"\(escaped(line.color))\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"><title>\(escaped(line.name))</title></polyline>"
            }
        }
        svg += legend(series.map { ($0.name, $0.color, false) } + lines.map { ($0.name, $0.color, $0.dashed) })
        return svg + "</svg>"
    }

    // MARK: Heat map

    /// A heat map of values in [0, 1]: `values[row][column]`, row 0 at the bottom; a colour bar
    /// on the right. A nil or non-finite cell is left blank.
    public static func heatMap(title: String, xLabel: String, yLabel: String, rowLabels: [String],
                               columnLabels: [String], values: [[Double?]], legendLabel: String) -> String {
        let legendWidth = 70.0
        let plotLeft = left, plotRight = width - right - legendWidth
        let cellWidth = (plotRight - plotLeft) / Double(max(columnLabels.count, 1))
        let cellHeight = (height - bottom - top) / Double(max(rowLabels.count, 1))
        var svg = open(title: title)
        for (r, row) in values.enumerated() {
            for (c, cell) in row.enumerated() {
                guard let value = cell, value.isFinite else { continue }
                let x = plotLeft + cellWidth * Double(c), y = height - bottom - cellHeight * Double(r + 1)
                svg += "<rect class=\"cell\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellWidth + 0.3))\" height=\"\(n(cellHeight + 0.3))\" fill=\"\(color(value))\">"
                svg += "<title>\(escaped(yLabel)) \(escaped(rowLabels[r])), \(escaped(xLabel)) \(escaped(columnLabels[c])): \(String(format: "%.3f", value))</title></rect>"
            }
        }
        let rowEvery = max(1, Int((14 / cellHeight).rounded(.up)))
        for (r, label) in rowLabels.enumerated() where r % rowEvery == 0 {
            let y = height - bottom - cellHeight * (Double(r) + 0.5)
            svg += "<text x=\"\(n(plotLeft - 6))\" y=\"\(n(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(escaped(label))</text>"
        }
        let columnEvery = max(1, Int((labelWidth(columnLabels, minimum: 40) / cellWidth).rounded(.up)))
        for (c, label) in columnLabels.enumerated() where c % columnEvery == 0 {
            let x = plotLeft + cellWidth * (Double(c) + 0.5)
            svg += "<text x=\"\(n(x))\" y=\"\(n(height - bottom + 16))\" font-size=\"11\" text-anchor=\"middle\">\(escaped(label))</text>"
        }
        svg += axisTitles(xLabel: xLabel, yLabel: yLabel, xCenter: (plotLeft + plotRight) / 2)
        // Colour bar 0 … 1.
        let barX = width - right - legendWidth + 24, steps = 20
        let barHeight = (height - bottom - top) / Double(steps)
        for i in 0..<steps {
            let v = (Double(i) + 0.5) / Double(steps)
            svg += "<rect x=\"\(n(barX))\" y=\"\(n(height - bottom - barHeight * Double(i + 1)))\" width=\"14\" height=\"\(n(barHeight + 0.3))\" fill=\"\(color(v))\"/>"
        }
        for v in [0.0, 0.5, 1.0] {
            svg += "<text x=\"\(n(barX + 18))\" y=\"\(n(height - bottom - (height - bottom - top) * v + 4))\" font-size=\"11\">\(label(v))</text>"
        }
        svg += "<text x=\"\(n(barX - 4))\" y=\"\(n(top - 8))\" font-size=\"11\">\(escaped(legendLabel))</text>"
        return svg + "</svg>"
    }

    /// A sequential colour scale from pale yellow (0) to dark blue (1).
    static func color(_ value: Double) -> String {
        let v = min(max(value, 0), 1)
        let stops: [(Double, Double, Double)] = [(255, 255, 217), (127, 205, 187), (29, 145, 192), (8, 29, 88)]
        let position = v * Double(stops.count - 1)
        let i = min(Int(position), stops.count - 2), f = position - Double(i)
        let (r0, g0, b0) = stops[i], (r1, g1, b1) = stops[i + 1]
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(r0, r1), mix(g0, g1), mix(b0, b1))
    }

    // MARK: Pieces

    /// A linear map from data to pixels; with `niceTicks`, the domain is widened to round ticks.
    struct Scale {
        var domain: (Double, Double)
        var range: (Double, Double)
        var ticks: [Double]

        init(domain: (Double, Double), range: (Double, Double), niceTicks: Bool) {
            var lo = domain.0.isFinite ? domain.0 : 0, hi = domain.1.isFinite ? domain.1 : 1
            if hi <= lo { hi = lo + 1 }
            let ticks = SVGChart.niceTicks(lo, hi)
            if niceTicks, let first = ticks.first, let last = ticks.last { lo = min(lo, first); hi = max(hi, last) }
            self.domain = (lo, hi)
            self.range = range
            self.ticks = ticks
        }

        func callAsFunction(_ v: Double) -> Double {
            range.0 + (v - domain.0) / (domain.1 - domain.0) * (range.1 - range.0)
        }
    }

    /// About five round tick values (1, 2 or 5 × 10ᵏ apart) covering [lo, hi].
    static func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        let span = hi - lo
        guard span > 0, span.isFinite else { return [lo] }
        let rough = span / Double(count)
        let magnitude = Foundation.pow(10, (Foundation.log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = (lo / step).rounded(.down) * step
        var ticks: [Double] = []
        var t = first
        while t <= hi + step * 0.999 && ticks.count < 50 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return ticks
    }

    static func open(title: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(escaped(title))\" font-family=\"sans-serif\">"
            + "<title>\(escaped(title))</title>"
            + "<text x=\"\(n(left))\" y=\"22\" font-size=\"14\" font-weight=\"bold\">\(escaped(title))</text>"
    }

    static func axes(x: Scale?, y: Scale, xLabel: String, yLabel: String, xTickLabel: ((Double) -> String)? = nil) -> String {
        var svg = ""
        for t in y.ticks where t >= y.domain.0 && t <= y.domain.1 {
            let py = y(t)
            svg += "<line x1=\"\(n(left))\" y1=\"\(n(py))\" x2=\"\(n(width - right))\" y2=\"\(n(py))\" stroke=\"#e3e3e3\"/>"
            svg += "<text x=\"\(n(left - 6))\" y=\"\(n(py + 4))\" font-size=\"11\" text-anchor=\"end\">\(label(t))</text>"
        }
        if let x {
            for t in x.ticks where t >= x.domain.0 && t <= x.domain.1 {
                let px = x(t)
                svg += "<line x1=\"\(n(px))\" y1=\"\(n(height - bottom))\" x2=\"\(n(px))\" y2=\"\(n(height - bottom + 5))\" stroke=\"#333\"/>"
                // A label that would stick out of the chart at either end is aligned to its tick instead.
                let text = xTickLabel?(t) ?? label(t), half = Double(text.count) * 3.5
                let anchor = px + half > width - 2 ? "end" : px - half < 2 ? "start" : "middle"
                svg += "<text x=\"\(n(px))\" y=\"\(n(height - bottom + 18))\" font-size=\"11\" text-anchor=\"\(anchor)\">\(escaped(text))</text>"
            }
        }
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(height - bottom))\" x2=\"\(n(width - right))\" y2=\"\(n(height - bottom))\" stroke=\"#333\"/>"
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(height - bottom))\" stroke=\"#333\"/>"
        return svg + axisTitles(xLabel: xLabel, yLabel: yLabel, xCenter: (left + width - right) / 2)
    }

    static func axisTitles(xLabel: String, yLabel: String, xCenter: Double) -> String {
        "<text class=\"axis-label\" x=\"\(n(xCenter))\" y=\"\(n(height - 12))\" font-size=\"12\" text-anchor=\"middle\">\(escaped(xLabel))</text>"
            + "<text class=\"axis-label\" transform=\"translate(16 \(n((top + height - bottom) / 2))) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">\(escaped(yLabel))</text>"
    }

    static func legend(_ entries: [(name: String, color: String, dashed: Bool)]) -> String {
        var svg = ""
        var x = width - right
        for entry in entries.reversed() {
            let textWidth = Double(entry.name.count) * 6.5
            x -= textWidth + 34
            svg += "<line x1=\"\(n(x))\" y1=\"18\" x2=\"\(n(x + 20))\" y2=\"18\" stroke=\"\(escaped(entry.color))\" stroke-width=\"\(entry.dashed ? 2 : 6)\"\(entry.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
            svg += "<text class=\"legend\" x=\"\(n(x + 25))\" y=\"22\" font-size=\"12\">\(escaped(entry.name))</text>"
        }
        return svg
    }

    /// The room one axis label needs, in pixels: the longest label at 11 px DejaVu Sans (about
    /// 7 px a character) and a gap, at least `minimum`.
    static func labelWidth(_ labels: [String], minimum: Double) -> Double {
        max(minimum, Double(labels.map(\.count).max() ?? 0) * 7 + 10)
    }

    /// A pixel coordinate: two decimals, never `nan` (a non-finite number becomes 0).
    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        return String(format: "%.2f", v)
    }

    /// A tick or value label: short, never `nan` or `inf`.
    static func label(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        if v == v.rounded() && abs(v) < 1e15 { return String(format: "%.0f", v) }
        if abs(v) >= 100 { return String(format: "%.0f", v) }
        if abs(v) >= 1 { return String(format: "%.1f", v) }
        return String(format: "%.2g", v)
    }

    /// `text` with the five XML special characters escaped, for element text and attribute values.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
