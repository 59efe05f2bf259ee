/// How far a read has come, reported about once per chunk read (see
/// ``RFMSummarizer/read(path:options:progress:)``).
public struct ReadProgress: Sendable, Equatable {
    /// Data rows read so far (good and bad).
    public var rows: Int
    /// Bytes read so far.
    public var bytes: Int
    /// The input's size, when it is a regular file.
    public var totalBytes: Int?
}
