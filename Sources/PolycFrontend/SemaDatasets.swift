//===- SemaDatasets.swift - Datasets against the assumptions and arrays ---===//
//
// A dataset is a promise the generated program relies on: isl simplifies the
// code under the `assume` context, so a dataset that violates an assumption
// would run code that is wrong for it. Each dataset's values are therefore
// checked against every assumption, and every array must have a size a C
// `int` can index (PolyBench's programs index with `int`).
//
//===----------------------------------------------------------------------===//

extension Sema {
  /// Rejects a dataset that violates an assumption or gives an array a
  /// negative dimension or more elements than a C `int` counts.
  func checkDatasetValues(_ dataset: DatasetDecl) throws {
    for assumption in file.assumptions {
      guard let holds = Self.evaluate(assumption, dataset.values), holds != 0 else {
        throw error(Message.datasetViolatesAssumption(dataset.name, ASTPrinter.text(of: assumption)), at: dataset.location)
      }
    }
    for array in arrays.values.sorted(by: { $0.location.offset < $1.location.offset }) {
      var elements = 1
      for dimension in array.dimensions {
        guard let extent = Self.evaluate(dimension, dataset.values), extent >= 0 else {
          throw error(Message.datasetNegativeExtent(dataset.name, array.name, ASTPrinter.text(of: dimension)),
                      at: dataset.location)
        }
        let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
        guard !overflow, product <= Int(Int32.max) else {
          throw error(Message.datasetArrayTooLarge(dataset.name, array.name), at: dataset.location)
        }
        elements = product
      }
    }
  }

  /// The value of an affine expression or condition of the size parameters
  /// (conditions give 1 or 0); nil when it overflows or is not one.
  static func evaluate(_ e: Expr, _ values: [String: Int]) -> Int? {
    let value = { (x: Expr) in evaluate(x, values) }
    switch e.kind {
    case .intLiteral(let v): return v
    case .name(let n): return values[n]
    case .unary(.neg, let x): return value(x).flatMap { $0 == Int.min ? nil : -$0 }
    case .unary(.not, let x): return value(x).map { $0 == 0 ? 1 : 0 }
    case .binary(let op, let l, let r):
      guard let a = value(l), let b = value(r) else { return nil }
      return apply(op, a, b)
    case .call("min", let args) where args.count == 2:
      guard let a = value(args[0]), let b = value(args[1]) else { return nil }
      return Swift.min(a, b)
    case .call("max", let args) where args.count == 2:
      guard let a = value(args[0]), let b = value(args[1]) else { return nil }
      return Swift.max(a, b)
    case .call("floordiv", let args) where args.count == 2:
      guard let a = value(args[0]), let b = value(args[1]), b > 0 else { return nil }
      return a >= 0 ? a / b : -((-a + b - 1) / b)
    case .call("ceildiv", let args) where args.count == 2:
      guard let a = value(args[0]), let b = value(args[1]), b > 0 else { return nil }
      return a >= 0 ? (a + b - 1) / b : -((-a) / b)
    default:
      return nil
    }
  }

  private static func apply(_ op: BinaryOp, _ a: Int, _ b: Int) -> Int? {
    let truth = { (c: Bool) in c ? 1 : 0 }
    switch op {
    case .add: let r = a.addingReportingOverflow(b); return r.overflow ? nil : r.partialValue
    case .sub: let r = a.subtractingReportingOverflow(b); return r.overflow ? nil : r.partialValue
    case .mul: let r = a.multipliedReportingOverflow(by: b); return r.overflow ? nil : r.partialValue
    case .lt: return truth(a < b)
    case .le: return truth(a <= b)
    case .gt: return truth(a > b)
    case .ge: return truth(a >= b)
    case .eq: return truth(a == b)
    case .ne: return truth(a != b)
    case .and: return truth(a != 0 && b != 0)
    case .or: return truth(a != 0 || b != 0)
    case .div, .rem: return nil
    }
  }
}
