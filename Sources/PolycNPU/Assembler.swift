// Text assembly for the NPU ISA: one instruction per line.
//
//     LOAD INP sram=0 dram=64 y=10 x=58 stride=56 pad=1,0,1,1 padval=-3 pop_next push_next
//     LOAD WGT sram=0 dram=0 y=36 x=4 stride=4
//     LOAD ACC sram=3968 dram=10 y=1 x=16 stride=16
//     LOAD UOP sram=0 dram=2 y=1 x=144 stride=144
//     GEMM reset uop=0:4 iter=8,56 dst=224,4 src=0,0 wgt=0,0 pop_next
//     GEMM uop=4:148 iter=8,56 dst=224,4 src=58,1 wgt=0,0 pop_prev push_prev
//     ALU ADD uop=148:149 iter=448,4 dst=4,1 src=0,4
//     ALU MAX uop=152:153 iter=448,4 dst=4,1 src=0,0 imm=-128
//     STORE ACC sram=0 dram=0 y=448 x=4 stride=4 pop_prev push_prev
//     FINISH pop_next
//
// Grammar (mnemonics, memory types and flags are case-insensitive; the canonical form that
// `disassemble` prints is upper-case mnemonics and lower-case operands in the order above):
//
//     line     := [instr] [comment]          comment := (';' | '#') any*
//     instr    := 'LOAD' mtype operand* flag* | 'STORE' 'ACC' operand* flag*
//               | 'GEMM' ['reset'] operand* flag* | 'ALU' aluop operand* flag* | 'FINISH' flag*
//     mtype    := INP | WGT | ACC | UOP          aluop := ADD | MAX | MIN | SHR | MULH | SHL | MOV
//     operand  := key '=' value                  value := int | int ',' int ... | int ':' int
//     flag     := pop_prev | pop_next | push_prev | push_next
//
// LOAD/STORE operands: sram, dram, y, x, stride (required), pad=y0,y1,x0,x1 and padval
// (LOAD only, default 0). GEMM: uop=begin:end, iter=out,in (required), dst=out,in, src=out,in,
// wgt=out,in (default 0,0). ALU: the same without wgt, plus imm=value to use an immediate.
// Integers are decimal or 0x-prefixed hexadecimal, optionally signed.

import Foundation

/// A malformed line of assembly text.
public struct AssemblyError: Error, Equatable, CustomStringConvertible, LocalizedError {
  /// What is wrong with the line.
  public enum Kind: Equatable, Sendable {
    /// An instruction name other than LOAD, STORE, GEMM, ALU or FINISH.
    case unknownMnemonic(String)
    /// A memory type other than INP, WGT, ACC or UOP.
    case unknownMemoryType(String)
    /// An ALU operation other than ADD, MAX, MIN, SHR, MULH, SHL or MOV.
    case unknownAluOperation(String)
    /// An operand the instruction does not take.
    case unknownOperand(String)
    /// An operand given twice.
    case duplicateOperand(String)
    /// A required operand that is absent.
    case missingOperand(String)
    /// An operand value that is not an integer (list, range) of the expected form.
    case badValue(operand: String, text: String)
    /// Operands that do not encode as a valid instruction.
    case invalidInstruction(ISAError)
  }

  /// 1-based line number in the source text.
  public let line: Int
  /// What is wrong.
  public let kind: Kind

  /// An error on `line` (1-based).
  public init(line: Int, kind: Kind) {
    self.line = line
    self.kind = kind
  }

  /// `line N: what`.
  public var description: String {
    let what: String
    switch kind {
    case .unknownMnemonic(let s): what = "unknown mnemonic '\(s)' (expected LOAD, STORE, GEMM, ALU or FINISH)"
    case .unknownMemoryType(let s): what = "unknown memory type '\(s)' (expected INP, WGT, ACC or UOP)"
    case .unknownAluOperation(let s): what = "unknown ALU operation '\(s)' (expected ADD, MAX, MIN, SHR, MULH, SHL or MOV)"
    case .unknownOperand(let s): what = "unknown operand '\(s)'"
    case .duplicateOperand(let s): what = "operand '\(s)' given twice"
    case .missingOperand(let s): what = "missing operand '\(s)'"
    case let .badValue(op, text): what = "bad value '\(text)' for operand '\(op)'"
    case .invalidInstruction(let e): what = e.description
    }
    return "line \(line): \(what)"
  }

  /// The same text as `description`.
  public var errorDescription: String? { description }
}

/// The NPU's assembly text: assembling and disassembling programs.
public enum NPUAssembler {
  // MARK: Disassembly

  /// Canonical text of a program, one instruction per line, each line terminated by "\n".
  package static func disassemble(_ program: [Instruction]) -> String {
    var out = ""
    for inst in program {
      out += format(inst)
      out += "\n"
    }
    return out
  }

  /// Canonical text of one instruction.
  package static func format(_ inst: Instruction) -> String {
    var parts: [String] = []
    switch inst.operation {
    case .load(let m):
      parts = ["LOAD", m.memoryType.mnemonic] + memoryOperands(m)
      if m.hasPadding { parts.append("pad=\(m.yPad0),\(m.yPad1),\(m.xPad0),\(m.xPad1)") }
      if m.padValue != 0 { parts.append("padval=\(m.padValue)") }
    case .store(let m):
      parts = ["STORE", m.memoryType.mnemonic] + memoryOperands(m)
    case .gemm(let g):
      parts = ["GEMM"]
      if g.reset { parts.append("reset") }
      parts += [
        "uop=\(g.uopBegin):\(g.uopEnd)", "iter=\(g.iterOut),\(g.iterIn)",
        "dst=\(g.dstFactorOut),\(g.dstFactorIn)", "src=\(g.srcFactorOut),\(g.srcFactorIn)",
        "wgt=\(g.wgtFactorOut),\(g.wgtFactorIn)",
      ]
    case .alu(let a):
      parts = [
        "ALU", a.op.mnemonic, "uop=\(a.uopBegin):\(a.uopEnd)", "iter=\(a.iterOut),\(a.iterIn)",
        "dst=\(a.dstFactorOut),\(a.dstFactorIn)", "src=\(a.srcFactorOut),\(a.srcFactorIn)",
      ]
      if let imm = a.immediate { parts.append("imm=\(imm)") }
    case .finish:
      parts = ["FINISH"]
    }
    for (flag, name) in DependencyFlags.ordered where inst.deps.contains(flag) {
      parts.append(name)
    }
    return parts.joined(separator: " ")
  }

  private static func memoryOperands(_ m: MemoryInstruction) -> [String] {
    ["sram=\(m.sramBase)", "dram=\(m.dramBase)", "y=\(m.ySize)", "x=\(m.xSize)", "stride=\(m.xStride)"]
  }

  // MARK: Assembly

  /// Parses assembly text. Blank lines and comments are ignored.
  package static func assemble(_ text: String) throws -> [Instruction] {
    var program: [Instruction] = []
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      if let inst = try parseLine(String(rawLine), line: lineNumber) {
        program.append(inst)
      }
    }
    return program
  }

  /// Parses one line; nil for a blank or comment-only line.
  package static func parseLine(_ rawLine: String, line: Int) throws -> Instruction? {
    let code = stripComment(rawLine)
    let tokens = code.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
    guard let head = tokens.first else { return nil }
    var parser = LineParser(line: line, tokens: Array(tokens.dropFirst()))
    let inst: Instruction
    switch head.uppercased() {
    case "LOAD":
      let mt = try parser.memoryType()
      inst = Instruction(.load(try parser.memoryOperands(mt, allowPadding: true)))
    case "STORE":
      let mt = try parser.memoryType()
      inst = Instruction(.store(try parser.memoryOperands(mt, allowPadding: false)))
    case "GEMM":
      let reset = parser.consumeWord("reset")
      inst = Instruction(.gemm(try parser.gemmOperands(reset: reset)))
    case "ALU":
      let op = try parser.aluOperation()
      inst = Instruction(.alu(try parser.aluOperands(op)))
    case "FINISH":
      try parser.noOperands()
      inst = Instruction(.finish)
    default:
      throw AssemblyError(line: line, kind: .unknownMnemonic(head))
    }
    var withFlags = inst
    withFlags.deps = parser.flags
    do {
      try withFlags.validate()
    } catch let e as ISAError {
      throw AssemblyError(line: line, kind: .invalidInstruction(e))
    }
    return withFlags
  }

  private static func stripComment(_ line: String) -> Substring {
    if let i = line.firstIndex(where: { $0 == ";" || $0 == "#" }) { return line[..<i] }
    return Substring(line)
  }
}

/// Parses the operands and flags of one line.
private struct LineParser {
  let line: Int
  var tokens: [String]
  var operands: [String: String] = [:]
  var flags: DependencyFlags = []
  var parsedOperands = false

  init(line: Int, tokens: [String]) {
    self.line = line
    self.tokens = tokens
  }

  func error(_ kind: AssemblyError.Kind) -> AssemblyError { AssemblyError(line: line, kind: kind) }

  mutating func memoryType() throws -> MemoryType {
    guard !tokens.isEmpty, !tokens[0].contains("=") else { throw error(.missingOperand("memory type")) }
    let word = tokens.removeFirst()
    guard let mt = MemoryType.allCases.first(where: { $0.mnemonic == word.uppercased() }) else {
      throw error(.unknownMemoryType(word))
    }
    return mt
  }

  mutating func aluOperation() throws -> AluOpcode {
    guard !tokens.isEmpty, !tokens[0].contains("=") else { throw error(.missingOperand("ALU operation")) }
    let word = tokens.removeFirst()
    guard let op = AluOpcode.allCases.first(where: { $0.mnemonic == word.uppercased() }) else {
      throw error(.unknownAluOperation(word))
    }
    return op
  }

  mutating func consumeWord(_ word: String) -> Bool {
    if let first = tokens.first, first.lowercased() == word {
      tokens.removeFirst()
      return true
    }
    return false
  }

  /// Splits the remaining tokens into key=value operands and flags.
  mutating func split(allowed: Set<String>) throws {
    for t in tokens {
      if let eq = t.firstIndex(of: "=") {
        let key = t[..<eq].lowercased()
        let value = String(t[t.index(after: eq)...])
        guard allowed.contains(key) else { throw error(.unknownOperand(key)) }
        guard operands[key] == nil else { throw error(.duplicateOperand(key)) }
        operands[key] = value
      } else if let flag = DependencyFlags.ordered.first(where: { $0.1 == t.lowercased() }) {
        guard !flags.contains(flag.0) else { throw error(.duplicateOperand(flag.1)) }
        flags.insert(flag.0)
      } else {
        throw error(.unknownOperand(t))
      }
    }
    tokens = []
  }

  mutating func noOperands() throws {
    try split(allowed: [])
  }

  func integer(_ key: String, _ text: Substring) throws -> Int {
    var s = text
    var negative = false
    if s.hasPrefix("-") {
      negative = true
      s = s.dropFirst()
    } else if s.hasPrefix("+") {
      s = s.dropFirst()
    }
    let value: Int?
    if s.hasPrefix("-") || s.hasPrefix("+") {
      value = nil
    } else if s.lowercased().hasPrefix("0x") {
      value = Int(s.dropFirst(2), radix: 16)
    } else {
      value = Int(s)
    }
    guard let v = value, !s.isEmpty else { throw error(.badValue(operand: key, text: String(text))) }
    return negative ? -v : v
  }

  func scalar(_ key: String, required: Bool = true, default def: Int = 0) throws -> Int {
    guard let text = operands[key] else {
      if required { throw error(.missingOperand(key)) }
      return def
    }
    return try integer(key, Substring(text))
  }

  func list(_ key: String, count: Int, separator: Character, required: Bool) throws -> [Int] {
    guard let text = operands[key] else {
      if required { throw error(.missingOperand(key)) }
      return Array(repeating: 0, count: count)
    }
    let parts = text.split(separator: separator, omittingEmptySubsequences: false)
    guard parts.count == count else { throw error(.badValue(operand: key, text: text)) }
    do {
      return try parts.map { try integer(key, $0) }
    } catch {
      throw self.error(.badValue(operand: key, text: text))
    }
  }

  mutating func memoryOperands(_ mt: MemoryType, allowPadding: Bool) throws -> MemoryInstruction {
    var allowed: Set<String> = ["sram", "dram", "y", "x", "stride"]
    if allowPadding { allowed.formUnion(["pad", "padval"]) }
    try split(allowed: allowed)
    let pad = try list("pad", count: 4, separator: ",", required: false)
    return MemoryInstruction(
      memoryType: mt, sramBase: try scalar("sram"), dramBase: try scalar("dram"), ySize: try scalar("y"),
      xSize: try scalar("x"), xStride: try scalar("stride"), yPad0: pad[0], yPad1: pad[1], xPad0: pad[2],
      xPad1: pad[3], padValue: try scalar("padval", required: false))
  }

  mutating func gemmOperands(reset: Bool) throws -> GemmInstruction {
    try split(allowed: ["uop", "iter", "dst", "src", "wgt"])
    let uop = try list("uop", count: 2, separator: ":", required: true)
    let iter = try list("iter", count: 2, separator: ",", required: true)
    let dst = try list("dst", count: 2, separator: ",", required: false)
    let src = try list("src", count: 2, separator: ",", required: false)
    let wgt = try list("wgt", count: 2, separator: ",", required: false)
    return GemmInstruction(reset: reset, uopBegin: uop[0], uopEnd: uop[1], iterOut: iter[0], iterIn: iter[1],
                           dstFactorOut: dst[0], dstFactorIn: dst[1], srcFactorOut: src[0], srcFactorIn: src[1],
                           wgtFactorOut: wgt[0], wgtFactorIn: wgt[1])
  }

  mutating func aluOperands(_ op: AluOpcode) throws -> AluInstruction {
    try split(allowed: ["uop", "iter", "dst", "src", "imm"])
    let uop = try list("uop", count: 2, separator: ":", required: true)
    let iter = try list("iter", count: 2, separator: ",", required: true)
    let dst = try list("dst", count: 2, separator: ",", required: false)
    let src = try list("src", count: 2, separator: ",", required: false)
    let imm: Int? = operands["imm"] == nil ? nil : try scalar("imm")
    return AluInstruction(op: op, uopBegin: uop[0], uopEnd: uop[1], iterOut: iter[0], iterIn: iter[1],
                          dstFactorOut: dst[0], dstFactorIn: dst[1], srcFactorOut: src[0], srcFactorIn: src[1],
                          immediate: imm)
  }
}
