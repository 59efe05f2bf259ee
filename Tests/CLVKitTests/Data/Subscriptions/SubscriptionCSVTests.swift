import Foundation
import Testing
@testable import CLVKit

/// The cohort table and the subscriber summary: what they read, and every bad input refused
/// with the file, line and column, word for word.
@Suite struct SubscriptionCSVTests {
    static func cohortError(_ text: String) -> String {
        do { _ = try CohortTable.read(bytes: Array(text.utf8), name: "cohort.csv"); return "no error" } catch { return error.description }
    }

    static func summaryError(_ text: String) -> String {
        do { _ = try SubscriberSummary.read(bytes: Array(text.utf8), name: "subs.csv"); return "no error" } catch { return error.description }
    }

    @Test func readsACohortTable() throws {
        let table = try CohortTable.read(bytes: Array("period,customers\n0,1000\n1,631\n2,468\n".utf8), name: "cohort.csv")
        #expect(table.survivors == [1000, 631, 468])
        #expect(table.history == SubscriberHistory(periods: [1, 2, 3], active: [false, false, true], weight: [369, 163, 468]))
        #expect(table.prefix(periods: 1).survivors == [1000, 631])
        // Columns in another order.
        #expect(try CohortTable.read(bytes: Array("customers,period\n10,0\n9,1\n".utf8), name: "c.csv").survivors == [10, 9])
    }

    @Test(arguments: [
        ("", "cohort.csv: the cohort table is empty (expected a header line with the columns period, customers)"),
        ("period,count\n0,10\n", "cohort.csv:1: field 'customers': the header has no column 'customers'; its columns are: 'period', 'count'"),
        ("period,customers,segment\n0,10,a\n", "cohort.csv:1: field 'segment': is not a column clvfit reads here: a cohort table has the columns period and customers; remove it or rename it"),
        ("period,customers\n0,10\n2,9\n", "cohort.csv:3: field 'period': is 2, but the periods must be 0, 1, 2, … in order, one row each; expected 1"),
        ("period,customers\n1,10\n2,9\n", "cohort.csv:2: field 'period': is 1, but the periods must be 0, 1, 2, … in order, one row each; expected 0"),
        ("period,customers\n0,10\n1,9.5\n", "cohort.csv:3: field 'customers': must be a whole number ≥ 0 (customers still subscribed), not 9.5"),
        ("period,customers\n0,10\n1,-1\n", "cohort.csv:3: field 'customers': must be a whole number ≥ 0 (customers still subscribed), not -1"),
        ("period,customers\n0,10\n1,11\n", "cohort.csv:3: field 'customers': 11 is more than the 10 of period 0: a cohort only loses customers (new customers belong to a new cohort)"),
        ("period,customers\n0,0\n1,0\n", "cohort.csv:2: field 'customers': period 0 is the cohort's size and must be at least 1, not 0"),
        ("period,customers\n0,ten\n", "cohort.csv:2: field 'customers': "),
        ("period,customers\n0,10\n", "cohort.csv: the cohort table has 1 period; a fit needs period 0 (the cohort's size) and at least period 1"),
    ])
    func badCohortTables(text: String, message: String) {
        let error = Self.cohortError(text)
        #expect(error.hasPrefix(message), "\(error)")
    }

    @Test func readsASubscriberSummary() throws {
        let summary = try SubscriberSummary.read(bytes: Array("customer_id,periods,active,payment\na,3,1,9.99\nb,1,0,9.99\n".utf8), name: "subs.csv")
        #expect(summary.ids == ["a", "b"])
        #expect(summary.history == SubscriberHistory(periods: [3, 1], active: [true, false]))
        #expect(summary.payment == [9.99, 9.99])
        #expect(try SubscriberSummary.read(bytes: Array("active,periods,customer_id\n0,2,x\n".utf8), name: "s.csv").payment == nil)
        #expect(try SubscriberSummary.read(bytes: Array("customer_id,periods,active,amount\nx,2,1,4.5\n".utf8), name: "s.csv").payment == [4.5])
    }

    @Test(arguments: [
        ("", "subs.csv: the subscriber summary is empty (expected a header line with the columns customer_id, periods, active)"),
        ("customer_id,periods\na,1\n", "subs.csv:1: field 'active': the header has no column 'active'"),
        ("customer_id,periods,active,plan\na,1,1,x\n", "subs.csv:1: field 'plan': is not a column clvfit reads here: a subscriber summary has the columns customer_id, periods, active and optionally payment (or amount); remove it or rename it"),
        ("customer_id,periods,active,payment,amount\na,1,1,2,2\n", "subs.csv:1: field 'amount': the summary has both a payment and an amount column; keep one (the payment per period)"),
        ("customer_id,periods,active\n", "subs.csv: the subscriber summary has a header but no subscribers"),
        ("customer_id,periods,active\n,1,1\n", "subs.csv:2: field 'customer_id': the customer id is empty"),
        ("customer_id,periods,active\na,1,1\na,2,0\n", "subs.csv:3: field 'customer_id': customer 'a' appears twice (lines 2 and 3); a subscriber summary has one row per subscriber"),
        ("customer_id,periods,active\na,0,1\n", "subs.csv:2: field 'periods': must be a whole number ≥ 1 (periods paid for, the first included), not 0"),
        ("customer_id,periods,active\na,2.5,1\n", "subs.csv:2: field 'periods': must be a whole number ≥ 1 (periods paid for, the first included), not 2.5"),
        ("customer_id,periods,active\na,2,yes\n", "subs.csv:2: field 'active': "),
        ("customer_id,periods,active\na,2,2\n", "subs.csv:2: field 'active': must be 1 (still subscribed) or 0 (cancelled), not 2"),
        ("customer_id,periods,active,payment\na,2,1,-3\n", "subs.csv:2: field 'payment': must be an amount ≥ 0, not -3"),
        ("customer_id,periods,active\na,2\n", "subs.csv:2"),
    ])
    func badSubscriberSummaries(text: String, message: String) {
        let error = Self.summaryError(text)
        #expect(error.hasPrefix(message), "\(error)")
    }

    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// A period is paid for when it begins (issue 13's example: monthly from 15 January,
    /// cancelled on 20 March, 3 periods); months keep the day or move to the month's last.
    @Test func periodsPaid() {
        let d = Self.date
        #expect(BillingPeriod.month.periodsPaid(from: d("2024-01-15"), cancelledOn: d("2024-03-20"), through: d("2024-12-31")) == 3)
        #expect(BillingPeriod.month.periodsPaid(from: d("2024-01-15"), cancelledOn: d("2024-03-15"), through: d("2024-12-31")) == 2)
        #expect(BillingPeriod.month.periodsPaid(from: d("2024-01-15"), cancelledOn: nil, through: d("2024-03-15")) == 3)
        #expect(BillingPeriod.month.periodsPaid(from: d("2024-01-31"), cancelledOn: nil, through: d("2024-04-30")) == 4)
        #expect(BillingPeriod.month.start(1, after: d("2024-01-31")) == d("2024-02-29"))
        #expect(BillingPeriod.month.start(2, after: d("2024-01-31")) == d("2024-03-31"))
        #expect(BillingPeriod.year.start(1, after: d("2024-02-29")) == d("2025-02-28"))
        #expect(BillingPeriod.year.periodsPaid(from: d("2020-06-01"), cancelledOn: nil, through: d("2024-06-01")) == 5)
        #expect(BillingPeriod.week.periodsPaid(from: d("2024-01-01"), cancelledOn: d("2024-01-15"), through: d("2024-12-31")) == 2)
        #expect(BillingPeriod.day.periodsPaid(from: d("2024-01-01"), cancelledOn: d("2024-01-01"), through: d("2024-12-31")) == 1)
        // Against counting one period at a time, over many starts and ends.
        for period in BillingPeriod.allCases {
            for s in stride(from: 0, to: 400, by: 37) {
                let start = CalendarDate(daysSinceEpoch: 19_700 + Int32(s))
                for length in stride(from: 0, to: 1500, by: 53) {
                    let end = CalendarDate(daysSinceEpoch: start.daysSinceEpoch + Int32(length))
                    var k = 1
                    while period.start(k, after: start) < end { k += 1 }
                    #expect(period.periodsPaid(from: start, cancelledOn: end, through: end) == k, "\(period) \(start) \(end)")
                }
            }
        }
    }

    static func logOutcome(_ text: String, period: BillingPeriod = .month, observationEnd: String? = nil,
                           skip: Bool = false) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clvfit-sublog-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var options = SubscriptionLogOptions(period: period, observationEnd: observationEnd.map(date))
        if skip { options.badRows = .skip(maxFraction: 0.5) }
        do {
            let o = try SubscriptionLog.read(path: url.path, options: options)
            return String(decoding: SubscriberSummary.csv(o.summary), as: UTF8.self) + "rejected \(o.rejected.map(\.line)) later \(o.startingLater) end \(o.observationEnd)"
        } catch {
            return error.description.replacingOccurrences(of: url.path, with: "log.csv")
        }
    }

    @Test func summarizesASubscriptionLog() throws {
        let log = "customer_id,start,end\na,2024-01-15,2024-03-20\nb,2024-01-31,\nc,2024-03-01,2024-03-01\nd,2024-02-10,2024-05-10\ne,2024-06-01,\n"
        #expect(try Self.logOutcome(log, observationEnd: "2024-04-30") == "customer_id,periods,active\na,3,0\nb,4,1\nc,1,0\nd,3,1\nrejected [] later 1 end 2024-04-30")
        // Without an observation end: the log's last date (10 May).
        #expect(try Self.logOutcome(log).contains("d,3,0\ne,1,1\nrejected [] later 0 end 2024-06-01"))
        let summary = try SubscriberSummary.read(bytes: Array("customer_id,periods,active\na,3,0\n".utf8), name: "s.csv")
        #expect(String(decoding: SubscriberSummary.csv(summary), as: UTF8.self) == "customer_id,periods,active\na,3,0\n")
    }

    @Test(arguments: [
        ("customer_id,start,end\n,2024-01-01,\n", "log.csv:2: field 'customer_id': the customer id is empty (--on-bad-row skip leaves such rows out)"),
        ("customer_id,start,end\na,2024-13-01,\n", "log.csv:2: field 'start': "),
        ("customer_id,start,end\na,2024-01-01,soon\n", "log.csv:2: field 'end': "),
        ("customer_id,start,end\na,2024-02-01,2024-01-01\n", "log.csv:2: field 'end': the subscription ends on 2024-01-01, before it starts on 2024-02-01"),
        ("customer_id,start,end\na,2024-01-01,\na,2024-05-01,\n", "log.csv:3: field 'customer_id': customer 'a' has a second subscription (first on line 2); give each subscription its own id (a returning customer starts a new one)"),
        ("customer_id,start,end,plan\na,2024-01-01,,x\n", "log.csv:1: field 'plan': is not a column clvfit reads here: a subscription log has the columns customer_id, start and end; remove it or rename it"),
        ("customer_id,start\na,2024-01-01\n", "log.csv:1: field 'end': the header has no column 'end'"),
        ("customer_id,start,end\na,2024-01-01\n", "log.csv:2"),
        ("", "log.csv: the subscription log is empty"),
        ("customer_id,start,end\n", "log.csv: the subscription log has no subscriptions"),
    ])
    func badSubscriptionLogs(text: String, message: String) throws {
        let outcome = try Self.logOutcome(text)
        #expect(outcome.hasPrefix(message), "\(outcome)")
    }

    /// --on-bad-row skip leaves bad rows out and lists them; too many still fail.
    @Test func skippingBadRows() throws {
        let log = "customer_id,start,end\na,2024-01-15,2024-03-20\nb,2024-02-01,2024-01-01\nc,2024-01-01,\nd,x,\n"
        #expect(try Self.logOutcome(log, skip: true).hasSuffix("rejected [3, 5] later 0 end 2024-03-20"))
        let worse = "customer_id,start,end\na,2024-01-15,\nb,x,\nc,y,\n"
        #expect(try Self.logOutcome(worse, skip: true).hasPrefix("log.csv: 2 of 3 rows (66.67 %) are bad, more than the 0.5 allowed by --max-bad-fraction"))
    }
}
