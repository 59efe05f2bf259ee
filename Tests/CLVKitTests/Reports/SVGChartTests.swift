import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CLVKit

/// The chart helper on its own: escaping, non-finite values, ticks, colours.
@Suite struct SVGChartTests {
    @Test func escapesTheFiveXMLCharacters() {
        #expect(SVGChart.escaped(#"a<b>&"c'd"#) == "a&lt;b&gt;&amp;&quot;c&#39;d")
        #expect(SVGChart.escaped("P(alive) ≥ 0.5 — ok") == "P(alive) ≥ 0.5 — ok")
    }

    /// A NaN or infinite point breaks the line instead of being written; a NaN bar or cell is
    /// skipped; the output still parses and never says nan or inf.
    @Test func nonFiniteValuesAreNeverWritten() {
        let line = SVGChart.lineChart(title: "t <1>", xLabel: "x & y", yLabel: "y", lines: [
            SVGChart.Line(name: "a", color: "#000", points: [(0, 1), (1, .nan), (2, 3), (3, .infinity), (4, 2)]),
        ], marker: SVGChart.Marker(x: .nan, label: "m"))
        let bars = SVGChart.barChart(title: "b", xLabel: "x", yLabel: "y", categories: ["0", "1", "2"],
                                     series: [SVGChart.Bars(name: "s", color: "#111", values: [1, .nan, nil])])
        let heat = SVGChart.heatMap(title: "h", xLabel: "x", yLabel: "y", rowLabels: ["1", "2"], columnLabels: ["a", "b"],
                                    values: [[0.1, .nan], [nil, 0.9]], legendLabel: "P")
        for svg in [line, bars, heat] {
            let lower = svg.lowercased()
            #expect(!lower.contains("nan") && !lower.contains("inf"), "\(svg)")
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(String(describing: parser.parserError))")
        }
        #expect(line.components(separatedBy: "<polyline").count - 1 == 3)   // three finite runs
        #expect(bars.components(separatedBy: "<rect class=\"bar\"").count - 1 == 1)
        #expect(heat.components(separatedBy: "<rect class=\"cell\"").count - 1 == 2)
        #expect(line.contains("t &lt;1&gt;") && line.contains("x &amp; y"))
    }

    @Test func ticksAreRoundAndCoverTheRange() {
        #expect(SVGChart.niceTicks(0, 97) == [0, 20, 40, 60, 80, 100])
        // Steps of 0.2 accumulate rounding: compared to 1e-12 absolute.
        let unit = SVGChart.niceTicks(0, 1)
        #expect(unit.count == 6 && zip(unit, [0, 0.2, 0.4, 0.6, 0.8, 1]).allSatisfy { abs($0 - $1) < 1e-12 })
        let t = SVGChart.niceTicks(3.2, 4871)
        #expect(t.first! <= 3.2 && t.last! >= 4871 && t.count <= 8)
    }

    @Test func colourScaleRunsFromPaleToDark() {
        #expect(SVGChart.color(0) == "#ffffd9")
        #expect(SVGChart.color(1) == "#081d58")
        #expect(SVGChart.color(-1) == SVGChart.color(0) && SVGChart.color(2) == SVGChart.color(1))
    }
}
