//===- main.swift - The polyc command line --------------------------------===//
//
// Thin: parses arguments, calls the Driver library, prints, and maps every
// user error to exit status 1 with a message on stderr.
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Driver
import Foundation
import ISL
import NPU

struct Polyc: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "polyc",
    abstract: "A configurable polyhedral loop scheduler for CPU and NPU kernels.",
    subcommands: [Compile.self, BenchCommand.self, NPUCommand.self],
    defaultSubcommand: Compile.self)
}

extension EmitKind: ExpressibleByArgument {}

struct Compile: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Compile a .loop kernel (the default subcommand).")

  @Argument(help: "The kernel source (.loop).")
  var kernel: String

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

  @Option(name: .long, help: "--emit npu: the hardware description (JSON); overrides the strategy's target.hardware.")
  var hw: String?

  @Option(name: .long, parsing: .singleValue, help: "--emit npu: size parameters, e.g. --set M=37,N=50 (override the data set's values).")
  var set: [String] = []

  func run() throws {
    try runReportingErrors {
      let k = try Pipeline.loadKernel(path: kernel)
      let text: String
      if emit == .ast {
        text = Pipeline.sourceText(k)
      } else {
        let s = try Pipeline.loadStrategy(path: config)
        let c = try Pipeline.compile(kernel: k, strategy: s, ctx: makeContext())
        if verbose {
          let notes = c.result.notes + (c.transforms?.notes ?? [])
          FileHandle.standardError.write(notes.map { "note: \($0)\n" }.joined().data(using: .utf8)!)
        }
        if emit == .npu {
          let options = NPUKernelRunOptions(hw: try loadHardware(hw))
          text = try NPURunner.assembly(c, dataset: dataset, options: options, overrides: try NPURunner.parseSet(set))
        } else {
          text = try Pipeline.emit(emit, c, dataset: dataset)
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

Polyc.main()
