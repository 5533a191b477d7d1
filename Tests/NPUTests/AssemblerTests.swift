import Testing
@testable import PolycNPU

/// Text assembly: canonical round trips and malformed-line errors.
@Suite struct AssemblerTests {
  static let canonical = """
    LOAD UOP sram=0 dram=576 y=1 x=26 stride=0
    LOAD ACC sram=0 dram=52 y=1 x=4 stride=0
    LOAD INP sram=0 dram=0 y=5 x=5 stride=7 pad=1,0,1,0 padval=-11
    LOAD WGT sram=0 dram=4 y=9 x=1 stride=1 push_next
    GEMM reset uop=0:1 iter=4,4 dst=4,1 src=0,0 wgt=0,0 pop_prev
    GEMM uop=1:10 iter=4,4 dst=4,1 src=6,1 wgt=0,0
    ALU ADD uop=10:11 iter=16,1 dst=1,0 src=0,0
    ALU MULH uop=11:12 iter=16,1 dst=1,0 src=0,4
    ALU SHR uop=12:13 iter=16,1 dst=1,0 src=0,0
    ALU SHL uop=12:13 iter=16,1 dst=1,0 src=0,0
    ALU MOV uop=12:13 iter=16,1 dst=1,0 src=0,0 imm=3
    ALU MAX uop=10:11 iter=16,1 dst=1,0 src=0,0 imm=-128
    ALU MIN uop=10:11 iter=16,1 dst=1,0 src=0,0 imm=127 push_prev push_next
    STORE ACC sram=4 dram=224 y=4 x=4 stride=7 pop_prev push_prev
    FINISH pop_next

    """

  @Test func canonicalTextRoundTripsThroughBinary() throws {
    let program = try NPUAssembler.assemble(Self.canonical)
    #expect(program.count == 15)
    let binary = try NPUBinary.encode(program)
    #expect(NPUAssembler.disassemble(try NPUBinary.decode(binary)) == Self.canonical)
  }

  @Test func binaryRoundTripsThroughText() throws {
    let program = RandomInstructions.program(count: 400, seed: 21)
    let binary = try NPUBinary.encode(program)
    let text = NPUAssembler.disassemble(try NPUBinary.decode(binary))
    #expect(try NPUBinary.encode(try NPUAssembler.assemble(text)) == binary)
  }

  @Test func commentsBlankLinesCaseAndHexAreAccepted() throws {
    let text = """
      ; a comment

      load inp sram=0x10 dram=+2 y=1 x=1 stride=0   # trailing comment
      gemm RESET uop=0:1 iter=1,1 POP_PREV
      """
    let p = try NPUAssembler.assemble(text)
    #expect(NPUAssembler.disassemble(p) == """
      LOAD INP sram=16 dram=2 y=1 x=1 stride=0
      GEMM reset uop=0:1 iter=1,1 dst=0,0 src=0,0 wgt=0,0 pop_prev

      """)
  }

  @Test func lowererOutputReassemblesToTheSameProgram() throws {
    let program = try NPULowering.lower(.gemm(GemmWorkload.random(m: 20, n: 20, k: 40, seed: 2)), hw: .npu16)
    #expect(try NPUAssembler.assemble(program.assembly()) == program.instructions)
  }

  @Test(arguments: [
    ("FINISH\nJUMP 3", AssemblyError(line: 2, kind: .unknownMnemonic("JUMP"))),
    ("LOAD XYZ sram=0 dram=0 y=1 x=1 stride=0", AssemblyError(line: 1, kind: .unknownMemoryType("XYZ"))),
    ("\n\nLOAD INP sram=0 dram=0 y=1 x=1", AssemblyError(line: 3, kind: .missingOperand("stride"))),
    ("GEMM uop=0:1 iter=1,1 foo=2", AssemblyError(line: 1, kind: .unknownOperand("foo"))),
    ("GEMM uop=0:1 iter=1,1 pop_later", AssemblyError(line: 1, kind: .unknownOperand("pop_later"))),
    ("GEMM uop=0:1 uop=0:1 iter=1,1", AssemblyError(line: 1, kind: .duplicateOperand("uop"))),
    ("GEMM uop=0-1 iter=1,1", AssemblyError(line: 1, kind: .badValue(operand: "uop", text: "0-1"))),
    ("ALU ADD uop=0:1 iter=1,x", AssemblyError(line: 1, kind: .badValue(operand: "iter", text: "1,x"))),
    ("ALU DIV uop=0:1 iter=1,1", AssemblyError(line: 1, kind: .unknownAluOperation("DIV"))),
    ("STORE ACC sram=0 dram=0 y=1 x=1 stride=0 pad=1,0,0,0", AssemblyError(line: 1, kind: .unknownOperand("pad"))),
    ("GEMM uop=0:1 iter=99999,1", AssemblyError(line: 1, kind: .invalidInstruction(
      .fieldOutOfRange(instruction: nil, field: "iterOut", value: 99999, bits: 14)))),
    ("LOAD INP sram=0 dram=0 y=1 x=1 stride=0 pop_prev", AssemblyError(line: 1, kind: .invalidInstruction(.invalidField(
      instruction: nil, field: "deps", value: 1,
      reason: "LOAD INP runs on the load module, which has no previous module (pop_prev/push_prev)")))),
    ("STORE INP sram=0 dram=0 y=1 x=1 stride=0", AssemblyError(line: 1, kind: .invalidInstruction(.invalidField(
      instruction: nil, field: "memoryType", value: 2, reason: "STORE reads the accumulator scratchpad (ACC=3)")))),
  ])
  func malformedTextIsATypedErrorWithTheLineNumber(text: String, expected: AssemblyError) {
    #expect(throws: expected) { try NPUAssembler.assemble(text) }
  }

  @Test func errorMessagesNameTheLine() {
    do {
      _ = try NPUAssembler.assemble("FINISH\nFINISH\nBOGUS")
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".hasPrefix("line 3: unknown mnemonic 'BOGUS'"))
    }
  }
}
