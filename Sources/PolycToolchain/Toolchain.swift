//===- Toolchain.swift - Running the system C compiler and programs -------===//
//
// Used by `polyc bench`, `polyc npu` and the end-to-end tests: compile a C
// file with the system compiler, run a program with a time limit, capture
// its output. This module is the only one that spawns processes; the
// embeddable library (the `PolycKit` product) never does. A host that wants
// `NPURunner` to cross-check the NPU against the CPU passes a
// `CProgramRunner`, for example `SystemCProgramRunner` below.
//
//===----------------------------------------------------------------------===//

import Foundation
import PolycDriver

/// How a program run by `ProcessRunner` ended, with its output.
public struct ProcessResult: Sendable {
  /// The exit status (the signal number when a signal ended it).
  public var status: Int32
  /// Everything it wrote to standard output (UTF-8, invalid bytes replaced).
  public var stdout: String
  /// Everything it wrote to standard error (UTF-8, invalid bytes replaced).
  public var stderr: String
  /// It was killed after its time limit.
  public var timedOut: Bool
}

/// Runs programs with a time limit and captures their output.
public enum ProcessRunner {
  /// Runs `executable` with `arguments`; kills it after `timeout` seconds.
  public static func run(_ executable: String, _ arguments: [String], timeout: Double = 600,
                         environment: [String: String]? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let outBox = DataBox(), errBox = DataBox()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outBox.data = readAll(out.fileHandleForReading); group.leave() }
    group.enter()
    DispatchQueue.global().async { errBox.data = readAll(err.fileHandleForReading); group.leave() }
    var timedOut = false
    if group.wait(timeout: .now() + timeout) == .timedOut {
      timedOut = true
      // SIGKILL, not `terminate()`'s SIGTERM: a child spawned from a Dispatch or Swift
      // concurrency thread inherits that thread's signal mask, in which SIGTERM is blocked, and
      // would never see it (a random program's polyc ran on for 20 minutes past its timeout).
      kill(p.processIdentifier, SIGKILL)
      group.wait()
    }
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outBox.data, as: UTF8.self),
                         stderr: String(decoding: errBox.data, as: UTF8.self), timedOut: timedOut)
  }

  /// Everything until end of file. `FileHandle.readDataToEndOfFile` traps when
  /// a signal (a child's SIGCHLD) interrupts its read; this retries on EINTR.
  static func readAll(_ handle: FileHandle) -> Data {
    let fd = handle.fileDescriptor
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n > 0 {
        data.append(contentsOf: buffer[0..<n])
      } else if n < 0 && errno == EINTR {
        continue
      } else {
        return data
      }
    }
  }

  /// Finds a program on PATH.
  public static func which(_ name: String) -> String? {
    if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let p = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }
}

/// Written by one reader thread, read after the DispatchGroup wait.
private final class DataBox: @unchecked Sendable {
  var data = Data()
}

/// The system C compiler.
public struct CCompiler: Sendable {
  /// The compiler, a name looked up on PATH or a path (default `cc`).
  public var command: String
  /// Flags put before the source file (default `-O2`); `-lm` is always added at the end.
  public var flags: [String]

  /// A compiler invoked as `command flags... source -o output -lm`.
  public init(command: String = "cc", flags: [String] = ["-O2"]) {
    self.command = command
    self.flags = flags
  }

  /// A compiler that is not found or that fails.
  public struct Failure: Error, CustomStringConvertible {
    /// The reason, with the compiler's diagnostics when it ran.
    public var message: String
    /// A failure with its message.
    public init(message: String) { self.message = message }
    /// The message.
    public var description: String { message }
  }

  /// Compiles `source` to `output`; returns the compiler's diagnostics (warnings).
  @discardableResult
  public func compile(source: String, output: String, extraFlags: [String] = []) throws -> String {
    guard let cc = ProcessRunner.which(command) else { throw Failure(message: "C compiler '\(command)' not found") }
    let r = try ProcessRunner.run(cc, flags + extraFlags + [source, "-o", output, "-lm"], timeout: 300)
    guard r.status == 0 else { throw Failure(message: "\(command) failed on \(source):\n\(r.stderr)") }
    return r.stderr
  }
}

/// Runs the CPU cross-check of `NPURunner.run`: compiles the binary-I/O C
/// program with the system compiler in a temporary directory and runs it.
public struct SystemCProgramRunner: CProgramRunner {
  /// The compiler (default `cc -O2 -ffp-contract=off`, so floating point matches the reference).
  public var compiler: CCompiler
  /// Seconds the program may run.
  public var timeout: Double

  /// A runner with the given compiler and time limit in seconds (default 600).
  public init(compiler: CCompiler = CCompiler(command: "cc", flags: ["-O2", "-ffp-contract=off"]), timeout: Double = 600) {
    self.compiler = compiler
    self.timeout = timeout
  }

  /// Compiles `source`, writes `input` to a file, runs the program and returns the bytes it wrote.
  ///
  /// - Throws: `PolycError.io` when it does not compile, fails, times out or writes no output.
  public func run(program source: String, name: String, input: [UInt8]) throws -> [UInt8] {
    let dir = NSTemporaryDirectory() + "polyc-npu-\(name)-\(UUID().uuidString.prefix(8))"
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let src = "\(dir)/\(name).c", bin = "\(dir)/\(name)", inFile = "\(dir)/in.bin", outFile = "\(dir)/out.bin"
      try source.write(toFile: src, atomically: true, encoding: .utf8)
      try compiler.compile(source: src, output: bin)
      try Data(input).write(to: URL(fileURLWithPath: inFile))
      let r = try ProcessRunner.run(bin, [inFile, outFile], timeout: timeout)
      guard r.status == 0, !r.timedOut else {
        throw PolycError.io("the CPU program of '\(name)' failed (status \(r.status)\(r.timedOut ? ", timed out" : "")): \(r.stderr)")
      }
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: outFile)))
    } catch let e as PolycError {
      throw e
    } catch {
      throw PolycError.io("CPU check: \(error)")
    }
  }
}
