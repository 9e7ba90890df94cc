// Benchmarks of the deadline computation in ASBCore (`ServiceClock`, `WorkingCalendar`).
//
// Every benchmark uses `scalingFactor: .kilo`: one benchmark iteration does 1,000 operations,
// so the reported throughput, wall clock and malloc counts are per operation (per deadline,
// per `deadlines(...)` call, per `isWorkingDay` call). The inputs are precomputed once,
// outside the measured loop, from a fixed-seed PRNG, so every run measures the same work.
//
// Run from /work/main/Benchmarks:
//     swift package --allow-writing-to-package-directory benchmark

import ASBCore
import Benchmark
import Foundation

// MARK: Inputs

/// SplitMix64: small, fast, and the same sequence on every platform for a given seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How many receipt instants each benchmark cycles through.
let receiptCount = 10_000
/// Operations per benchmark iteration; must match `scalingFactor` below (`.kilo`).
let operationsPerIteration = BenchmarkScalingFactor.kilo.rawValue

/// `receiptCount` instants, uniform over 2020-01-01T00:00Z ..< 2031-01-01T00:00Z (the years
/// 2020–2030), whole seconds, from a fixed seed. Weekends, bank holidays, nights and both
/// sides of every clock change are all hit.
func makeReceipts(seed: UInt64 = 0x00A5_B0CA_5E00_2026) -> [Date] {
    var generator = SplitMix64(seed: seed)
    let start: Int64 = 1_577_836_800  // 2020-01-01T00:00:00Z
    let end: Int64 = 1_924_992_000  // 2031-01-01T00:00:00Z
    return (0..<receiptCount).map { _ in
        Date(timeIntervalSince1970: TimeInterval(Int64.random(in: start..<end, using: &generator)))
    }
}

/// Hands out `operationsPerIteration` consecutive indices into the receipts per benchmark
/// iteration, wrapping round, so the benchmark walks all of them in turn.
final class Cursor {
    private var next = 0
    func take() -> Range<Int> {
        let range = next..<(next + operationsPerIteration)
        next = range.upperBound == receiptCount ? 0 : range.upperBound
        return range
    }
}

// MARK: Benchmarks

let benchmarks: @Sendable () -> Void = {
    precondition(receiptCount % operationsPerIteration == 0)

    let calendar = WorkingCalendar.englandAndWales
    let receipts = makeReceipts()
    // Day numbers (days since 1970, UK local) and dates of the receipts, for `isWorkingDay`.
    let localDates = receipts.map { calendar.localDate(for: $0) }
    let dayNumbers = localDates.map(\.daysSince1970)

    // Sanity check outside the measured loop: also touches every lazily built table
    // (bank-holiday bits, London clock changes) before any measurement.
    for receipt in receipts {
        for rule in [DeadlineRule.workingHours(24), .workingDays(10)] {
            let due = ServiceClock.dueAt(receivedAt: receipt, rule: rule, calendar: calendar)
            precondition(due > receipt, "\(rule) from \(receipt) gave \(due)")
        }
    }

    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        // Throughput as a plain count per second (not rounded to K or M) for the README.
        units: [.throughput: .count],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    // 0. Control: the same loop doing nothing but `blackHole`, to show the harness's own cost.
    //    The harness makes about 16 allocations per measured iteration of its own (seen with
    //    `--scale`); spread over the 1,000 operations of an iteration that shows as 0.
    do {
        let cursor = Cursor()
        Benchmark("Control.blackHole loop") { benchmark in
            let range = cursor.take()
            benchmark.startMeasurement()
            for index in range {
                blackHole(dayNumbers[index])
            }
            benchmark.stopMeasurement()
        }
    }

    // 1. The fast path, one due time per receipt.
    for (name, rule) in [
        ("dueAt workingHours(24)", DeadlineRule.workingHours(24)),
        ("dueAt workingDays(10)", DeadlineRule.workingDays(10)),
    ] {
        let cursor = Cursor()
        Benchmark("ServiceClock.\(name)") { benchmark in
            let range = cursor.take()
            benchmark.startMeasurement()
            for index in range {
                blackHole(ServiceClock.dueAt(receivedAt: receipts[index], rule: rule, calendar: calendar))
            }
            benchmark.stopMeasurement()
        }
    }

    // 2. Both deadlines of a priority 2 report (acknowledgement: 24 working hours;
    //    investigation start: 5 working days). The explanation text is written lazily, when
    //    `Deadline.explanation` is read, so this measures no string work.
    do {
        let cursor = Cursor()
        Benchmark("ServiceClock.deadlines p2") { benchmark in
            let range = cursor.take()
            benchmark.startMeasurement()
            for index in range {
                blackHole(ServiceClock.deadlines(receivedAt: receipts[index], priority: .p2, calendar: calendar))
            }
            benchmark.stopMeasurement()
        }
    }

    // 2b. The same, reading both explanations: what a caller that shows the text pays.
    do {
        let cursor = Cursor()
        Benchmark("ServiceClock.deadlines p2 + explanation text") { benchmark in
            let range = cursor.take()
            benchmark.startMeasurement()
            for index in range {
                for deadline in ServiceClock.deadlines(receivedAt: receipts[index], priority: .p2, calendar: calendar) {
                    blackHole(deadline.explanation)
                }
            }
            benchmark.stopMeasurement()
        }
    }

    // 3. The working-day lookup the clocks are built on.
    do {
        let cursor = Cursor()
        Benchmark("WorkingCalendar.isWorkingDay(daysSince1970:)") { benchmark in
            let range = cursor.take()
            benchmark.startMeasurement()
            for index in range {
                blackHole(calendar.isWorkingDay(daysSince1970: dayNumbers[index]))
            }
            benchmark.stopMeasurement()
        }
    }
    do {
        let cursor = Cursor()
        Benchmark("WorkingCalendar.isWorkingDay(LocalDate)") { benchmark in
            let range = cursor.take()
            benchmark.startMeasurement()
            for index in range {
                blackHole(calendar.isWorkingDay(localDates[index]))
            }
            benchmark.stopMeasurement()
        }
    }
}
