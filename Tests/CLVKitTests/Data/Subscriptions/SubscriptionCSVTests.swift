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
    }

    @Test(arguments: [
        ("", "subs.csv: the subscriber summary is empty (expected a header line with the columns customer_id, periods, active)"),
        ("customer_id,periods\na,1\n", "subs.csv:1: field 'active': the header has no column 'active'"),
        ("customer_id,periods,active,plan\na,1,1,x\n", "subs.csv:1: field 'plan': is not a column clvfit reads here: a subscriber summary has the columns customer_id, periods, active and optionally payment; remove it or rename it"),
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
}
