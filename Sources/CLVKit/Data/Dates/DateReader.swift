/// Turns date fields into purchase days: parses them (ISO 8601 forms, or a ``DateFormat``) and
/// puts a timestamp with a UTC offset on its day in the ``LocalZone``. One per log.
final class DateReader {
    let format: DateFormat?
    let zone: LocalZone
    private let days: ZoneDays

    init(format: DateFormat?, zone: LocalZone) {
        self.format = format
        self.zone = zone
        days = ZoneDays(zone)
    }

    /// The purchase day of a date field, or `nil` if it is not a valid date.
    @inline(__always)
    func day(_ field: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        let parsed = format == nil ? Timestamp.parse(field) : format!.parse(field)
        guard let parsed else { return nil }
        guard let seconds = parsed.secondsSinceEpoch else { return parsed.date }   // local already
        return days.day(secondsSinceEpoch: seconds)
    }

    /// A sentence saying why `field` is not a valid date (the slow path).
    func explainInvalid(_ field: UnsafeBufferPointer<UInt8>) -> String {
        let text = DataText.string(field)
        guard let format else { return CalendarDate.explainInvalid(text) + DateFormat.advice(for: text) }
        if DataText.trimmed(text).isEmpty { return "the date is empty" }
        return "\(DataText.quoted(text)) does not match the date format \"\(format.pattern)\" or is not a valid date"
            + DateFormat.advice(for: text, instead: format.pattern)
    }
}
