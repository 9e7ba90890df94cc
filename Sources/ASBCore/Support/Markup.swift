/// Text made safe to put inside HTML, SVG or XML markup: the five significant characters escaped.
/// The messages' HTML and the charts' SVG both use it.
public enum Markup {
    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
