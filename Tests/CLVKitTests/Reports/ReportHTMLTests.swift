import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CLVKit
import CLVTestSupport

/// The HTML page: self-contained, well-formed (it parses as XML), every chart present with
/// content, no NaN/inf text, every user-supplied text escaped.
@Suite struct ReportHTMLTests {
    /// Parses `html` as XML; returns the parser's error, or nil when it is well-formed.
    static func xmlError(_ html: String) -> String? {
        let parser = XMLParser(data: Data(html.utf8))
        return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber)"
    }

    /// The text between `<figure id="ID">` and its `</figure>`.
    static func figure(_ id: String, in html: String) -> Substring? {
        guard let start = html.range(of: "<figure id=\"\(id)\">"),
              let end = html.range(of: "</figure>", range: start.upperBound..<html.endIndex) else { return nil }
        return html[start.upperBound..<end.lowerBound]
    }

    static func count(_ needle: String, in text: Substring) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func cdnowPageIsWellFormedSelfContainedAndHasEveryChart() throws {
        let report = try EvaluationReportTests.setup().report
        let html = ReportHTML.render(report)
        #expect(Self.xmlError(html) == nil, "\(Self.xmlError(html) ?? "")")
        // Self-contained: nothing is loaded from anywhere.
        for banned in ["http:", "https:", "//", "src=", "href=", "<script", "<link", "<img", "@import", "url(", "<iframe", "<object"] {
            #expect(!html.lowercased().contains(banned), "the page contains \(banned)")
        }
        // No NaN or infinity anywhere in the text.
        let words = Set(html.lowercased().split { !$0.isLetter }.map(String.init))
        #expect(words.isDisjoint(with: ["nan", "inf", "infinity"]))
        // Every chart: an <svg> with axis labels and drawn marks.
        for id in ReportHTML.chartIDs {
            let figure = try #require(Self.figure(id, in: html), "figure \(id) is missing")
            #expect(Self.count("<svg", in: figure) == 1 && Self.count("</svg>", in: figure) == 1, "\(id)")
            let marks = Self.count("<polyline", in: figure) + Self.count("<rect class=\"bar\"", in: figure) + Self.count("<rect class=\"cell\"", in: figure)
            #expect(marks >= 2, "\(id) draws \(marks) marks")
            #expect(Self.count("class=\"axis-label\"", in: figure) == 2, "\(id) axis labels")
            #expect(figure.contains("<figcaption>"), "\(id) caption")
        }
        // The tracking charts have two lines and the calibration-end marker; the heat map a cell
        // per (frequency, recency).
        #expect(Self.count("<polyline", in: Self.figure("tracking-incremental", in: html)!) == 2)
        #expect(Self.figure("tracking-cumulative", in: html)!.contains("calibration end 1997-09-30"))
        let alive = report.alive
        #expect(Self.count("<rect class=\"cell\"", in: Self.figure("alive-heatmap", in: html)!) == alive.frequencies.count * alive.recencies.count)
        // Sections with their numbers.
        #expect(html.contains("0.2426") && html.contains("6.2496"))          // r and p
        #expect(html.contains("Share of the total value held by the top 10 % of customers: ") && html.contains("12 months at a discount rate of 1 % per month"))
        #expect(html.contains("unbounded-lifetime") && html.contains("a = 0.7929 ≤ 1"))
    }

    /// Text from the user (the file name) and from warnings is escaped: the page stays
    /// well-formed and shows the text, not markup. A parameter interval, when present, gets its column.
    @Test func userTextIsEscapedAndIntervalsGetAColumn() throws {
        var report = try EvaluationReportTests.setup().report
        report.source = "<script>alert('x')</script> & \"data\".csv"
        report.warnings = [EvaluationReport.Warning(code: "test<code>", message: "a <b>bold</b> & odd message")]
        report.purchaseModel.parameters[0].interval = EvaluationReport.Interval(level: 0.95, lower: 0.21, upper: 0.27)
        let html = ReportHTML.render(report)
        #expect(Self.xmlError(html) == nil, "\(Self.xmlError(html) ?? "")")
        #expect(!html.contains("<script") && !html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;data&quot;.csv"))
        #expect(html.contains("<code>test&lt;code&gt;</code>: a &lt;b&gt;bold&lt;/b&gt; &amp; odd message"))
        #expect(html.contains("<th>95 % interval</th>") && html.contains("0.2100 … 0.2700"))
    }

    /// Without a spend model the spend and CLV sections say so instead of drawing empty charts.
    @Test func withoutSpendModelTheSectionsSaySo() throws {
        var report = try EvaluationReportTests.setup().report
        report.spendModel = nil
        report.spendFit = nil
        report.clv = nil
        let html = ReportHTML.render(report)
        #expect(Self.xmlError(html) == nil)
        #expect(Self.figure("spend-fit", in: html) == nil && Self.figure("clv-distribution", in: html) == nil)
        #expect(html.contains("No spend model was fitted"))
    }

    /// The result comes first (the holdout total in words, CDNOW's −12.1 %), the model's details
    /// last, and the tracking axis shows dates.
    @Test func headlineFirstDetailsLastDatedAxis() throws {
        let report = try EvaluationReportTests.setup().report
        let html = ReportHTML.render(report)
        let order = ["id=\"headline\"", "id=\"tracking\"", "id=\"holdout\"", "id=\"clv\"", "id=\"details\"", "id=\"parameters\"", "id=\"warnings\""]
        let positions = try order.map { try #require(html.range(of: $0), "\($0)").lowerBound }
        #expect(positions == positions.sorted())
        #expect(html.contains("<div class=\"figure\">−12.1 %</div>") && html.contains("so the model's total is −12.1 % off"))
        let tracking = try #require(Self.figure("tracking-incremental", in: html))
        #expect(tracking.contains(">1997-10-01</text>") && tracking.contains(">Week starting</text>"))
    }

    /// An observation end inside the last week: that week is drawn dotted at its rate per full
    /// week (its 3 days × 7/3), named in the legend and the text, not as a collapse of the line.
    @Test func partialLastWeekIsDrawnAsSuch() throws {
        var report = try EvaluationReportTests.setup().report
        var last = report.tracking.periods.removeLast()
        last.end = last.start.adding(days: 2)
        last.actual = 9
        report.tracking.periods.append(last)
        let html = ReportHTML.render(report)
        let tracking = try #require(Self.figure("tracking-incremental", in: html))
        #expect(tracking.contains(">last 3 days, per week</text>"))
        #expect(html.contains("has only 3 days before the observation end"))
        #expect(tracking.components(separatedBy: "<polyline").count - 1 == 4, "actual, model and the two dotted ends")
        // The full-week lines stop one period short: their last point is the week before the partial one.
        let actual = try #require(tracking.firstMatch(of: /points="([^"]*)"><title>actual<\/title>/))
        #expect(actual.1.split(separator: " ").count == report.tracking.periods.count - 1)
    }
}
