//===- Reports.swift - Tables, JSON, CSV, Markdown and an SVG chart -------===//
//
// results.json: the whole CampaignResult; results.csv: one row per kernel and
// variant; results.md: the table with speedups over the original and
// geomeans; speedups.svg: a hand-written grouped bar chart (log scale) of
// the speedups. A failed variant is printed FAILED, never as a time.
//
//===----------------------------------------------------------------------===//

import Foundation

package enum Reports {
  package static let files = ["results.json", "results.csv", "results.md", "speedups.svg"]

  package static func write(_ r: CampaignResult, to dir: String) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    try enc.encode(r).write(to: URL(fileURLWithPath: "\(dir)/results.json"))
    try csv(r).write(toFile: "\(dir)/results.csv", atomically: true, encoding: .utf8)
    try markdown(r).write(toFile: "\(dir)/results.md", atomically: true, encoding: .utf8)
    try svg(r).write(toFile: "\(dir)/speedups.svg", atomically: true, encoding: .utf8)
  }

  static func seconds(_ t: Double?) -> String {
    guard let t else { return "-" }
    if t >= 100 { return String(format: "%.1f", t) }
    if t >= 1 { return String(format: "%.3f", t) }
    if t >= 0.01 { return String(format: "%.4f", t) }
    return String(format: "%.6f", t)
  }

  static func speedup(_ s: Double?) -> String {
    s.map { $0 >= 0.1 ? String(format: "%.2fx", $0) : String(format: "%.3gx", $0) } ?? "-"
  }

  /// Kernels too short to time reliably, and OpenMP start-up at small sizes.
  static func warnings(_ r: CampaignResult) -> [String] {
    var out: [String] = []
    let short = r.kernels.filter { ($0.original.median ?? 1) < 1e-3 }
    if !short.isEmpty {
      out.append("warning: \(short.map(\.kernel).joined(separator: ", ")) run(s) for less than 1 ms: too short to time reliably; use a larger data set")
    }
    if r.threads > 1, r.dataset == "MINI" || r.dataset == "SMALL" {
      out.append("warning: at \(r.dataset), OpenMP start-up and synchronisation (tens of microseconds per parallel loop) can dominate; parallel code may look slower than it is")
    }
    return out
  }

  static func cell(_ v: VariantResult?) -> String {
    guard let v else { return "-" }
    switch v.status {
    case .ok: return "\(seconds(v.median)) (\(speedup(v.speedup)))"
    case .failed: return "FAILED"
    case .skipped: return "skipped"
    }
  }

  /// Rows of the table: header, one per kernel, geomean.
  static func rows(_ r: CampaignResult) -> [[String]] {
    var rows = [["kernel", "original (s)"] + r.columns]
    for k in r.kernels {
      rows.append([k.kernel, k.original.status == .ok ? seconds(k.original.median) : "FAILED"] + r.columns.map { cell(k.variant($0)) })
    }
    rows.append(["geomean", ""] + r.columns.map { c in
      guard let g = r.geomean(c) else { return "-" }
      let n = r.kernels.count
      return speedup(g.value) + (g.count < n ? " (\(g.count)/\(n))" : "")
    })
    return rows
  }

  /// The table as aligned text (printed by `polyc bench`).
  package static func table(_ r: CampaignResult) -> String {
    let rs = rows(r)
    let widths = (0..<rs[0].count).map { c in rs.map { $0[c].count }.max() ?? 0 }
    func line(_ row: [String]) -> String {
      row.enumerated().map { i, s in i == 0 ? s.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        : String(repeating: " ", count: widths[i] - s.count) + s }.joined(separator: "  ")
    }
    var out = "dataset \(r.dataset), \(r.threads) thread(s)\(r.ompWaitPolicy.map { " (OMP_WAIT_POLICY=\($0))" } ?? ""), \(r.runsDescription), \(r.cc) \(r.cflags.joined(separator: " "))\n"
    out += line(rs[0]) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
    for row in rs.dropFirst() { out += line(row) + "\n" }
    for c in r.columns where !r.failures(c).isEmpty { out += "\(c) FAILED on: \(r.failures(c).joined(separator: ", "))\n" }
    out += compileTimes(r)
    for w in warnings(r) { out += w + "\n" }
    return out
  }

  /// One line per polyc strategy: its total compile time (scheduling,
  /// transforms, legality checks, AST and C) over the suite and the slowest kernel.
  static func compileTimes(_ r: CampaignResult) -> String {
    var out = ""
    for c in r.columns {
      let times = r.kernels.compactMap { k in k.variant(c)?.polycSeconds.map { (k.kernel, $0) } }
      guard let slowest = times.max(by: { $0.1 < $1.1 }) else { continue }
      let total = times.reduce(0) { $0 + $1.1 }
      out += "polyc compile time, \(c): \(String(format: "%.2f", total)) s for \(times.count) kernels, slowest \(slowest.0) \(String(format: "%.2f", slowest.1)) s\n"
    }
    return out
  }

  package static func markdown(_ r: CampaignResult) -> String {
    let rs = rows(r)
    var out = "# polyc bench: \(r.dataset)\n\n"
    out += "\(r.date) on \(r.host); \(r.threads) OpenMP thread(s)\(r.ompWaitPolicy.map { ", OMP_WAIT_POLICY=\($0)" } ?? ""); \(r.runsDescription).\n"
    out += "polyc and the original: `\(r.cc) \(r.cflags.joined(separator: " "))`"
    if let p = r.pollyCompiler { out += "; Polly: `\(p) \((r.pollyFlags ?? []).joined(separator: " "))` on the original program" }
    out += ".\nCells: median seconds (speedup over the original). FAILED: the program did not build, run, or reproduce the original's output.\n\n"
    out += "| " + rs[0].joined(separator: " | ") + " |\n"
    out += "|" + rs[0].enumerated().map { i, _ in i == 0 ? "---" : "---:" }.joined(separator: "|") + "|\n"
    for row in rs.dropFirst() { out += "| " + row.joined(separator: " | ") + " |\n" }
    if !r.notices.isEmpty { out += "\nNotices:\n\n" + r.notices.map { "* \($0)\n" }.joined() }
    let failed = r.kernels.flatMap { k in k.all.filter { $0.status == .failed }.map { "* \(k.kernel) / \($0.variant): \(($0.message ?? "").split(separator: "\n").first ?? "")\n" } }
    if !failed.isEmpty { out += "\nFailures:\n\n" + failed.joined() }
    out += "\n" + (compileTimes(r).split(separator: "\n").map(String.init) + warnings(r)).map { "- \($0)" }.joined(separator: "\n") + "\n"
    return out
  }

  static func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  package static func csv(_ r: CampaignResult) -> String {
    var out = "kernel,dataset,variant,status,median_s,speedup,polyc_s,cc_s,runs,message\n"
    func num(_ d: Double?) -> String { d.map { String(format: "%.6f", $0) } ?? "" }
    for k in r.kernels {
      for v in k.all {
        out += [k.kernel, k.dataset, v.variant, v.status.rawValue, num(v.median), num(v.speedup), num(v.polycSeconds),
                num(v.compileSeconds), v.times.map { String(format: "%.6f", $0) }.joined(separator: " "),
                (v.message ?? "").split(separator: "\n").first.map(String.init) ?? ""].map(csvField).joined(separator: ",") + "\n"
      }
    }
    return out
  }

  static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"]

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }

  /// Grouped bars, one group per kernel plus the geomean, log2 scale; failed
  /// variants are drawn as a red cross at the baseline.
  package static func svg(_ r: CampaignResult) -> String {
    let cols = r.columns
    let groups: [(String, [String: VariantResult])] = r.kernels.map { k in (k.kernel, Dictionary(uniqueKeysWithValues: cols.compactMap { c in k.variant(c).map { (c, $0) } })) }
    let bar = 10.0, gap = 14.0, left = 60.0, top = 40.0, plotH = 300.0
    let groupW = Double(max(1, cols.count)) * bar + gap
    let legendTop = 28.0
    let width = max(left + Double(groups.count + 1) * groupW + 20, left + Double(cols.count) * 110 + 20)
    let labelRoom = 14.0 + 5.5 * Double((groups.map(\.0.count) + [7]).max() ?? 7)
    let height = top + 16 + plotH + labelRoom
    var speeds = groups.flatMap { $0.1.values.filter { $0.status == .ok }.compactMap(\.speedup) }
    speeds += cols.compactMap { r.geomean($0)?.value }
    let maxLog = max(1, (speeds.map { log2(max($0, 1e-3)) }.max() ?? 1).rounded(.up))
    let minLog = min(-1, (speeds.map { log2(max($0, 1e-3)) }.min() ?? -1).rounded(.down))
    func y(_ s: Double) -> Double { top + 16 + plotH * (maxLog - log2(max(s, 1e-3))) / (maxLog - minLog) }
    var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"10\">\n"
    out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    out += "<text x=\"\(left)\" y=\"20\" font-size=\"14\">polyc bench \(escape(r.dataset)): speedup over the original (log scale), \(r.threads) thread(s)</text>\n"
    var e = minLog
    while e <= maxLog {
      let yy = y(pow(2, e))
      out += "<line x1=\"\(left)\" y1=\"\(yy)\" x2=\"\(width - 20)\" y2=\"\(yy)\" stroke=\"\(e == 0 ? "#000" : "#ddd")\"/>\n"
      out += "<text x=\"\(left - 6)\" y=\"\(yy + 3)\" text-anchor=\"end\">\(String(format: e < 0 ? "%.2gx" : "%.0fx", pow(2, e)))</text>\n"
      e += 1
    }
    func drawGroup(_ index: Int, _ name: String, _ values: (String) -> (VariantResult.Status, Double?)) {
      let x0 = left + Double(index) * groupW + gap / 2
      for (ci, c) in cols.enumerated() {
        let x = x0 + Double(ci) * bar
        let (status, s) = values(c)
        if status == .ok, let s {
          let y1 = y(s), y0 = y(1)
          let h = max(2, abs(y1 - y0))
          out += "<rect x=\"\(x)\" y=\"\(y1 < y0 ? y1 : (abs(y1 - y0) < 2 ? y0 - 1 : y0))\" width=\"\(bar - 1)\" height=\"\(h)\" fill=\"\(palette[ci % palette.count])\"><title>\(escape(name)) \(escape(c)): \(speedup(s))</title></rect>\n"
        } else if status == .failed {
          out += "<text x=\"\(x + bar / 2)\" y=\"\(y(1) - 2)\" text-anchor=\"middle\" fill=\"red\" font-weight=\"bold\">x<title>\(escape(name)) \(escape(c)): FAILED</title></text>\n"
        }
      }
      let lx = x0 + Double(cols.count) * bar / 2
      out += "<text transform=\"translate(\(lx),\(top + 16 + plotH + 8)) rotate(60)\">\(escape(name))</text>\n"
    }
    for (i, g) in groups.enumerated() {
      drawGroup(i, g.0) { c in (g.1[c]?.status ?? .skipped, g.1[c]?.speedup) }
    }
    drawGroup(groups.count, "geomean") { c in r.geomean(c).map { (.ok, $0.value) } ?? (.skipped, nil) }
    for (ci, c) in cols.enumerated() {
      let x = left + Double(ci) * 110
      out += "<rect x=\"\(x)\" y=\"\(legendTop)\" width=\"10\" height=\"10\" fill=\"\(palette[ci % palette.count])\"/>"
      out += "<text x=\"\(x + 14)\" y=\"\(legendTop + 9)\">\(escape(c))</text>\n"
    }
    out += "</svg>\n"
    return out
  }
}
