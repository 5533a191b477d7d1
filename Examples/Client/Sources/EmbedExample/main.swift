// An embedding of polyc that uses only its public API: a kernel given as a
// string, a strategy built in code, the schedule checked and inspected, C and
// an NPU program produced. `make test` builds and runs it.

import PolycDriver
import PolycFrontend
import PolycNPU
import PolycNPUCodeGen
import PolycScheduler
import Foundation

let source = """
  kernel matmul(M, N, K, A: in f64[M][K], B: in f64[K][N], C: inout f64[M][N]) {
    for i in 0 ..< M {
      for j in 0 ..< N {
        for k in 0 ..< K { C[i][j] += A[i][k] * B[k][j] }
      }
    }
  }
  assume M >= 1, N >= 1, K >= 1

  """

func run() throws {
  let kernel = try Frontend.load(text: source, path: "matmul.loop")
  var strategy = Strategy()
  strategy.name = "embedded"
  strategy.backend = .polytops
  strategy.fallback = [.isl, .identity]
  strategy.tiling.enabled = true
  strategy.tiling.sizes = .fixed([32, 32, 32])
  strategy.parallelism.openmp = true
  let compiled = try Pipeline.compile(kernel: kernel, strategy: strategy)
  guard try compiled.violation() == nil else { fatalError("polyc returned an illegal schedule") }
  print("backend: \(compiled.result.backend)")
  print(try Pipeline.emit(.schedule, compiled).split(separator: "\n").prefix(6).joined(separator: "\n"))
  let c = try Pipeline.emit(.c, compiled)
  print(c.contains("#pragma omp parallel for") ? "C: parallel, tiled" : "C: sequential")

  let q = try Pipeline.compile(kernel: try Pipeline.loadKernel(path: "Kernels/npu/qmatmul.loop"), strategy: try Pipeline.loadStrategy(path: "Configs/npu.json"))
  let result = try NPURunner.run(q, sizes: ["M": 40, "N": 24, "K": 33], options: NPUKernelRunOptions())
  print("NPU: \(result.kernel.summary): \(result.run.report.cycles) cycles, bit-exact \(result.run.bitExact)")
}

do {
  try run()
} catch let e as PolycError {
  print(e.description)
  exit(1)
}
