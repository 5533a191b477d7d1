//===- CEmitter.swift - Kernel functions and whole programs in C ----------===//
//
// `emitKernel` prints a drop-in replacement for PolyBench/C 4.2.1's
// `kernel_<name>`: same name, same parameters in the same order, C99
// variable-length array parameters, not static, no main. `emitProgram` adds
// PolyBench-compatible data set-up (the kernel's `init` block), timing
// (`-DPOLYBENCH_TIME`) and the array dump (`-DPOLYBENCH_DUMP_ARRAYS`).
//
//===----------------------------------------------------------------------===//

import PolycFrontend
import PolycISL
import PolycModel
import PolycTransforms

/// How C is printed from a schedule tree: pragmas, `restrict`, bound hoisting.
public struct CEmitOptions: Sendable, Equatable {
  /// How a `simd` mark is printed.
  public enum VectorPragma: String, Sendable, CaseIterable {
    /// `#pragma omp simd` (needs `-fopenmp` or `-fopenmp-simd`).
    case ompSimd = "omp-simd"
    /// `#pragma GCC ivdep` (no OpenMP needed).
    case ivdep
  }
  /// Print OpenMP/SIMD pragmas for `parallel`/`simd` marks.
  public var openMP: Bool = true
  /// Declare array parameters `restrict` (`double C[restrict ni][nj]`): the
  /// caller promises that they do not overlap, as PolyBench's arrays do not.
  public var restrictArrays: Bool = false
  /// Compute loop upper bounds with `min`/`max`/division once, in a `const`
  /// local before the loop, so the C compiler sees a simple trip count.
  public var hoistBounds: Bool = true
  /// Wrap OpenMP pragmas in `#ifdef _OPENMP`, so code built without OpenMP
  /// compiles without unknown-pragma warnings.
  public var guardPragmas: Bool = true
  /// The pragma printed for a `simd` mark (default `#pragma omp simd`).
  public var vectorPragma: VectorPragma = .ompSimd
  /// isl operations one AST generation may take (0: unlimited); past them
  /// it is retried without per-band AST options, then fails with a budget error.
  public var astOperations: UInt = ASTGenerator.defaultMaxOperations

  /// The defaults, with OpenMP/SIMD pragmas on or off.
  public init(openMP: Bool = true) { self.openMP = openMP }

  /// The options matching a transform configuration: `restrict` whenever a
  /// transform runs (reordered code must not rely on aliasing).
  public init(transforms: TransformOptions) {
    self.init()
    restrictArrays = transforms.isEnabled && transforms.restrictArrays
  }
}

package enum CEmitter {
  static let helpers = """
    #ifndef POLYC_HELPERS
    #define POLYC_HELPERS
    static inline int polyc_floord(int n, int d) { return n >= 0 ? n / d : -((-n + d - 1) / d); }
    static inline int polyc_ceild(int n, int d) { return n >= 0 ? (n + d - 1) / d : -(-n / d); }
    static inline int polyc_min(int a, int b) { return a < b ? a : b; }
    static inline int polyc_max(int a, int b) { return a > b ? a : b; }
    #endif

    """

  static let includes = "#include <math.h>\n#include <stdlib.h>\n"

  /// The C type and declarator of a parameter, e.g. `double C[ni][nj]`.
  static func parameterDeclaration(_ p: ParamDecl, _ k: CheckedKernel, restrict: Bool = false) -> String {
    let printer = CExprPrinter(kernel: k)
    switch p.kind {
    case .size: return "int \(p.name)"
    case .scalar(let t): return "\(t.cName) \(p.name)"
    case .array(_, let t, let dims):
      let printed = dims.map { printer.print($0) }
      guard restrict, let first = printed.first else { return "\(t.cName) \(p.name)" + printed.map { "[\($0)]" }.joined() }
      return "\(t.cName) \(p.name)[restrict \(first)]" + printed.dropFirst().map { "[\($0)]" }.joined()
    }
  }

  /// `T (*name)[d1]...` allocated on the heap: declaration text.
  static func heapArray(_ name: String, _ type: ScalarType, _ dims: [Expr], _ printer: CExprPrinter) -> String {
    let inner = dims.dropFirst().map { "[\(printer.print($0))]" }.joined()
    let size = dims.map { "(size_t)(\(printer.print($0)))" }.joined(separator: " * ")
    return "\(type.cName) (*\(name))\(inner) = (\(type.cName) (*)\(inner))polyc_alloc(sizeof(\(type.cName))\(size.isEmpty ? "" : " * " + size));"
  }

  /// Every name the kernel declares or uses as an iterator.
  static func reservedNames(_ k: CheckedKernel) -> Swift.Set<String> {
    var names = Swift.Set(k.file.parameters.map(\.name))
    names.formUnion(k.scalars.keys)
    names.formUnion(k.arrays.keys)
    func walk(_ stmts: [Stmt]) {
      for s in stmts {
        switch s.kind {
        case .forLoop(let l): names.insert(l.iterator); walk(l.body)
        case .ifStmt(_, let t, let e): walk(t); walk(e ?? [])
        default: break
        }
      }
    }
    walk(k.file.body)
    return names
  }

  /// `--emit ast`: the scheduled loop nest as isl's AST (statements as calls,
  /// marks as comments), preceded by each statement's source text.
  package static func scheduledLoopNest(scop: Scop, schedule: Schedule,
                                       maxOperations: UInt = ASTGenerator.defaultMaxOperations) throws -> String {
    var out = "// kernel \(scop.kernel.name): the scheduled loop nest (isl AST); statements:\n"
    for st in scop.statements {
      out += "//   \(st.name)(\(st.iterators.joined(separator: ", "))): \(ASTPrinter.text(of: st.target)) \(st.op.rawValue) \(ASTPrinter.text(of: st.value))\n"
    }
    return out + (try ASTGenerator.text(schedule, context: scop.context, reserved: reservedNames(scop.kernel), maxOperations: maxOperations))
  }

  /// The kernel function for `scop` under `schedule`.
  package static func emitKernelFunction(scop: Scop, schedule: Schedule, options: CEmitOptions = CEmitOptions()) throws -> String {
    let k = scop.kernel
    let ast = try ASTGenerator.generate(schedule, context: scop.context, reserved: reservedNames(k), maxOperations: options.astOperations)
    let params = k.file.parameters.map { parameterDeclaration($0, k, restrict: options.restrictArrays) }.joined(separator: ", ")
    var out = intrinsicHelpers(k) + "void kernel_\(k.name)(\(params))\n{\n"
    let printer = CExprPrinter(kernel: k)
    let localArrays = k.arrays.values.filter { !$0.isParameter }.sorted { $0.name < $1.name }
    let localScalars = k.scalars.values.filter { !$0.isParameter }.sorted { $0.name < $1.name }
    for s in localScalars { out += "  \(s.type.cName) \(s.name) = 0;\n" }
    for a in localArrays { out += "  " + heapArray(a.name, a.type, a.dimensions, printer) + "\n" }
    out += try ISLASTPrinter(scop: scop, options: options).print(ast, indent: 1)
    for a in localArrays { out += "  free(\(a.name));\n" }
    out += "}\n"
    return out
  }

  static let allocHelper = """
    #ifndef POLYC_ALLOC
    #define POLYC_ALLOC
    static void *polyc_alloc(size_t bytes)
    {
      void *p = calloc(bytes ? bytes : 1, 1);
      if (!p) { fprintf(stderr, "polyc: out of memory\\n"); exit(1); }
      return p;
    }
    #endif

    """

  /// `--emit c`: the drop-in kernel function with the headers and helpers it needs.
  package static func emitKernel(scop: Scop, schedule: Schedule, options: CEmitOptions = CEmitOptions()) throws -> String {
    let usesAlloc = scop.kernel.arrays.values.contains { !$0.isParameter }
    var out = "/* kernel_\(scop.kernel.name), generated by polyc from \(scop.kernel.file.path) */\n"
    out += "#include <stdio.h>\n" + includes + "\n" + helpers
    if usesAlloc { out += allocHelper }
    out += try emitKernelFunction(scop: scop, schedule: schedule, options: options)
    return out
  }

  /// `--emit program`: a complete program. `dataset` is the default data set
  /// (`-D<NAME>_DATASET` selects another at compile time).
  package static func emitProgram(scop: Scop, schedule: Schedule, dataset: String?, options: CEmitOptions = CEmitOptions()) throws -> String {
    let k = scop.kernel
    guard !k.file.datasets.isEmpty else { throw CodeGenError.noDatasets(k.name) }
    let names = k.file.datasets.map(\.name)
    let chosen = dataset ?? (names.contains("LARGE") ? "LARGE" : names[names.count - 1])
    guard names.contains(chosen) else { throw CodeGenError.unknownDataset(chosen, available: names) }

    var out = "/* \(k.name): complete program generated by polyc from \(k.file.path) */\n"
    out += "#include <stdio.h>\n#include <string.h>\n#include <time.h>\n" + includes + "\n" + helpers + allocHelper
    out += datasetMacros(k, default: chosen)
    out += try emitKernelFunction(scop: scop, schedule: schedule, options: options)
    out += "\n" + timerCode
    out += try mainFunction(k)
    return out
  }

  static func datasetMacros(_ k: CheckedKernel, default chosen: String) -> String {
    var out = ""
    let others = k.file.datasets.filter { $0.name != chosen }
    for (i, d) in others.enumerated() {
      out += (i == 0 ? "#if" : "#elif") + " defined(\(d.name)_DATASET)\n"
      for p in k.sizeParameters { out += "#  define POLYC_SIZE_\(p) \(d.values[p] ?? 0)\n" }
    }
    let def = k.file.datasets.first { $0.name == chosen }!
    out += others.isEmpty ? "" : "#else\n"
    for p in k.sizeParameters { out += "#  define POLYC_SIZE_\(p) \(def.values[p] ?? 0)\n" }
    out += others.isEmpty ? "\n" : "#endif\n\n"
    return out
  }

  /// The dump runs with -DPOLYBENCH_DUMP_ARRAYS; otherwise it is guarded by a
  /// condition that is never true at run time but unknown to the compiler, so
  /// the kernel's results stay live and the timed build cannot drop the kernel
  /// (PolyBench's `polybench_prevent_dce`).
  static let keepResultsLive = """
    #ifdef POLYBENCH_DUMP_ARRAYS
      const int polyc_dump = 1;
      (void)argc; (void)argv;
    #else
      const int polyc_dump = argc > 42 && argv[0][0] == '\\0';
    #endif

    """

  /// Starts the OpenMP thread team before the timer, so a parallel kernel is
  /// not charged for creating threads (nothing without OpenMP).
  static let openMPWarmUp = """
    #ifdef _OPENMP
      #pragma omp parallel
      { }
    #endif

    """

  /// The timer, as PolyBench's: wall-clock seconds, or with
  /// `-DPOLYBENCH_CYCLE_ACCURATE_TIMER` the time-stamp counter (cycles, x86).
  /// Before the timed region the caches are flushed (PolyBench's
  /// `polybench_flush_cache`: 32 MiB written and read) unless
  /// `-DPOLYBENCH_NO_FLUSH_CACHE`.
  static let timerCode = """
    #if defined(POLYBENCH_CYCLE_ACCURATE_TIMER) && (defined(__x86_64__) || defined(__i386__))
    #include <x86intrin.h>
    static double polyc_now(void) { return (double)__rdtsc(); }
    #define POLYC_TIME_FORMAT "%0.0f\\n"
    #else
    static double polyc_now(void)
    {
      struct timespec t;
      timespec_get(&t, TIME_UTC);
      return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
    }
    #define POLYC_TIME_FORMAT "%0.6f\\n"
    #endif
    #ifndef POLYBENCH_CACHE_SIZE_KB
    #define POLYBENCH_CACHE_SIZE_KB 32770
    #endif
    static void polyc_flush_cache(void)
    {
    #if defined(POLYBENCH_TIME) && !defined(POLYBENCH_NO_FLUSH_CACHE)
      size_t n = POLYBENCH_CACHE_SIZE_KB * 1024 / sizeof(double);
      double *flush = (double *)calloc(n, sizeof(double));
      double sum = 0.0;
      if (!flush) return;
      for (size_t i = 0; i < n; i++) sum += flush[i];
      if (sum > 10.0) fprintf(stderr, "polyc_flush_cache: %f\\n", sum);
      free(flush);
    #endif
    }

    """

  static func containsFinish(_ stmts: [Stmt]) -> Bool {
    stmts.contains { s in
      switch s.kind {
      case .dumpFinish: return true
      case .forLoop(let l): return containsFinish(l.body)
      case .ifStmt(_, let t, let e): return containsFinish(t) || containsFinish(e ?? [])
      default: return false
      }
    }
  }

  static func mainFunction(_ k: CheckedKernel) throws -> String {
    let printer = CExprPrinter(kernel: k)
    var out = "int main(int argc, char **argv)\n{\n"
    for p in k.sizeParameters { out += "  int \(p) = POLYC_SIZE_\(p);\n" }
    var arrays: [String] = []
    for p in k.file.parameters {
      switch p.kind {
      case .size: break
      case .scalar(let t): out += "  \(t.cName) \(p.name) = 0;\n"
      case .array(_, let t, let dims):
        out += "  " + heapArray(p.name, t, dims, printer) + "\n"
        arrays.append(p.name)
      }
    }
    out += HostCode(kernel: k).block(k.file.initBody, indent: 1)
    let args = k.file.parameters.map(\.name).joined(separator: ", ")
    out += openMPWarmUp
    out += "  polyc_flush_cache();\n"
    out += "  double polyc_t0 = polyc_now();\n"
    out += "  kernel_\(k.name)(\(args));\n"
    out += "  double polyc_t1 = polyc_now();\n"
    out += "#ifdef POLYBENCH_TIME\n  printf(POLYC_TIME_FORMAT, polyc_t1 - polyc_t0);\n#else\n  (void)polyc_t0; (void)polyc_t1;\n#endif\n"
    out += keepResultsLive
    out += "  if (polyc_dump) {\n"
    out += "  fprintf(stderr, \"==BEGIN DUMP_ARRAYS==\\n\");\n"
    out += HostCode(kernel: k).block(k.file.dumpBody, indent: 1)
    if !containsFinish(k.file.dumpBody) { out += "  fprintf(stderr, \"==END   DUMP_ARRAYS==\\n\");\n" }
    out += "  }\n"
    for a in arrays { out += "  free(\(a));\n" }
    out += "  return 0;\n}\n"
    return out
  }
}
