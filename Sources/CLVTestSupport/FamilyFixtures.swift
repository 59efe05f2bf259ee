import Foundation

extension LifetimesFixtures {
    /// `mbgnbd_cdnow.json` (scripts/lifetimes_fixtures_family.py): lifetimes' MBG/NBD fit on the
    /// CDNOW calibration summary, a Newton-polished optimum with standard errors, and
    /// predictions at the published parameters.
    public static func mbgnbdCDNOW() throws -> [String: Any] {
        try Fixtures.json("lifetimes/mbgnbd_cdnow.json") as! [String: Any]
    }

    /// `bgbb_donations.json` (scripts/lifetimes_fixtures_family.py): lifetimes' BG/BB fit on the
    /// donations data, a Newton-polished optimum with standard errors, and per-pattern
    /// predictions at lifetimes' parameters.
    public static func bgbbDonations() throws -> [String: Any] {
        try Fixtures.json("lifetimes/bgbb_donations.json") as! [String: Any]
    }
}
