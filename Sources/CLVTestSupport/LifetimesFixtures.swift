import Foundation
import CLVKit

/// The reference numbers `scripts/lifetimes_fixtures.py` computed with lifetimes 0.11.3.
public enum LifetimesFixtures {
    /// The CDNOW-sample calibration summary (weeks, calibration end 1997-09-30) as lifetimes
    /// computes it: every column, holdout included.
    public static func cdnowCalibrationSummary() throws -> CustomerSummaryTable {
        let root = try Fixtures.json("lifetimes/cdnow_sample_summary_weeks.json") as! [String: Any]
        let rows = root["rows"] as! [[String: Any]]
        func column(_ name: String) -> [Double] { rows.map { ($0[name] as! NSNumber).doubleValue } }
        return CustomerSummaryTable(
            unit: .week,
            customerIDs: rows.map { "\($0["customer_id"]!)" },
            frequency: column("frequency_cal"), recency: column("recency_cal"), T: column("T_cal"),
            monetaryValue: column("monetary_value_cal"),
            holdout: HoldoutColumns(frequency: column("frequency_holdout"),
                                    monetaryValue: column("monetary_value_holdout"),
                                    duration: column("duration_holdout").first ?? 0))
    }

    /// `cdnow_bgnbd_gg.json`: fitted parameters, standard errors, LL and per-customer predictions.
    public static func cdnowFit() throws -> [String: Any] {
        try Fixtures.json("lifetimes/cdnow_bgnbd_gg.json") as! [String: Any]
    }
}

extension Dictionary where Key == String, Value == Any {
    /// `self[a][b]...` as a Double, for reading nested JSON fixtures.
    public func number(_ path: String...) -> Double {
        var node: Any = self
        for key in path { node = (node as! [String: Any])[key]! }
        return (node as! NSNumber).doubleValue
    }
}
