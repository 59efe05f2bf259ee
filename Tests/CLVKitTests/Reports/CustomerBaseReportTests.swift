import CLVNumerics
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CLVKit
import CLVTestSupport

/// The numbers of the customer-base report (`clvfit report`) on CDNOW (BG/NBD + Gamma-Gamma
/// trained on all 78 weeks, as a shop trains its production model), each against an independent
/// computation from `Scorer.score` and the models' own functions.
@Suite struct CustomerBaseReportTests {
    typealias S = DataTestSupport

    struct Setup {
        var table: CustomerSummaryTable
        var outcome: TrainingOutcome
        var scorer: Scorer
        var report: CustomerBaseReport
    }

    static func setup(_ table: CustomerSummaryTable? = nil, outcome: TrainingOutcome? = nil) throws -> Setup {
        let url = try S.requireDataset("cdnow_sample.csv")
        let table = try table ?? RFMSummarizer.summarize(path: url.path, options: RFMOptions(unit: .week, observationEnd: S.date("1998-06-30")))
        let outcome = try outcome ?? Training.train(table, source: url.path)
        let options = try ScoringOptions(periods: 12, unit: .month, modelUnit: .week, discountRate: 0.01)
        let scorer = try Scorer(modelFile: outcome.modelFile, options: options)
        let models = try scorer.customerModels(for: table, covariates: nil)
        let report = try CustomerBaseReport.build(table: table, source: "cdnow_sample.csv", modelFile: outcome.modelFile, scorer: scorer,
                                                  models: models, observationEnd: S.date("1998-06-30"))
        return Setup(table: table, outcome: outcome, scorer: scorer, report: report)
    }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(abs(b), 1)
    }

    /// Every headline figure is the plain sum of `score`'s columns over the customers.
    @Test func headlineIsTheSumOfTheScores() throws {
        let s = try Self.setup()
        let scores = try s.scorer.score(s.table)
        let h = s.report.headline
        #expect(h.customers == 2357)
        #expect(Self.close(h.expectedActive, scores.reduce(0) { $0 + $1.probabilityAlive }))
        #expect(Self.close(h.expectedPurchases, scores.reduce(0) { $0 + $1.expectedPurchases }))
        #expect(Self.close(h.expectedRevenue, scores.reduce(0) { $0 + $1.expectedPurchases * $1.expectedSpend! }))
        #expect(Self.close(h.customerEquity, scores.reduce(0) { $0 + $1.clv! }))
        #expect(h.topShares.map(\.customers) == [0.01, 0.1, 0.2])
        // The top 1 % (23.57 customers): the 23 largest CLVs and 0.57 of the 24th.
        let sorted = scores.map { $0.clv! }.sorted(by: >)
        let top1 = (sorted.prefix(23).reduce(0, +) + 0.57 * sorted[23]) / h.customerEquity!
        #expect(abs(h.topShares[0].share - top1) <= 1e-12, "\(h.topShares[0].share) vs \(top1)")
        #expect(h.topShares[0].share < h.topShares[1].share && h.topShares[1].share < h.topShares[2].share && h.topShares[2].share < 1)
        #expect(s.report.observationEnd == "1998-06-30" && s.report.horizonSpan == "the next 12 months")
    }

    /// The Lorenz curve rises from (0, 0) to (1, 1), never falls, is concave (customers ranked
    /// from the most valuable down), and passes through the top shares.
    @Test func lorenzCurveIsConcaveAndMeetsTheTopShares() throws {
        let s = try Self.setup()
        let points = s.report.lorenz
        #expect(points.count == 101 && points.first == .init(customers: 0, value: 0))
        #expect(abs(points.last!.value - 1) <= 1e-12 && points.last!.customers == 1)
        for k in 1..<points.count { #expect(points[k].value >= points[k - 1].value) }
        for k in 1..<(points.count - 1) {
            #expect(points[k].value - points[k - 1].value >= points[k + 1].value - points[k].value - 1e-12)
        }
        #expect(abs(points[10].value - s.report.headline.topShares[1].share) <= 1e-12)
        #expect(abs(points[20].value - s.report.headline.topShares[2].share) <= 1e-12)
    }

    /// The four segments partition the customers and the equity; each customer is where the
    /// thresholds put them (value if active = CLV ÷ P(alive), chance = the model's
    /// `probabilityOfPurchase` over the 12 months), and the thresholds are the quantiles asked for.
    @Test func segmentsFollowTheThresholds() throws {
        let s = try Self.setup()
        let r = s.report
        #expect(r.segments.map(\.name) == CustomerBaseReport.segmentNames)
        #expect(r.segments.reduce(0) { $0 + $1.customers } == 2357)
        #expect(Self.close(r.segments.reduce(0) { $0 + $1.value }, r.headline.customerEquity!, 1e-12))
        #expect(abs(r.segments.reduce(0) { $0 + $1.valueShare } - 1) <= 1e-12)
        let scores = try s.scorer.score(s.table)
        let model = s.outcome.purchaseModel
        let horizon = 12 * HorizonUnit.daysPerMonth / 7
        var counts = [String: Double]()
        var ifActive: [Double] = [], chances: [Double] = []
        for i in 0..<s.table.count {
            let chance = try model.probabilityOfPurchase(within: horizon, frequency: s.table.frequency[i], recency: s.table.recency[i], T: s.table.T[i])
            let value = scores[i].clv! / scores[i].probabilityAlive
            ifActive.append(value); chances.append(chance)
            let high = value >= r.segmentRule.valueThreshold && value > 0, active = chance >= r.segmentRule.chanceThreshold
            let name = high ? (active ? "high-value-active" : "high-value-slipping") : (active ? "low-value-active" : "probably-gone")
            #expect(r.customerSegments[i] == name, "customer \(s.table.customerIDs[i])")
            counts[name, default: 0] += 1
        }
        for segment in r.segments { #expect(counts[segment.name] == segment.customers) }
        // The thresholds: 80 % of the customers have a value if active at or below it, 50 % a chance.
        #expect(Double(ifActive.filter { $0 <= r.segmentRule.valueThreshold }.count) >= 0.8 * 2357)
        #expect(Double(ifActive.filter { $0 < r.segmentRule.valueThreshold }.count) < 0.8 * 2357)
        #expect(Double(chances.filter { $0 <= r.segmentRule.chanceThreshold }.count) >= 0.5 * 2357)
        #expect(Double(chances.filter { $0 < r.segmentRule.chanceThreshold }.count) < 0.5 * 2357)
        // The retention list: slipping customers by CLV, largest first, 25 of them.
        let list = r.retentionList
        #expect(list.count == min(25, Int(r.slippingCustomers)) && !list.isEmpty)
        for (a, b) in zip(list, list.dropFirst()) { #expect(a.clv! >= b.clv!) }
        let slippingCLVs = (0..<s.table.count).filter { r.customerSegments[$0] == "high-value-slipping" }.map { scores[$0].clv! }.sorted(by: >)
        #expect(list.map { $0.clv! } == Array(slippingCLVs.prefix(25)))
        for c in list { #expect(c.chance < r.segmentRule.chanceThreshold && c.valueIfActive >= r.segmentRule.valueThreshold) }
    }

    /// A new customer: Σₖ (E[X(k months)] − E[X(k−1 months)]) / 1.01ᵏ of BG/NBD's E[X(t)] (FHL 2005
    /// eq. 9), × the Gamma-Gamma mean pγ/(q−1) × margin; the undiscounted sum is E[X(12 months)].
    @Test func newCustomerValueDiscountsTheUnconditionalExpectation() throws {
        let s = try Self.setup()
        let model = s.outcome.purchaseModel, month = HorizonUnit.daysPerMonth / 7
        var discounted = 0.0
        for k in 1...12 {
            let increment = try model.expectedPurchasesOfNewCustomer(within: Double(k) * month) - model.expectedPurchasesOfNewCustomer(within: Double(k - 1) * month)
            discounted += increment / Foundation.pow(1.01, Double(k))
        }
        let gg = try #require(s.outcome.spendModel)
        let spend = gg.p * gg.gamma / (gg.q - 1)
        let n = s.report.newCustomer
        #expect(Self.close(n.expectedPurchases, try model.expectedPurchasesOfNewCustomer(within: 12 * month)))
        #expect(Self.close(n.discountedPurchases, discounted, 1e-13))
        #expect(Self.close(n.expectedSpend, spend, 1e-13))
        #expect(Self.close(n.value, discounted * spend, 1e-13))
        #expect(n.customer == nil)
    }

    /// The report does not depend on the rows' order (sums in a canonical order), and a
    /// weighted summary (one row per distinct history) gives the same figures.
    @Test func rowOrderAndWeightingDoNotChangeTheFigures() throws {
        let s = try Self.setup()
        var rng = SplitMix64(seed: 7)
        var order = Array(0..<s.table.count)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let t = s.table
        let shuffled = CustomerSummaryTable(unit: t.unit, customerIDs: order.map { t.customerIDs[$0] }, frequency: order.map { t.frequency[$0] },
                                            recency: order.map { t.recency[$0] }, T: order.map { t.T[$0] },
                                            monetaryValue: t.monetaryValue.map { m in order.map { m[$0] } })
        let again = try Self.setup(shuffled, outcome: s.outcome).report
        #expect(again.headline == s.report.headline)
        #expect(again.segments == s.report.segments && again.lorenz == s.report.lorenz && again.valueBins == s.report.valueBins)
        #expect(again.retentionList == s.report.retentionList)
        let weighted = try Self.setup(s.table.weighted(), outcome: s.outcome).report
        #expect(weighted.headline.customers == 2357)
        #expect(Self.close(weighted.headline.customerEquity, s.report.headline.customerEquity!, 1e-12))
        #expect(Self.close(weighted.headline.expectedActive, s.report.headline.expectedActive, 1e-12))
        #expect(weighted.segments.map(\.customers) == s.report.segments.map(\.customers))
    }

    /// Bins with 1-2-5 edges, a first bin below and an open top bin, holding every customer.
    @Test func valueBinsHaveRoundEdges() throws {
        #expect(CustomerBaseReport.roundEdges(from: 0.37, to: 480) == [0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500])
        #expect(CustomerBaseReport.roundEdges(from: 3, to: 3) == [2, 5])
        let s = try Self.setup()
        let bins = s.report.valueBins
        #expect(bins.first?.lower == nil && bins.last?.upper == nil && bins.count <= 17)
        #expect(bins.reduce(0) { $0 + $1.customers } == 2357)
        for (a, b) in zip(bins, bins.dropFirst()) { #expect(a.upper == b.lower) }
        let zero = CustomerBaseReport.valueBins([0, 0], weights: [1, 2])
        #expect(zero.count == 1 && zero[0].customers == 3)
    }

    /// Whole numbers with thousands separators, as the headline shows them.
    @Test func numbersHaveThousandsSeparators() {
        #expect(Number.count(71508.4) == "71,508" && Number.count(999.6) == "1,000" && Number.count(12) == "12")
        #expect(Number.count(1_234_567_890) == "1,234,567,890" && Number.count(-4321) == "-4,321" && Number.count(-0.2) == "0")
        #expect(Number.grouped(1234.5, decimals: 2) == "1,234.50" && Number.count(.nan) == "—")
        #expect(Number.decimal(0.0000001) == "< 0.001" && Number.decimal(2.5) == "2.50" && Number.decimal(0.0123) == "0.0123")
    }

    /// Quantiles outside (0, 1) are refused with the option's name.
    @Test func invalidQuantilesAreRefused() throws {
        let s = try Self.setup()
        let models = CustomerModels(shared: s.outcome.purchaseModel, covariates: nil)
        for (v, c) in [(1.0, 0.5), (0.8, 0.0)] {
            #expect(throws: ScoringError.self) {
                try CustomerBaseReport.build(table: s.table, source: "x", modelFile: s.outcome.modelFile, scorer: s.scorer, models: models,
                                             observationEnd: nil, valueQuantile: v, chanceQuantile: c)
            }
        }
    }

    /// The page: well-formed, every chart present, whole numbers with separators and the
    /// currency in the headline, nothing that is not a number, and no external reference.
    @Test func pageHasEveryChartAndTheHeadlineInWords() throws {
        let s = try Self.setup()
        let html = CustomerBaseHTML.render(s.report, currency: "EUR")
        let parser = XMLParser(data: Data(html.utf8))
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        for id in CustomerBaseHTML.chartIDs { #expect(html.contains("<figure id=\"\(id)\">\n<svg"), "\(id)") }
        #expect(html.contains("<h1>Customer base on 1998-06-30</h1>"))
        #expect(html.contains("<div class=\"figure\">2,357</div>"))
        #expect(html.contains("EUR \(Number.count(s.report.headline.customerEquity!))"))
        #expect(html.contains("An acquisition cost above EUR "))
        #expect(html.contains("train --model mbgnbd or --model pareto-nbd"))
        for bad in ["nan", "NaN", "inf<", "http://", "https://", "<script", "<img", "<link"] { #expect(!html.contains(bad), "\(bad)") }
        // The headline comes before the model's details.
        let headline = try #require(html.range(of: "id=\"headline\"")), parameters = try #require(html.range(of: "id=\"parameters\""))
        #expect(headline.lowerBound < parameters.lowerBound)
        // Without a currency the page says the amounts are in the data's units.
        #expect(CustomerBaseHTML.render(s.report).contains("amounts in the data&#39;s own units"))
    }

    /// Horizons in words, plural or not, for calendar periods and opportunities.
    @Test func horizonsInWords() throws {
        let months = try ScoringOptions(periods: 12, unit: .month, modelUnit: .week, discountRate: 0.01)
        #expect(CustomerBaseReport.describeSpan(months, unit: .week) == "the next 12 months")
        #expect(CustomerBaseReport.describeHorizon(months, unit: .week) == "12 months at a discount rate of 1 % per month")
        let opportunities = try ScoringOptions(periods: 5, unit: .periods, modelUnit: .periods, discountRate: 0.1)
        #expect(CustomerBaseReport.describeSpan(opportunities, unit: .periods) == "the next 5 opportunities")
        let one = try ScoringOptions(periods: 1, unit: .week, modelUnit: .day, discountRate: 0.01)
        #expect(CustomerBaseReport.describeSpan(one, unit: .day) == "the next week")
        let odd = ScoringOptions(periods: 3, periodLength: 3.5, discountRate: 0.01)
        #expect(CustomerBaseReport.describeSpan(odd, unit: .day) == "the next 3 periods of 3.5 days")
    }
}
