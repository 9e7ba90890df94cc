import Testing
@testable import ASBCore

@Suite("Charts drawn as SVG (SS-MON-4)")
struct SVGChartTests {
    @Test("SS-MON-4: a bar chart has a title and description for screen readers and writes every value as text")
    func bars() {
        let svg = SVGChart.bars(id: "c", title: "Response times <met>", description: "P1: 83%",
                                bars: [.init(label: "P1 response", value: 83, valueText: "83% met"),
                                       .init(label: "P3 & more", value: 0, valueText: "too few to publish")], maximum: 100)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
        #expect(svg.contains("<title id=\"c-title\">Response times &lt;met&gt;</title><desc id=\"c-desc\">P1: 83%</desc>"))
        #expect(svg.contains(">83% met</text>") && svg.contains(">too few to publish</text>") && svg.contains("P3 &amp; more"))
        #expect(svg.contains("width=\"249\""))   // 83% of the 300-unit bar area
        #expect(svg.hasSuffix("</svg>"))
    }

    @Test("SS-MON-4: a line chart plots every point with its value and label")
    func line() {
        let svg = SVGChart.line(id: "t", title: "New cases", description: "by month", points: [("Oct 26", 4, "4"), ("Nov 26", 8, "8")])
        #expect(svg.contains("<polyline points=\"40,112 640,24\""))   // half of the 176-unit plot height above the axis at 200
        #expect(svg.contains(">Oct 26</text>") && svg.contains(">8</text>"))
    }
}
