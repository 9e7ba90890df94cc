import Foundation

/// Charts for the quarterly report and the dashboard, drawn as SVG on the server: readable in
/// print and in the browser, with a title and a description for screen readers, and every value
/// also written as text beside its bar or point (no information by colour alone).
public enum SVGChart {
    public struct Bar: Sendable, Equatable {
        public var label: String
        public var value: Double
        /// The text shown at the end of the bar, e.g. "83%" or "fewer than 5".
        public var valueText: String
        public init(label: String, value: Double, valueText: String) {
            self.label = label
            self.value = value
            self.valueText = valueText
        }
    }

    /// Horizontal bars: one row per bar, the label on the left, the value text after the bar.
    public static func bars(id: String, title: String, description: String, bars: [Bar], maximum: Double? = nil) -> String {
        let rowHeight = 32.0, labelWidth = 260.0, barArea = 300.0, width = 660.0
        let height = Double(max(bars.count, 1)) * rowHeight + 16
        let top = max(maximum ?? 0, bars.map(\.value).max() ?? 0, 1)
        var svg = header(id: id, title: title, description: description, width: width, height: height)
        for (index, bar) in bars.enumerated() {
            let y = 8 + Double(index) * rowHeight
            let length = max(0, bar.value / top * barArea)
            svg += "<text x=\"\(fmt(labelWidth - 8))\" y=\"\(fmt(y + 20))\" text-anchor=\"end\" class=\"chart-label\">\(Markup.escape(bar.label))</text>"
            svg += "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y + 4))\" width=\"\(fmt(length))\" height=\"22\" class=\"chart-bar\"/>"
            svg += "<text x=\"\(fmt(labelWidth + length + 6))\" y=\"\(fmt(y + 20))\" class=\"chart-value\">\(Markup.escape(bar.valueText))</text>"
        }
        return svg + "</svg>"
    }

    /// A line over time: points with their value written above them, labels below.
    /// `valueText` is written above each point (it may say "fewer than 5" where the value is withheld).
    public static func line(id: String, title: String, description: String,
                            points: [(label: String, value: Double, valueText: String)]) -> String {
        let width = 660.0, height = 240.0, left = 40.0, right = 20.0, top = 24.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maximum = max(points.map(\.value).max() ?? 0, 1)
        var svg = header(id: id, title: title, description: description, width: width, height: height)
        svg += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top + plotHeight))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(top + plotHeight))\" class=\"chart-axis\"/>"
        let step = points.count > 1 ? plotWidth / Double(points.count - 1) : 0
        var coordinates: [(Double, Double)] = []
        for (index, point) in points.enumerated() {
            let x = left + Double(index) * step
            let y = top + plotHeight - point.value / maximum * plotHeight
            coordinates.append((x, y))
            svg += "<text x=\"\(fmt(x))\" y=\"\(fmt(height - 14))\" text-anchor=\"middle\" class=\"chart-label chart-small\">\(Markup.escape(point.label))</text>"
        }
        if coordinates.count > 1 {
            svg += "<polyline points=\"" + coordinates.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ") + "\" class=\"chart-line\"/>"
        }
        for ((x, y), point) in zip(coordinates, points) {
            svg += "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"4\" class=\"chart-point\"/>"
            svg += "<text x=\"\(fmt(x))\" y=\"\(fmt(y - 9))\" text-anchor=\"middle\" class=\"chart-value chart-small\">\(Markup.escape(point.valueText))</text>"
        }
        return svg + "</svg>"
    }

    private static func header(id: String, title: String, description: String, width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" class=\"chart\" "
            + "aria-labelledby=\"\(id)-title \(id)-desc\"><title id=\"\(id)-title\">\(Markup.escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(Markup.escape(description))</desc>"
    }

    static func fmt(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
