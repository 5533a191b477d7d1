// Parallel and simd marks: only on loops that carry no dependence. The check
// here is independent of the transforms' own analysis: for the band below a
// mark, every dependence between two instances with the same prefix schedule
// must have distance 0 in the band's first member.

import PolycDependences
import Foundation
import PolycDriver
import PolycISL
import PolycModel
import PolycScheduler
import Testing
import TestSupport
import PolycTransforms

@Suite struct MarkTests {
  static func carriesNoDependence(_ band: ScheduleNode, _ deps: Dependences) throws -> Bool {
    let prefix = try band.prefixScheduleUnionMap()
    let domain = try band.domain()
    let first = try band.bandSplit(1).bandPartialScheduleUnionMap()
    let same = try prefix.applyRange(try prefix.reverse())
    let live = try deps.validity().intersectDomain(domain).intersectRange(domain).intersect(same)
    let moved = try live.applyDomain(first).applyRange(first).deltas()
    return try moved.subtract(try UnionSet(band.ctx, "{ [0] }")).isEmpty()
  }

  @Test(arguments: Fixtures.sweepKernels)
  func parallelMarksOnlyOnDependenceFreeLoops(kernel: String) throws {
    for backend in [Backend.isl, .identity] {
      var options = TransformOptions.cpu
      options.tileSizes = .fixed([16])
      let c = try TransformFixture.compile(kernel, backend: backend, options: options)
      for name in ["parallel", "simd"] {
        for band in try TransformFixture.bandsBelowMarks(c.codeSchedule, named: name) {
          #expect(try Self.carriesNoDependence(band, c.dependences), "\(kernel) (\(backend)): '\(name)' on a loop that carries a dependence")
        }
      }
      #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
    }
  }

  @Test func gemmGetsAParallelOuterLoopAndAVectorInnerLoop() throws {
    var options = TransformOptions.cpu
    options.tileSizes = .fixed([32])
    let c = try TransformFixture.compile("gemm", backend: .isl, options: options)
    let marks = try TransformFixture.marks(c.codeSchedule)
    #expect(marks.first == "parallel")
    #expect(marks.contains("simd"))
    #expect(c.transforms?.notes.contains { $0.contains("moved innermost") } == true)
  }

  @Test func sequentialTimeLoopIsNeverMarked() throws {
    var options = TransformOptions()
    options.parallel = true
    options.requireNestedWorkInParallelLoops = false
    let c = try TransformFixture.compile("jacobi-1d", backend: .identity, options: options)
    let bands = try TransformFixture.bandsBelowMarks(c.codeSchedule, named: "parallel")
    #expect(bands.count == 2)
    for b in bands { #expect(try b.domain().sets().count == 1) }
  }

  @Test func oneDimensionalLoopInsideATimeLoopIsNotParallelisedByDefault() throws {
    var options = TransformOptions()
    options.parallel = true
    let c = try TransformFixture.compile("jacobi-1d", backend: .identity, options: options)
    #expect(try TransformFixture.marks(c.codeSchedule).isEmpty)
    #expect(c.transforms?.notes.contains { $0.contains("encloses no loop") } == true)
  }

  @Test func loopCarryingAReductionGetsNoSimdMark() throws {
    var options = TransformOptions()
    options.vectorize = true
    options.mergeNestedBands = false
    let c = try TransformFixture.compile("atax", backend: .identity, options: options)
    for band in try TransformFixture.bandsBelowMarks(c.codeSchedule, named: "simd") {
      #expect(try Self.carriesNoDependence(band, c.dependences))
    }
    #expect(c.transforms?.notes.contains { $0.contains("carries a dependence, not marked") } == true)
  }
}

@Suite struct SerialDirectiveTests {
  @Test func serialDirectiveKeepsItsLoopSequential() throws {
    let json = """
      { "version": 1, "name": "serial-i", "backend": "polytops", "fallback": ["isl", "identity"],
        "tiling": { "sizes": [16] }, "parallelism": { "openmp": true },
        "directives": [ { "kind": "serial", "statement": "S1", "iterator": "i" },
                        { "kind": "serial", "statement": "S0", "iterator": "i" } ] }
      """
    let s = try Strategy.parse(json.data(using: .utf8)!, path: "serial-i.json")
    let k = try Pipeline.loadKernel(path: Fixtures.kernelPath("gemm"))
    let c = try Pipeline.compile(kernel: k, strategy: s)
    let notes = c.transforms?.notes ?? []
    if c.result.directives.contains(where: { $0.kind == .serial }) {
      #expect(notes.contains { $0.contains("directive 'serial on S1.i'") }, "\(notes)")
    }
    #expect(try c.dependences.violation(of: c.codeSchedule) == nil)
  }
}
