//===- StrategyCodingTests.swift - Strategy as Codable --------------------===//
//
// A strategy encodes to its strategy-file form and decodes back to an equal
// value; decoding goes through the strict parser (key-path errors).

import Foundation
import PolycScheduler
import Testing

@Suite struct StrategyCodingTests {
  /// Equal up to where the strategy was read from.
  func same(_ a: Strategy, _ b: Strategy) -> Bool {
    var a = a, b = b
    a.sourcePath = ""
    b.sourcePath = ""
    return a == b
  }

  static let files: [String] = {
    let dir = "\(Repo.root)/Configs"
    let top = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    let variants = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/variants")) ?? []
    let tuned = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/tuned")) ?? []
    return top.filter { $0.hasSuffix(".json") }.map { "\(dir)/\($0)" }
      + variants.filter { $0.hasSuffix(".json") }.map { "\(dir)/variants/\($0)" }
      + tuned.filter { $0.hasSuffix(".json") }.map { "\(dir)/tuned/\($0)" }
  }()

  @Test func everyStrategyFileRoundTrips() throws {
    #expect(Self.files.count >= 8)
    for path in Self.files {
      let s = try Strategy.load(path: path)
      let data = try JSONEncoder().encode(s)
      let back = try JSONDecoder().decode(Strategy.self, from: data)
      #expect(same(s, back), "\(path): \(String(decoding: data, as: UTF8.self))")
      let text = try s.fileText()
      #expect(same(s, try Strategy.parse(Data(text.utf8), path: path)), "\(path): \(text)")
    }
  }

  @Test func aStrategyBuiltInCodeRoundTrips() throws {
    let s = try Repo.strategy("""
      { "version": 1, "name": "custom", "backend": "polytops", "fallback": ["isl", "identity"],
        "dimensions": [ { "constraints": ["S1.i - S1.j >= 0"], "coincidence": "required", "maxShift": 3 } ],
        "defaultDimension": { "costs": ["contiguity", "proximity"], "skewing": false },
        "fusion": { "policy": "groups", "groups": [["S0"], ["S1"]] },
        "directives": [ { "kind": "parallel", "statement": "S1", "iterator": "i" },
                        { "kind": "fixed", "statement": "S0", "rows": ["i", "2*t + j - 1"] } ],
        "isl": { "maximizeBandDepth": true },
        "tiling": { "sizes": [32, 16], "secondLevel": { "sizes": [8, 4] }, "cache": { "l1": 49152 } },
        "parallelism": { "openmp": true, "wavefront": true },
        "vectorization": { "width": 8, "unrollAndJam": false } }
      """)
    var built = s
    built.scalarExpansion = true
    built.tiling.matmul.enabled = true
    built.tiling.matmul.cacheTiles = [128, 240, 256]
    let back = try JSONDecoder().decode(Strategy.self, from: try JSONEncoder().encode(built))
    #expect(same(built, back))
    #expect(back.fusion == .groups([["S0"], ["S1"]]) && back.vectorization.unrollAndJam == [])
    #expect(back.dimensions[0].maxShift == 3 && back.defaultDimension.maxShift == nil)
  }

  @Test func accumulatorExpansionRoundTrips() throws {
    let s = try Repo.strategy(#"{ "version": 1, "backend": "polytops", "scalarExpansion": "accumulators" }"#)
    #expect(s.scalarExpansion && s.expandAccumulators)
    #expect(try s.fileText().contains(#""scalarExpansion" : "accumulators""#) || (try s.fileText()).contains(#""scalarExpansion": "accumulators""#))
    #expect(same(s, try Strategy.parse(Data(try s.fileText().utf8), path: "s.json")))
    let plain = try Repo.strategy(#"{ "version": 1, "backend": "polytops", "scalarExpansion": true }"#)
    #expect(plain.scalarExpansion && !plain.expandAccumulators)
    do {
      _ = try Strategy.parse(Data(#"{ "version": 1, "scalarExpansion": "all" }"#.utf8), path: "s.json")
      Issue.record("scalarExpansion \"all\" was accepted")
    } catch let e as StrategyError {
      #expect(e.keyPath == "scalarExpansion" && "\(e)".contains("accumulators"), "\(e)")
    }
  }

  @Test func decodingReportsTheKeyPath() throws {
    let bad = Data(#"{ "version": 1, "backend": "polytops", "tiling": { "sizes": [0] } }"#.utf8)
    do {
      _ = try JSONDecoder().decode(Strategy.self, from: bad)
      Issue.record("a zero tile size was decoded")
    } catch let e as StrategyError {
      #expect(e.keyPath.hasPrefix("tiling.sizes"), "\(e)")
    }
  }
}
