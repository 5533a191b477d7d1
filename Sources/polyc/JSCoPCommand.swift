//===- JSCoPCommand.swift - `polyc jscop` ---------------------------------===//
//
// Thin: reads a JSCoP exported by Polly, schedules it under the strategy
// (Driver/JSCoPRun.swift) and writes it back with the new schedule, for
// Polly's `-polly-import-jscop` (docs/jscop.md).
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import PolycDriver
import Foundation

struct JSCoPCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "jscop",
    abstract: "Schedule a SCoP exported by Polly (JSCoP) and write it back with the new schedule.")

  @Argument(help: "The JSCoP file (Polly's -polly-export).")
  var input: String

  @Option(name: .long, help: "The strategy file (JSON), e.g. Configs/pluto.json.")
  var config: String?

  @Option(name: .shortAndLong, help: "Write the JSCoP to this file instead of stdout (Polly reads <function>___<region>.jscop).")
  var output: String?

  @Flag(name: [.short, .long], help: "Print the scheduler's and the transforms' notes on stderr.")
  var verbose = false

  func run() throws {
    try runReportingErrors {
      let text: String
      do { text = try String(contentsOfFile: input, encoding: .utf8) } catch {
        throw PolycError.io("cannot read '\(input)': \(error.localizedDescription)")
      }
      let strategy = try Pipeline.loadStrategy(path: config)
      let scheduled = try Pipeline.scheduleJSCoP(text: text, path: input, strategy: strategy, ctx: makeContext())
      if verbose {
        FileHandle.standardError.write((scheduled.result.notes + scheduled.transforms.notes).map { "note: \($0)\n" }.joined().data(using: .utf8)!)
      }
      try writeOutput(try scheduled.file.render(), to: output)
    }
  }
}
