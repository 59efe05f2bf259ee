import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Scoring: P(alive), expected purchases, expected spend and discounted CLV, against lifetimes
/// 0.11.3 (`Tests/Fixtures/lifetimes/cdnow_bgnbd_gg.json`) and against the definitions.
@Suite struct ScorerTests {
    /// BG/NBD and Gamma-Gamma at lifetimes' fitted parameters, so that every difference from
    /// lifetimes' predictions is a difference in the formulas, not in the fit.
    static func lifetimesModels() throws -> (BGNBD, GammaGamma, [String: Any]) {
        let fit = try LifetimesFixtures.cdnowFit()
        let bgnbd = try BGNBD(r: fit.number("bgnbd", "params", "r"), alpha: fit.number("bgnbd", "params", "alpha"),
                              a: fit.number("bgnbd", "params", "a"), b: fit.number("bgnbd", "params", "b"))
        let gg = try GammaGamma(p: fit.number("gamma_gamma", "params", "p"), q: fit.number("gamma_gamma", "params", "q"),
                                gamma: fit.number("gamma_gamma", "params", "v"))
        return (bgnbd, gg, fit)
    }

    /// lifetimes' `customer_lifetime_value(freq='W')`: months of 4.345 weeks.
    static let lifetimesMonth = 4.345

    static func firstCustomers() throws -> [[String: Any]] {
        let customers = try #require(try LifetimesFixtures.cdnowFit()["first_customers"] as? [[String: Any]])
        #expect(customers.count == 20)
        return customers
    }

    /// CLV and expected spend for the first 20 CDNOW customers equal lifetimes' within 1e-9
    /// relative, for 12 months at 1 %/month and 3 months at 5 %/month. The tolerance covers the
    /// ≲1e-12 differences between our 2F1 and scipy's hyp2f1, and lifetimes' period ends
    /// computed as k·4.345 − 4.345 rather than (k−1)·4.345 (1 ulp).
    @Test(arguments: [(12, 0.01, "clv_time12_dr0.01_W"), (3, 0.05, "clv_time3_dr0.05_W")])
    func clvMatchesLifetimes(periods: Int, rate: Double, key: String) throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let scorer = Scorer(purchaseModel: bgnbd, spendModel: gg,
                            options: ScoringOptions(periods: periods, periodLength: Self.lifetimesMonth, discountRate: rate))
        for c in try Self.firstCustomers() {
            let id = "\(c["customer_id"]!)"
            let s = try scorer.score(id: id, frequency: c.number("frequency"), recency: c.number("recency"),
                                     T: c.number("T"), monetaryValue: c.number("monetary_value"))
            #expect(s.customerID == id)
            let spend = try #require(s.expectedSpend), clv = try #require(s.clv)
            #expect(isClose(spend, c.number("gg_expected_average_profit"), relative: 1e-9), "customer \(id): spend \(spend)")
            #expect(isClose(clv, c.number(key), relative: 1e-9), "customer \(id): CLV \(clv) vs lifetimes \(c.number(key))")
            // P(alive) and E[Y(39)] from the same fixture rows, same tolerance and reasons.
            #expect(isClose(s.probabilityAlive, c.number("p_alive"), relative: 1e-9), "customer \(id)")
            #expect(isClose(try bgnbd.expectedPurchases(within: 39, frequency: c.number("frequency"), recency: c.number("recency"), T: c.number("T")),
                            c.number("cet_39"), relative: 1e-9), "customer \(id)")
        }
    }

    /// A BG/BB model scores in opportunities: a horizon of H periods is the next H opportunities,
    /// and the CLV is checked against an independent form of the per-opportunity expectation
    /// (FHS 2010: a customer alive at n transacts at opportunity n+k with probability
    /// E[p | x, n] · P(alive at n+k | alive at n) = (α+x)/(α+β+n) · B(γ, δ+n+k)/B(γ, δ+n)),
    /// discounted by (1+d)^k; for (3, 5, 6) over 10 opportunities this is lifetimes 0.11.3's
    /// conditional_expected_number_of_purchases_up_to_time, 3.22463441. Tolerance 1e-12 relative:
    /// two summation orders of ≤ 10 terms.
    @Test func bgbbScoresOverOpportunities() throws {
        let (_, gg, _) = try Self.lifetimesModels()
        let bgbb = try BGBB(alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783)
        let options = try ScoringOptions(periods: 10, unit: .periods, modelUnit: .periods, discountRate: 0.1, margin: 0.3)
        let scorer = Scorer(purchaseModel: bgbb, spendModel: gg, options: options)
        for (x, tx, n) in [(0.0, 0.0, 6.0), (3, 5, 6), (6, 6, 6), (1, 1, 6)] {
            let s = try scorer.score(id: "c", frequency: x, recency: tx, T: n, monetaryValue: x > 0 ? 25 : 0)
            // The score's P(alive) is FHS 2010's, alive at the next opportunity n+1; the
            // expectation below starts from alive at n (m = 0).
            #expect(isClose(s.probabilityAlive, bgbb.probabilityAlive(after: 1, frequency: x, recency: tx, opportunities: n), relative: 1e-15))
            let alive = bgbb.probabilityAlive(after: 0, frequency: x, recency: tx, opportunities: n)
            var expected = 0.0, clv = 0.0
            let spend = try gg.expectedSpend(frequency: x, monetaryValue: x > 0 ? 25 : 0)
            for k in 1...10 {
                let kd = Double(k)
                let (g, d) = (bgbb.gamma, bgbb.delta + n)
                let logSurvival = Foundation.lgamma(d + kd) - Foundation.lgamma(d) + Foundation.lgamma(g + d) - Foundation.lgamma(g + d + kd)
                let perOpportunity = (bgbb.alpha + x) / (bgbb.alpha + bgbb.beta + n) * alive * Foundation.exp(logSurvival)
                expected += perOpportunity
                clv += perOpportunity * spend * 0.3 / Foundation.pow(1.1, kd)
            }
            #expect(isClose(s.expectedPurchases, expected, relative: 1e-12), "x = \(x), t_x = \(tx)")
            #expect(isClose(try #require(s.clv), clv, relative: 1e-12), "x = \(x), t_x = \(tx)")
            #expect(s.expectedPurchases > 0 && s.expectedPurchases < 10)
            if x == 3 { #expect(isClose(s.expectedPurchases, 3.22463441, relative: 1e-8)) }
        }
    }

    /// The fixture's first 20 customers include one-time buyers (x = 0), whose expected spend is
    /// the population mean pγ/(q−1) whatever monetary value the row carries.
    @Test func oneTimeBuyersGetThePopulationMeanSpend() throws {
        let (bgnbd, gg, fit) = try Self.lifetimesModels()
        let scorer = Scorer(purchaseModel: bgnbd, spendModel: gg, options: ScoringOptions(periods: 12, periodLength: 4.345, discountRate: 0.01))
        let zeros = try Self.firstCustomers().filter { $0.number("frequency") == 0 }
        #expect(zeros.count >= 5)
        let population = fit.number("gamma_gamma", "population_mean_spend")
        for c in zeros {
            // A nonsense monetary value for x = 0 must be ignored (exact: the same formula at m̄ = 0).
            let s = try scorer.score(id: "z", frequency: 0, recency: 0, T: c.number("T"), monetaryValue: 999)
            #expect(s.expectedSpend == (try gg.populationMeanSpend()))
            // lifetimes' population mean: 1e-12 relative (one division, identical parameters).
            #expect(isClose(try #require(s.expectedSpend), population, relative: 1e-12))
        }
    }

    /// P(alive) lies in [0, 1] for every customer of the CDNOW calibration summary, is 1 for
    /// one-time buyers (BG/NBD: no repeat purchase, no chance to drop out), and every prediction
    /// is finite and non-negative.
    @Test func probabilityAliveIsAProbability() throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let table = try LifetimesFixtures.cdnowCalibrationSummary()
        let scores = try Scorer(purchaseModel: bgnbd, spendModel: gg,
                                options: try ScoringOptions(periods: 12, unit: .month, modelUnit: .week, discountRate: 0.01)).score(table)
        #expect(scores.count == 2357)
        #expect(scores.map(\.customerID) == table.customerIDs, "scores keep the table's order")
        for (i, s) in scores.enumerated() {
            #expect(s.probabilityAlive >= 0 && s.probabilityAlive <= 1, "\(s)")
            if table.frequency[i] == 0 { #expect(s.probabilityAlive == 1) }
            #expect(s.expectedPurchases >= 0 && s.expectedPurchases.isFinite)
            #expect((s.clv ?? -1) >= 0 && (s.expectedSpend ?? -1) > 0)
        }
        // Not trivially all 1: repeat customers who have been silent a long time are likely gone.
        #expect(scores.contains { $0.probabilityAlive < 0.1 })
    }

    /// CLV is linear in the margin: margin 0.3 gives 0.3 × the CLV at margin 1 (1e-14 relative:
    /// one extra rounded multiplication) and leaves P(alive), purchases and spend unchanged.
    @Test func marginScalesCLV() throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let table = try LifetimesFixtures.cdnowCalibrationSummary()
        let base = ScoringOptions(periods: 12, periodLength: 4.345, discountRate: 0.01)
        var withMargin = base
        withMargin.margin = 0.3
        let full = try Scorer(purchaseModel: bgnbd, spendModel: gg, options: base).score(table)
        let partial = try Scorer(purchaseModel: bgnbd, spendModel: gg, options: withMargin).score(table)
        for (u, v) in zip(full, partial) {
            #expect(isClose(v.clv!, 0.3 * u.clv!, relative: 1e-14), "\(u.customerID)")
            #expect(u.probabilityAlive == v.probabilityAlive && u.expectedPurchases == v.expectedPurchases && u.expectedSpend == v.expectedSpend)
        }
    }

    /// A higher discount rate gives a strictly lower CLV (every customer has a positive CLV),
    /// and rate 0 gives the undiscounted E[Y(HΔ)]·E[M] (1e-12 relative: the telescoping sum of
    /// 12 differences reproduces the last cumulative value up to a few roundings).
    @Test func higherDiscountRateLowersCLV() throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let table = try LifetimesFixtures.cdnowCalibrationSummary()
        func clvs(_ rate: Double) throws -> [CustomerScore] {
            try Scorer(purchaseModel: bgnbd, spendModel: gg, options: ScoringOptions(periods: 12, periodLength: 4.345, discountRate: rate)).score(table)
        }
        let none = try clvs(0), low = try clvs(0.01), high = try clvs(0.05)
        for i in 0..<table.count {
            #expect(none[i].clv! > low[i].clv!, "\(table.customerIDs[i])")
            #expect(low[i].clv! > high[i].clv!, "\(table.customerIDs[i])")
            #expect(isClose(none[i].clv!, none[i].expectedPurchases * none[i].expectedSpend!, relative: 1e-12))
        }
    }

    /// `expected_purchases` is E[Y(H·Δ)] for the whole horizon: 12 months of 30.436875 days in a
    /// weekly model is t = 12 × 30.436875 / 7 weeks (1e-13 relative: the scorer computes the
    /// same product, k·Δ at k = H; the tolerance only allows for a different association).
    @Test func expectedPurchasesCoverTheWholeHorizon() throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let options = try ScoringOptions(periods: 12, unit: .month, modelUnit: .week, discountRate: 0.01)
        // 1e-15 relative: 365.2425/12/7 in two roundings either way.
        #expect(isClose(options.periodLength, 365.2425 / 12 / 7, relative: 1e-15))
        let scorer = Scorer(purchaseModel: bgnbd, spendModel: gg, options: options)
        for c in try Self.firstCustomers() {
            let (x, tx, T) = (c.number("frequency"), c.number("recency"), c.number("T"))
            let s = try scorer.score(id: "c", frequency: x, recency: tx, T: T, monetaryValue: c.number("monetary_value"))
            let direct = try bgnbd.expectedPurchases(within: 12 * 365.2425 / 12 / 7, frequency: x, recency: tx, T: T)
            #expect(isClose(s.expectedPurchases, direct, relative: 1e-13), "\(s.expectedPurchases) vs \(direct)")
            #expect(s.expectedPurchases > 0)
        }
        // Day and week horizons of the same length agree (28 days = 4 weeks), 1e-13 relative.
        let days = Scorer(purchaseModel: bgnbd, spendModel: gg, options: try ScoringOptions(periods: 28, unit: .day, modelUnit: .week, discountRate: 0))
        let weeks = Scorer(purchaseModel: bgnbd, spendModel: gg, options: try ScoringOptions(periods: 4, unit: .week, modelUnit: .week, discountRate: 0))
        let d = try days.score(id: "1", frequency: 2, recency: 30.43, T: 38.86, monetaryValue: 22.3)
        let w = try weeks.score(id: "1", frequency: 2, recency: 30.43, T: 38.86, monetaryValue: 22.3)
        #expect(isClose(d.expectedPurchases, w.expectedPurchases, relative: 1e-13))
        #expect(isClose(d.clv!, w.clv!, relative: 1e-12))   // undiscounted: the same total
    }

    /// The default discount rate is 1 % a month, converted: (1 + d_unit)^(month/unit) = 1.01
    /// (1e-13 relative: a pow and its inverse). Purchase opportunities have no calendar length,
    /// so they get no default rate.
    @Test(arguments: HorizonUnit.allCases)
    func defaultDiscountRateIsOnePercentAMonth(unit: HorizonUnit) throws {
        guard let days = unit.days else {
            #expect(ScoringOptions.defaultDiscountRate(per: unit) == nil)
            return
        }
        let d = try #require(ScoringOptions.defaultDiscountRate(per: unit))
        #expect(isClose(pow(1 + d, HorizonUnit.daysPerMonth / days), 1.01, relative: 1e-13), "\(unit): \(d)")
        switch unit {
        case .month: #expect(isClose(d, 0.01, relative: 1e-13))
        case .week: #expect(d > 0.0022 && d < 0.0023)     // ≈ 0.2289 % a week
        case .day: #expect(d > 0.000326 && d < 0.000328)  // ≈ 0.0327 % a day
        case .periods: Issue.record("periods have no calendar length")
        }
    }

    /// A horizon in periods goes with a model in periods only, one opportunity per period; the
    /// mixes are errors naming --horizon-unit.
    @Test func periodsHorizonNeedsAModelInPeriods() throws {
        #expect(try ScoringOptions(periods: 5, unit: .periods, modelUnit: .periods, discountRate: 0.1).periodLength == 1)
        for (unit, model) in [(HorizonUnit.periods, TimeUnit.week), (.month, .periods), (.day, .periods)] {
            do {
                _ = try ScoringOptions(periods: 5, unit: unit, modelUnit: model, discountRate: 0.1)
                Issue.record("\(unit) with a model in \(model) was accepted")
            } catch {
                #expect(error.description.hasPrefix("--horizon-unit "), "\(error)")
            }
        }
    }

    /// Invalid options are rejected before any customer is scored, naming the option.
    @Test(arguments: [
        (ScoringOptions(periods: 0, periodLength: 4.345, discountRate: 0.01), "--horizon"),
        (ScoringOptions(periods: -3, periodLength: 4.345, discountRate: 0.01), "--horizon"),
        (ScoringOptions(periods: 12, periodLength: 4.345, discountRate: -1), "--discount-rate"),
        (ScoringOptions(periods: 12, periodLength: 4.345, discountRate: .nan), "--discount-rate"),
        (ScoringOptions(periods: 12, periodLength: 4.345, discountRate: 0.01, margin: .nan), "--margin"),
        (ScoringOptions(periods: 12, periodLength: 4.345, discountRate: 0.01, margin: .infinity), "--margin"),
        (ScoringOptions(periods: 12, periodLength: 0, discountRate: 0.01), "--horizon-unit"),
    ])
    func invalidOptionsThrow(options: ScoringOptions, option: String) throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let table = try LifetimesFixtures.cdnowCalibrationSummary()
        let scorer = Scorer(purchaseModel: bgnbd, spendModel: gg, options: options)
        do {
            _ = try scorer.score(table)
            Issue.record("options \(options) were accepted")
        } catch {
            guard case .invalidOption = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.hasPrefix(option + " "), "\(error)")
        }
        #expect(throws: ScoringError.self) { try options.validate() }
    }

    /// The valid edge: one period, rate just above −1 is allowed (a growth rate), margin 0 gives CLV 0.
    @Test func validEdgeOptions() throws {
        try ScoringOptions(periods: 1, periodLength: 1, discountRate: -0.5, margin: 0).validate()
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let s = try Scorer(purchaseModel: bgnbd, spendModel: gg, options: ScoringOptions(periods: 1, periodLength: 1, discountRate: 0, margin: 0))
            .score(id: "1", frequency: 2, recency: 30.43, T: 38.86, monetaryValue: 22.3)
        #expect(s.clv == 0)
    }

    /// Without a spend model, expected spend and CLV are nil and their CSV fields empty, while
    /// P(alive) and expected purchases are the same as with one (exact: same code path).
    @Test func noSpendModel() throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        var table = try LifetimesFixtures.cdnowCalibrationSummary()
        let options = ScoringOptions(periods: 12, periodLength: 4.345, discountRate: 0.01)
        let with = try Scorer(purchaseModel: bgnbd, spendModel: gg, options: options).score(table)
        table.monetaryValue = nil
        let without = try Scorer(purchaseModel: bgnbd, spendModel: nil, options: options).score(table)
        for (u, v) in zip(with, without) {
            #expect(v.expectedSpend == nil && v.clv == nil)
            #expect(u.probabilityAlive == v.probabilityAlive && u.expectedPurchases == v.expectedPurchases)
        }
        let lines = String(decoding: Scorer.csv(without), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "customer_id,p_alive,expected_purchases,expected_spend,clv")
        #expect(lines.count == 2357 + 2, "header, one line per customer, and the final newline")
        #expect(lines.last == "")
        for line in lines.dropFirst().dropLast() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields.count == 5 && fields[3].isEmpty && fields[4].isEmpty && !fields[1].isEmpty && !fields[2].isEmpty, "\(line)")
        }
    }

    /// The CSV: header, one line per customer in order, ids quoted RFC 4180-style when they hold
    /// a comma or a quote, numbers that read back as the same Double.
    @Test func csvHeaderAndQuoting() throws {
        let scores = [
            CustomerScore(customerID: "Smith, J.", probabilityAlive: 0.5, expectedPurchases: 1.25, expectedSpend: 20, clv: 25.5),
            CustomerScore(customerID: "say \"hi\"", probabilityAlive: 1, expectedPurchases: 0.1, expectedSpend: nil, clv: nil),
            CustomerScore(customerID: "plain-42", probabilityAlive: 0.7266203111499054, expectedPurchases: 2, expectedSpend: 24.653918696194232, clv: 36.273978053657544),
        ]
        let text = String(decoding: Scorer.csv(scores), as: UTF8.self)
        #expect(text == #"""
            customer_id,p_alive,expected_purchases,expected_spend,clv
            "Smith, J.",0.5,1.25,20,25.5
            "say ""hi""",1,0.1,,
            plain-42,0.7266203111499054,2,24.653918696194232,36.273978053657544

            """#)
        // The full-precision numbers read back exactly.
        let last = text.split(separator: "\n")[3].split(separator: ",")
        #expect(Double(String(last[1])) == 0.7266203111499054)
        #expect(Double(String(last[4])) == 36.273978053657544)
    }

    /// A prediction failure names the customer (q ≤ 1: the population mean spend is infinite).
    @Test func predictionFailureNamesTheCustomer() throws {
        let (bgnbd, _, _) = try Self.lifetimesModels()
        let heavyTailed = try GammaGamma(p: 6, q: 0.9, gamma: 15)
        let scorer = Scorer(purchaseModel: bgnbd, spendModel: heavyTailed, options: ScoringOptions(periods: 12, periodLength: 4.345, discountRate: 0.01))
        do {
            _ = try scorer.score(id: "cust-7", frequency: 2, recency: 30, T: 38, monetaryValue: 20)
            Issue.record("an infinite expected spend was accepted")
        } catch {
            #expect(error.description.contains("cust-7"), "\(error)")
            #expect(error.description.contains("q"), "\(error)")
        }
    }

    /// A table of several chunks is scored on all cores: the scores are those of scoring each
    /// row alone, in the table's order, bit for bit.
    @Test func largeTableScoresAsRowByRow() throws {
        let (bgnbd, gg, _) = try Self.lifetimesModels()
        let scorer = Scorer(purchaseModel: bgnbd, spendModel: gg, options: ScoringOptions(periods: 3, periodLength: Self.lifetimesMonth, discountRate: 0.01))
        var rng = DataTestRNG(seed: 911)
        let n = 2 * ChunkedSum.chunkSize + 123
        var x: [Double] = [], t: [Double] = [], big: [Double] = [], m: [Double] = []
        for _ in 0..<n {
            let T = Double(Int.random(in: 1...78, using: &rng))
            let f = Double(Int.random(in: 0...12, using: &rng))
            x.append(f); big.append(T)
            t.append(f == 0 ? 0 : Double(Int.random(in: 0...Int(T), using: &rng)))
            m.append(f == 0 ? 0 : Double(Int.random(in: 100...20_000, using: &rng)) / 100)
        }
        let table = CustomerSummaryTable(unit: .week, customerIDs: (0..<n).map { "c\($0)" }, frequency: x, recency: t, T: big,
                                         monetaryValue: m, holdout: nil)
        let scores = try scorer.score(table)
        #expect(scores.count == n)
        for i in stride(from: 0, to: n, by: 97) {
            #expect(scores[i] == (try scorer.score(id: "c\(i)", frequency: x[i], recency: t[i], T: big[i], monetaryValue: m[i])), "row \(i)")
        }
    }

    /// The discounted horizon sum, term by term as its definition says: the reference for the
    /// shortcuts (telescoping without a discount, the tail bound with one).
    static func naiveHorizon(_ model: any PurchaseModel, _ o: ScoringOptions, x: Double, tx: Double, T: Double) throws -> (Double, Double) {
        var previous = 0.0, discounted = 0.0
        for k in 1...o.periods {
            let c = try model.expectedPurchases(within: Double(k) * o.periodLength, frequency: x, recency: tx, T: T)
            discounted += (c - previous) / pow(1 + o.discountRate, Double(k))
            previous = c
        }
        return (previous, discounted)
    }

    /// Long horizons: the shortcuts give the term-by-term sum to 1e-12 relative, for every
    /// purchase model, with and without discounting, for a negative rate too (no shortcut).
    @Test func longHorizonsMatchTheTermByTermSum() throws {
        let (bgnbd, _, _) = try Self.lifetimesModels()
        let models: [any PurchaseModel] = [bgnbd, try ParetoNBD(parameterValues: [0.5533, 10.5777, 0.6062, 11.6687]),
                                           try MBGNBD(parameterValues: [0.5248, 6.1831, 0.8914, 1.6140])]
        for model in models {
            for (periods, rate) in [(600, 0.01), (600, 0.0), (2000, 0.05), (50, -0.01), (1, 0.01)] {
                let o = ScoringOptions(periods: periods, periodLength: 4.348125, discountRate: rate)
                for (x, tx, T) in [(2.0, 30.43, 38.86), (0.0, 0.0, 38.86), (10.0, 38.0, 39.0)] {
                    let fast = try Scorer.horizonPurchases(model, options: o, frequency: x, recency: tx, T: T)
                    let (cumulative, discounted) = try Self.naiveHorizon(model, o, x: x, tx: tx, T: T)
                    #expect(isClose(fast.cumulative, cumulative, relative: 1e-12), "\(type(of: model)) \(periods) \(rate)")
                    #expect(isClose(fast.discounted, discounted, relative: 1e-12), "\(type(of: model)) \(periods) \(rate): \(fast.discounted) vs \(discounted)")
                }
            }
        }
    }

    /// Horizons beyond 100 years or 100,000 periods are refused, naming --horizon.
    @Test func absurdHorizonsAreRefused() throws {
        #expect(throws: ScoringError.self) { try ScoringOptions(periods: 1201, unit: .month, modelUnit: .week, discountRate: 0.01) }
        #expect((try? ScoringOptions(periods: 1200, unit: .month, modelUnit: .week, discountRate: 0.01)) != nil)
        #expect(throws: ScoringError.self) { try ScoringOptions(periods: 100_001, periodLength: 1, discountRate: 0.01).validate() }
        do {
            _ = try ScoringOptions(periods: 1_000_000, unit: .week, modelUnit: .week, discountRate: 0.01)
            Issue.record("a million weeks was accepted")
        } catch {
            #expect(error.description.hasPrefix("--horizon 1000000 weeks is more than 100 years"), "\(error)")
        }
    }
}
