//===- main.swift - The polyc command line --------------------------------===//
//
// Thin: parses arguments, calls the Driver library, prints, and maps every
// user error to exit status 1 with a message on stderr.
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import PolycDriver
import PolycScheduler
import Foundation
import PolycISL
import PolycNPU

/// `polyc --version`.
let polycVersion = "polyc 0.5.0 (\(Context.islVersion.trimmingCharacters(in: .whitespacesAndNewlines)))"

struct Polyc: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "polyc",
    abstract: "A configurable polyhedral loop scheduler for CPU and NPU kernels.",
    discussion: """
      polyc KERNEL.loop --config STRATEGY.json [--emit c|program|schedule|deps|scop|jscop|ast|npu]
      polyc bench ...          PolyBench-style campaigns (docs/bench.md)
      polyc npu KERNEL.loop    compile to the simulated NPU, simulate, check bit for bit (docs/npu.md)
      polyc tune KERNEL.loop   search the strategy space of one kernel (docs/tune.md)
      polyc jscop IN.jscop     schedule a SCoP exported by Polly and write it back (docs/jscop.md)
      See README.md and docs/ for the loop language, strategies and the NPU.
      """,
    version: polycVersion,
    subcommands: [Compile.self, BenchCommand.self, NPUCommand.self, TuneCommand.self, JSCoPCommand.self],
    defaultSubcommand: Compile.self)
}

extension EmitKind: ExpressibleByArgument {}

struct Compile: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Compile a .loop kernel (the default subcommand).")

  @Argument(help: "The kernel source (.loop).")
  var kernel: String?

  @Option(name: .long, help: "The strategy file (JSON), e.g. Configs/identity.json.")
  var config: String?

  @Option(name: .long, help: "What to print: \(EmitKind.allCases.map(\.rawValue).joined(separator: ", ")).")
  var emit: EmitKind = .c

  @Option(name: .long, help: "Default data set of --emit program (MINI, SMALL, MEDIUM, LARGE, EXTRALARGE).")
  var dataset: String?

  @Option(name: .shortAndLong, help: "Write the output to this file instead of stdout.")
  var output: String?

  @Flag(name: [.short, .long], help: "Print the scheduler's and the transforms' notes (what each pass did or skipped) on stderr.")
  var verbose = false

  @Flag(name: .long, help: "Override the strategy: tile permutable bands (tiling.enabled).")
  var tile = false

  @Option(name: .long, help: "Override the strategy: tile sizes, one per band member, e.g. 32,32,64 (implies --tile).")
  var tileSizes: String?

  @Flag(name: .long, help: "Override the strategy: OpenMP-parallel outermost parallel loops (parallelism.openmp).")
  var parallel = false

  @Option(name: .long, help: "Override the strategy's fusion policy: none, smart, connected or max.")
  var fuse: String?

  @Option(name: .long, help: "Use this schedule tree (isl's text or --emit schedule output) instead of the scheduler's; it is checked for legality.")
  var loadSchedule: String?

  @Option(name: .long, help: "--emit npu: the hardware description (JSON); overrides the strategy's target.hardware.")
  var hw: String?

  @Option(name: .long, parsing: .singleValue,
          help: "Fix size parameters, e.g. --set M=37,N=50: the model, schedule and C are specialised to them (--emit npu: the sizes lowered, overriding the data set's).")
  var set: [String] = []

  @Option(name: .customShort("D", allowingJoined: true), parsing: .singleValue, help: "Same as --set, one parameter: -D N=1000 or -DN=1000.")
  var define: [String] = []

  func validate() throws {
    if let t = tileSizes {
      let parts = t.split(separator: ",", omittingEmptySubsequences: false)
      guard !parts.isEmpty, parts.allSatisfy({ Int($0).map { $0 >= 1 && $0 <= 1 << 20 } ?? false }) else {
        throw ValidationError("--tile-sizes expects positive integers (at most \(1 << 20)) separated by commas, got '\(t)'")
      }
    }
    do {
      _ = try NPURunner.parseSet(set + define)
    } catch let e as PolycError {
      throw ValidationError(e.description.replacingOccurrences(of: "error: ", with: ""))
    }
    if let f = fuse, !["none", "smart", "connected", "max"].contains(f) {
      throw ValidationError("--fuse must be none, smart, connected or max (got '\(f)')")
    }
  }

  /// The strategy with the command-line overrides applied.
  func overridden(_ strategy: Strategy) -> Strategy {
    var s = strategy
    if tile || tileSizes != nil { s.tiling.enabled = true }
    if let t = tileSizes { s.tiling.sizes = .fixed(t.split(separator: ",").compactMap { Int($0) }) }
    if parallel { s.parallelism.openmp = true }
    switch fuse {
    case "none": s.fusion = .none
    case "smart": s.fusion = .smart
    case "connected": s.fusion = .connected
    case "max": s.fusion = .max
    default: break
    }
    return s
  }

  func run() throws {
    guard let kernel else {
      print(Polyc.helpMessage())
      return
    }
    try runReportingErrors {
      let fixed = try NPURunner.parseSet(set + define)
      let source = try Pipeline.loadKernel(path: kernel)
      let k = emit == .npu || fixed.isEmpty ? source : try Pipeline.fixing(source, parameters: fixed)
      let text: String
      do {
        let s = overridden(try Pipeline.loadStrategy(path: config))
        let loaded = try loadSchedule.map { path in
          do { return try String(contentsOfFile: path, encoding: .utf8) } catch { throw PolycError.io("cannot read '\(path)': \(error.localizedDescription)") }
        }
        let c = try Pipeline.compile(kernel: k, strategy: s, ctx: makeContext(), loadedSchedule: loaded)
        if verbose {
          FileHandle.standardError.write(c.notes.map { "note: \($0)\n" }.joined().data(using: .utf8)!)
        }
        var stages = c.stageTimes
        text = try timed("emit \(emit.rawValue)", &stages) {
          if emit == .npu {
            return try NPURunner.assembly(c, dataset: dataset, options: NPUKernelRunOptions(hw: try loadHardware(hw)), overrides: fixed)
          }
          return try Pipeline.emit(emit, c, dataset: dataset)
        }
        if verbose {
          let total = stages.map(\.seconds).reduce(0, +)
          FileHandle.standardError.write(("time: " + stages.map { String(format: "%@ %.3f s", $0.stage, $0.seconds) }.joined(separator: ", ")
            + String(format: "; total %.3f s\n", total)).data(using: .utf8)!)
        }
      }
      try writeOutput(text, to: output)
    }
  }
}

/// The hardware file given with `--hw`, or nil.
func loadHardware(_ path: String?) throws -> HardwareConfig? {
  guard let path else { return nil }
  do {
    return try HardwareConfig.load(path: path)
  } catch {
    throw PolycError.io("\(path): \(error)")
  }
}

/// A fresh isl context. With POLYC_ISL_LEAK_CHECK set, the context is freed
/// in abort-on-error mode, so an isl object leaked by polyc aborts the run.
func makeContext() -> Context {
  let ctx = Context()
  if ProcessInfo.processInfo.environment["POLYC_ISL_LEAK_CHECK"] != nil { ctx.abortOnLeakAtFree = true }
  return ctx
}

func writeOutput(_ text: String, to path: String?) throws {
  guard let path else {
    FileHandle.standardOutput.write(text.data(using: .utf8)!)
    return
  }
  guard FileManager.default.createFile(atPath: path, contents: text.data(using: .utf8)) else {
    throw PolycError.io("cannot write '\(path)'")
  }
}

/// Runs `body`; a user error prints its message and exits with status 1.
func runReportingErrors(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let e as PolycError {
    FileHandle.standardError.write((e.description + "\n").data(using: .utf8)!)
    throw ExitCode(1)
  } catch let e as ExitCode {
    throw e
  } catch {
    FileHandle.standardError.write(("error: \(error)\n").data(using: .utf8)!)
    throw ExitCode(1)
  }
}

/// `-DN=1000` as C compilers and PPCG spell it: swift-argument-parser splits a joined short
/// option at `=`, so the joined form is given to it as `-D N=1000`.
func splittingJoinedDefines(_ arguments: [String]) -> [String] {
  arguments.flatMap { a -> [String] in
    a.hasPrefix("-D") && a.count > 2 && !a.hasPrefix("--") ? ["-D", String(a.dropFirst(2))] : [a]
  }
}

Polyc.main(Array(splittingJoinedDefines(Array(CommandLine.arguments.dropFirst()))))
