/// How far a read has come, reported about once per chunk read (see
/// ``RFMSummarizer/read(path:options:progress:)``).
public struct ReadProgress: Sendable, Equatable {
    /// Data rows read so far (good and bad).
    public var rows: Int
    /// Bytes read so far.
    public var bytes: Int
    /// The input's size, when it is a regular file.
    public var totalBytes: Int?
    /// 1 for the first read of the input; 2 when it is read a second time (to count the
    /// purchase days of customers whose rows were out of date order), from the start again.
    public var pass: Int

    public init(rows: Int, bytes: Int, totalBytes: Int?, pass: Int = 1) {
        self.rows = rows
        self.bytes = bytes
        self.totalBytes = totalBytes
        self.pass = pass
    }
}
