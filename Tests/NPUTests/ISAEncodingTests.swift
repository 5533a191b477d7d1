import Testing
@testable import PolycNPU

/// The 128-bit binary encoding: round trips and typed errors.
@Suite struct ISAEncodingTests {
  @Test(arguments: Opcode.allCases)
  func everyOpcodeRoundTripsWithRandomFields(opcode: Opcode) throws {
    var rng = DeterministicRandom(seed: UInt64(opcode.rawValue) + 100)
    for _ in 0..<200 {
      let inst = RandomInstructions.make(opcode, &rng)
      let word = try inst.encode()
      #expect(try Instruction.decode(word) == inst)
      #expect(InstructionWord(bytes: word.bytes) == word)
    }
  }

  @Test func binaryStreamRoundTrips() throws {
    let program = RandomInstructions.program(count: 500, seed: 9)
    let bytes = try NPUBinary.encode(program)
    #expect(bytes.count == 500 * 16)
    #expect(try NPUBinary.decode(bytes) == program)
    #expect(try NPUBinary.encode(try NPUBinary.decode(bytes)) == bytes)
  }

  @Test func fieldLayoutMatchesTheDocumentedBits() throws {
    let load = Instruction(.load(MemoryInstruction(memoryType: .input, sramBase: 1, dramBase: 0, ySize: 0, xSize: 0, xStride: 0)),
                           deps: [.pushNext])
    let w = try load.encode()
    #expect(w.lo == (0 | (1 << 6) | (2 << 7) | (1 << 9)))
    #expect(w.hi == 0)
    let finish = try Instruction(.finish, deps: [.popNext]).encode()
    #expect(finish.lo == 3 | (1 << 4))
    let padval = try Instruction(.load(MemoryInstruction(memoryType: .input, sramBase: 0, dramBase: 0, ySize: 0, xSize: 0, xStride: 0,
                                                         padValue: -1))).encode()
    #expect(padval.hi == 0xFF << 56)
  }

  @Test func invalidOpcodeIsATypedErrorWithTheInstructionIndex() throws {
    var bytes = try NPUBinary.encode([Instruction(.finish), Instruction(.finish), Instruction(.finish)])
    bytes[32] = 7
    #expect(throws: ISAError.invalidField(instruction: 2, field: "opcode", value: 7,
                                          reason: "opcodes are LOAD=0 STORE=1 GEMM=2 FINISH=3 ALU=4")) {
      try NPUBinary.decode(bytes)
    }
  }

  @Test func invalidFieldsInBinaryAreRejected() throws {
    func corrupt(_ inst: Instruction, _ f: BitField, _ v: Int) throws -> [UInt8] {
      var w = try inst.encode()
      try w.set(f, v)
      return w.bytes
    }
    let alu = Instruction(.alu(AluInstruction(op: .add, uopBegin: 0, uopEnd: 1, iterOut: 1, iterIn: 1)))
    let gemm = Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 1, iterOut: 1, iterIn: 1)))
    let store = Instruction(.store(MemoryInstruction(memoryType: .accumulator, sramBase: 0, dramBase: 0, ySize: 1, xSize: 1, xStride: 0)))
    let loadInp = Instruction(.load(MemoryInstruction(memoryType: .input, sramBase: 0, dramBase: 0, ySize: 1, xSize: 1, xStride: 0)))
    let cases: [([UInt8], String)] = [
      (try corrupt(alu, ISAFields.aluOp, 7), "aluOp"),
      (try corrupt(alu, ISAFields.aluReserved127, 1), "reserved"),
      (try corrupt(alu, ISAFields.imm, 5), "imm"),
      (try corrupt(gemm, ISAFields.gemmReserved, 1), "reserved"),
      (try corrupt(gemm, ISAFields.uopBegin, 5), "uopEnd"),
      (try corrupt(store, ISAFields.memoryType, Int(MemoryType.input.rawValue)), "memoryType"),
      (try corrupt(store, ISAFields.deps, Int(DependencyFlags.pushNext.rawValue)), "deps"),
      (try corrupt(loadInp, ISAFields.deps, Int(DependencyFlags.popPrev.rawValue)), "deps"),
      (try corrupt(Instruction(.finish), ISAFields.sramBase, 3), "finish.reserved"),
    ]
    for (bytes, field) in cases {
      do {
        _ = try NPUBinary.decode(bytes)
        Issue.record("decoding should fail for \(field)")
      } catch let e as ISAError {
        guard case let .invalidField(index, f, _, _) = e else {
          Issue.record("unexpected \(e)")
          continue
        }
        #expect(index == 0)
        #expect(f == field)
      }
    }
  }

  @Test func truncatedBinaryIsRejected() {
    #expect(throws: ISAError.truncatedBinary(byteCount: 17)) { try NPUBinary.decode([UInt8](repeating: 0, count: 17)) }
  }

  @Test func outOfRangeFieldsCannotBeEncoded() {
    let tooBig = Instruction(.gemm(GemmInstruction(uopBegin: 0, uopEnd: 1, iterOut: 1 << 14, iterIn: 1)))
    #expect(throws: ISAError.fieldOutOfRange(instruction: 3, field: "iterOut", value: 1 << 14, bits: 14)) {
      try NPUBinary.encode([Instruction(.finish), Instruction(.finish), Instruction(.finish), tooBig])
    }
    let negative = Instruction(.load(MemoryInstruction(memoryType: .input, sramBase: -1, dramBase: 0, ySize: 1, xSize: 1, xStride: 1)))
    #expect(throws: ISAError.self) { try negative.encode() }
    let badPad = Instruction(.load(MemoryInstruction(memoryType: .input, sramBase: 0, dramBase: 0, ySize: 1, xSize: 1, xStride: 1, padValue: 128)))
    #expect(throws: ISAError.fieldOutOfRange(instruction: nil, field: "padValue", value: 128, bits: 8)) { try badPad.encode() }
  }

  @Test func microOpsRoundTripAndRejectReservedBits() throws {
    let u = MicroOp(dst: 0xFFFF, src: 1234, wgt: 7)
    #expect(try MicroOp(encoded: try u.encoded()) == u)
    #expect(throws: ISAError.self) { try MicroOp(encoded: 1 << 50) }
    #expect(throws: ISAError.self) { try MicroOp(dst: 0x10000).encoded() }
  }

  @Test func instructionsGoToTheDocumentedModules() {
    func load(_ t: MemoryType) -> Instruction {
      Instruction(.load(MemoryInstruction(memoryType: t, sramBase: 0, dramBase: 0, ySize: 0, xSize: 0, xStride: 0)))
    }
    #expect(load(.input).module == .load)
    #expect(load(.weight).module == .load)
    #expect(load(.accumulator).module == .compute)
    #expect(load(.uop).module == .compute)
    #expect(Instruction(.finish).module == .compute)
    #expect(Instruction(.store(MemoryInstruction(memoryType: .accumulator, sramBase: 0, dramBase: 0, ySize: 0, xSize: 0, xStride: 0))).module == .store)
  }
}
