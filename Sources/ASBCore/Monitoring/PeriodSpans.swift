/// Reporting periods cut at every boundary of any of them into disjoint spans, so that each
/// period is a run of consecutive spans: a financial year and its quarters become four spans,
/// the year being all four. Figures that add up (counts) are then counted once per span and
/// summed per period, instead of being counted again for every period that overlaps another.
public struct PeriodSpans: Sendable, Equatable {
    /// The boundaries, sorted and unique: span `i` is `bounds[i] ..< bounds[i + 1]`.
    public let bounds: [LocalDate]
    /// For each period, in the order given, the spans it is made of.
    public let runs: [Range<Int>]

    public init(_ periods: [ReportingPeriod]) {
        let bounds = Array(Set(periods.flatMap { [$0.start, $0.end] })).sorted()
        self.bounds = bounds
        runs = periods.map { period in
            // Both ends are boundaries, so both are found.
            let first = bounds.firstIndex(of: period.start) ?? 0
            let last = bounds.firstIndex(of: period.end) ?? first
            return first..<last
        }
    }

    public var count: Int { max(0, bounds.count - 1) }

    /// The span holding `day`, or nil before the first boundary or from the last one on.
    public func span(of day: LocalDate) -> Int? {
        guard let first = bounds.first, let last = bounds.last, day >= first, day < last else { return nil }
        // The last boundary not after `day` starts its span.
        var low = 0, high = bounds.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if bounds[middle] <= day { low = middle } else { high = middle }
        }
        return low
    }

    /// Each period's total of values counted per span (`perSpan[i]` for span `i`).
    public func totals<Value>(_ perSpan: [Value], zero: Value, _ add: (Value, Value) -> Value) -> [Value] {
        runs.map { run in run.reduce(zero) { add($0, perSpan.indices.contains($1) ? perSpan[$1] : zero) } }
    }
}
