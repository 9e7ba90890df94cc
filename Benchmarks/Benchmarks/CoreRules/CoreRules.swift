import ASBCore
import Benchmark
import Foundation

/// The rules every request or figure runs, beside the deadlines (the Deadlines suite): the time
/// taken to a milestone, risk scoring, percentiles, postcodes and the MIME parser. Inputs are
/// fixed and invented, so runs compare.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(2))

    let calendar = WorkingCalendar(region: .englandAndWales)
    // A thousand receipt times spread over two years, hitting weekends and bank holidays.
    let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    let receipts = (0..<1_000).map { start.addingTimeInterval(Double($0) * 62_345.7) }

    Benchmark("Working hours elapsed for 1,000 met milestones") { benchmark in
        for _ in benchmark.scaledIterations {
            for receipt in receipts {
                blackHole(ServiceClock.elapsed(from: receipt, to: receipt.addingTimeInterval(3 * 86_400), rule: .workingHours(24), calendar: calendar))
            }
        }
    }

    let questionnaire = RiskQuestionnaire.standard
    let answers = Dictionary(uniqueKeysWithValues: questionnaire.questions.map { ($0.id, $0.choices.last?.value ?? "") })
    Benchmark("Risk assessment of 1,000 reports") { benchmark in
        for _ in benchmark.scaledIterations {
            for index in 0..<1_000 {
                blackHole(try? RiskAssessment.assess(answers, hate: index.isMultiple(of: 7), immediateDanger: false, notASB: false))
            }
        }
    }

    var generator = SplitMix64(seed: 42)
    let durations = (0..<100_000).map { _ in Double(generator.next() % 100_000) / 100 }
    Benchmark("Median and 90th percentile of 100,000 durations") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Percentiles.median(durations))
            blackHole(Percentiles.value(90, of: durations))
        }
    }

    let postcodes = ["SS1 1AA", "ss26fy", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "not a postcode", "SS0 7AA"]
    Benchmark("Postcode parsing, 10,000 inputs") { benchmark in
        for _ in benchmark.scaledIterations {
            for index in 0..<10_000 { blackHole(Postcode(postcodes[index % postcodes.count])) }
        }
    }

    let message = Data("""
        From: "Sam Example" <sam@example.org>\r
        To: asb@example.org\r
        Subject: =?UTF-8?Q?Noise_again_=E2=80=93_ASB-2026-00042?=\r
        Message-ID: <bench-1@example.org>\r
        MIME-Version: 1.0\r
        Content-Type: multipart/alternative; boundary="b1"\r
        \r
        --b1\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        Music from the flat above until 3am again =E2=80=93 third night this week.\r
        --b1\r
        Content-Type: text/html; charset=utf-8\r
        \r
        <p>Music from the flat above until 3am again &ndash; third night this week.</p>\r
        --b1--\r
        """.utf8)
    Benchmark("MIME parsing of a multipart email") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? MailParser.parse(message)) }
    }
}
