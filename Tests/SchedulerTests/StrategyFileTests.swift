//===- StrategyFileTests.swift - Parsing and validating strategies --------===//

import Foundation
import PolycScheduler
import Testing

@Suite struct StrategyFileTests {
  @Test(arguments: Repo.presets)
  func presetParsesWithDescription(_ name: String) throws {
    let s = try Repo.preset(name)
    #expect(s.name == name)
    #expect(!s.description.isEmpty)
    #expect(s.version == Strategy.currentVersion)
  }

  @Test func plutoPresetIsTypedAsWritten() throws {
    let s = try Repo.preset("pluto")
    #expect(s.backend == .polytops)
    #expect(s.fallback == [.isl, .identity])
    #expect(s.permutableBands)
    #expect(s.fusion == .smart)
    #expect(s.defaultDimension.costs == [.proximity])
    #expect(s.tiling.enabled && s.tiling.sizes == .fixed([32, 32, 32]))
    #expect(s.parallelism.openmp)
    #expect(s.target.kind == .cpu)
    #expect(s.maxOperations > 0)
  }

  @Test func dimensionsInheritTheDefaultDimension() throws {
    let s = try Repo.strategy("""
      { "version": 1, "backend": "polytops",
        "defaultDimension": { "costs": ["contiguity"], "maxCoefficient": 2 },
        "dimensions": [ { "coincidence": "required" } ] }
      """)
    #expect(s.dimension(0).coincidence == .required)
    #expect(s.dimension(0).costs == [.contiguity])
    #expect(s.dimension(0).maxCoefficient == 2)
    #expect(s.dimension(5).coincidence == .off)
  }

  @Test func customConstraintsAndDirectivesAreParsed() throws {
    let s = try Repo.strategy("""
      { "version": 1, "backend": "polytops",
        "dimensions": [ { "constraints": ["S1.i - S1.j >= 0", "2*S0.const = S1.const + 1"] } ],
        "directives": [ { "kind": "parallel", "statement": "S1", "iterator": "i" },
                        { "kind": "fixed", "statement": "S0", "rows": ["i", "2*t + j - 1"] } ] }
      """)
    let c = s.dimension(0).constraints
    #expect(c.count == 2)
    #expect(c[0].terms.map(\.name) == ["i", "j"] && c[0].terms.map(\.coefficient) == [1, -1] && !c[0].isEquality)
    #expect(c[1].isEquality && c[1].constant == -1)
    #expect(s.directives.map(\.kind) == [.parallel, .fixed])
    #expect(s.directives[1].rows == ["i", "2*t + j - 1"])
  }

  @Test func misspelledCostFunctionNamesItsPath() {
    let e = Repo.parseError("""
      { "version": 1, "backend": "polytops", "dimensions": [ {}, { "costs": ["proximty"] } ] }
      """)
    #expect(e?.keyPath == "dimensions[1].costs[0]")
    #expect(e?.description.contains("dimensions[1].costs[0]: unknown cost function 'proximty'") == true)
  }

  @Test(arguments: [
    (#"{ "version": 1, "bakend": "isl" }"#, "bakend"),
    (#"{ "version": 1, "backend": "polytops", "fusion": { "policy": "max", "grups": [] } }"#, "fusion.grups"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "skew": true } ] }"#, "dimensions[0].skew"),
    (#"{ "version": 1, "tiling": { "sizes": [32], "level2": {} } }"#, "tiling.level2"),
  ])
  func unknownKeysNameTheirPath(_ json: String, _ path: String) {
    let e = Repo.parseError(json)
    #expect(e?.keyPath == path)
    #expect(e?.message.hasPrefix("unknown key") == true)
  }

  @Test(arguments: [
    (#"{ "version": "1" }"#, "version"),
    (#"{ "version": 2 }"#, "version"),
    (#"{ }"#, "version"),
    (#"{ "version": 1, "backend": "pluto" }"#, "backend"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "maxCoefficient": true } ] }"#, "dimensions[0].maxCoefficient"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "maxCoefficient": 0 } ] }"#, "dimensions[0].maxCoefficient"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "coincidence": "always" } ] }"#, "dimensions[0].coincidence"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "costs": ["proximity", "proximity"] } ] }"#, "dimensions[0].costs[1]"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "costs": ["proximity", "feautrier"] } ] }"#, "dimensions[0].costs[1]"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "constraints": ["S1.i >> 0"] } ] }"#, "dimensions[0].constraints[0]"),
    (#"{ "version": 1, "backend": "polytops", "dimensions": [ { "constraints": ["i - j >= 0"] } ] }"#, "dimensions[0].constraints[0]"),
    (#"{ "version": 1, "backend": "polytops", "fusion": "greedy" }"#, "fusion"),
    (#"{ "version": 1, "backend": "polytops", "fusion": { "policy": "groups" } }"#, "fusion.policy"),
    (#"{ "version": 1, "backend": "polytops", "fusion": { "policy": "groups", "groups": [["S0"], ["S0"]] } }"#, "fusion.groups[1][0]"),
    (#"{ "version": 1, "backend": "polytops", "directives": [ { "kind": "parallel", "statement": "S0" } ] }"#, "directives[0].iterator"),
    (#"{ "version": 1, "backend": "polytops", "directives": [ { "kind": "unroll", "statement": "S0", "iterator": "i" } ] }"#, "directives[0].kind"),
    (#"{ "version": 1, "backend": "polytops", "fallback": ["polytops"] }"#, "fallback[0]"),
    (#"{ "version": 1, "backend": "isl", "fallback": ["identity"], "dimensions": [] }"#, "dimensions"),
    (#"{ "version": 1, "backend": "polytops", "fallback": ["identity"], "isl": {} }"#, "isl"),
    (#"{ "version": 1, "backend": "isl", "isl": { "algorithm": "pluto" } }"#, "isl.algorithm"),
    (#"{ "version": 1, "tiling": { "sizes": [32, 0] } }"#, "tiling.sizes[1]"),
    (#"{ "version": 1, "tiling": { "sizes": "big" } }"#, "tiling.sizes"),
    (#"{ "version": 1, "tiling": { "sizes": [32], "secondLevel": { "sizes": [5] } } }"#, "tiling.secondLevel.sizes[0]"),
    (#"{ "version": 1, "parallelism": { "wavefront": true } }"#, "parallelism.wavefront"),
    (#"{ "version": 1, "target": { "kind": "npu" }, "parallelism": { "openmp": true } }"#, "parallelism.openmp"),
    (#"{ "version": 1, "target": { "kind": "gpu" } }"#, "target.kind"),
    (#"{ "version": 1, "vectorization": { "width": 3 } }"#, "vectorization.width"),
    (#"{ "version": 1, "vectorization": { "unrollAndJam": true } }"#, "vectorization.unrollAndJam"),
    (#"{ "version": 1, "keepSourceOrderWithoutGain": "yes" }"#, "keepSourceOrderWithoutGain"),
    (#"{ "version": 1, "vectorization": { "unrollAndJam": [4, 0] } }"#, "vectorization.unrollAndJam[1]"),
    (#"{ "version": 1, "vectorization": { "unrollAndJam": [4, 2, 2] } }"#, "vectorization.unrollAndJam"),
    (#"{ "version": 1, "backend": "identity", "directives": [ { "kind": "serial", "statement": "S0", "iterator": "i" } ] }"#, "directives"),
    (#"[1, 2]"#, ""),
  ])
  func wrongTypesAndImpossibleCombinationsNameTheirPath(_ json: String, _ path: String) {
    let e = Repo.parseError(json)
    #expect(e != nil, "accepted: \(json)")
    #expect(e?.keyPath == path, "\(e?.description ?? "")")
  }

  @Test func unrollAndJamFactorsAreReadFromVectorization() throws {
    #expect(try Repo.strategy(#"{ "version": 1, "vectorization": { "unrollAndJam": [2] } }"#).vectorization.unrollAndJam == [2])
    #expect(try Repo.strategy(#"{ "version": 1, "vectorization": { "unrollAndJam": false } }"#).vectorization.unrollAndJam == [])
    #expect(try Repo.strategy(#"{ "version": 1, "vectorization": {} }"#).vectorization.unrollAndJam == nil)
  }

  @Test func invalidJSONIsAnError() {
    let e = Repo.parseError("{ \"version\": 1, ")
    #expect(e?.message.hasPrefix("not valid JSON") == true)
  }

  @Test func missingFileIsAnError() {
    #expect(throws: StrategyError.self) { try Strategy.load(path: "/nonexistent/strategy.json") }
  }
}
