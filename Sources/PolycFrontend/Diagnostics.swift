//===- Diagnostics.swift - Errors of the polyc frontend --------------------===//
//
// Every error of the lexer, parser and semantic analysis is a `Diagnostic`: a
// file, a line and column, a message, and the offending source line, rendered
// as clang does:
//
//     gemm.loop:4:27: error: subscript is not affine: 'A[i * k]'
//         for j in 0 ..< nj { C[i][j] += A[i * k][j] }
//                                        ^
//
// The message texts live in `Message`, one named constant or function each.
//
//===----------------------------------------------------------------------===//

import Foundation

/// An error in a `.loop` file, with the position it refers to.
public struct Diagnostic: Error, LocalizedError, CustomStringConvertible, Sendable, Hashable {
  /// The file the error is in.
  public var path: String
  /// Where in the file (`SourceLocation.unknown` for the whole file).
  public var location: SourceLocation
  /// What is wrong, without the file and location.
  public var message: String
  /// The text of the offending line, when known.
  public var sourceLine: String?

  /// A diagnostic at `location` of `path`, with the offending line when known.
  public init(path: String, location: SourceLocation, message: String, sourceLine: String? = nil) {
    self.path = path
    self.location = location
    self.message = message
    self.sourceLine = sourceLine
  }

  /// A diagnostic whose source line is taken from `text`.
  public init(path: String, location: SourceLocation, message: String, text: String) {
    self.init(path: path, location: location, message: message,
              sourceLine: Self.line(location.line, of: text))
  }

  /// `path:line:column: error: message`, then the source line with a caret under the column.
  public var description: String {
    guard location != .unknown else { return "\(path): error: \(message)" }
    let header = "\(path):\(location.line):\(location.column): error: \(message)"
    guard let sourceLine else { return header }
    return header + "\n" + sourceLine + "\n" + Self.caretPadding(sourceLine, column: location.column) + "^"
  }

  /// The same text as `description`.
  public var errorDescription: String? { description }

  /// Spaces up to `column` (1-based, in UTF-8 bytes), keeping the tabs of the
  /// line so that the caret lines up in a terminal.
  static func caretPadding(_ line: String, column: Int) -> String {
    let prefix = String(decoding: Array(line.utf8).prefix(max(column - 1, 0)), as: UTF8.self)
    let padding = prefix.map { $0 == "\t" ? "\t" : " " }.joined()
    let missing = max(column - 1 - prefix.utf8.count, 0)
    return padding + String(repeating: " ", count: missing)
  }

  /// Line `number` (1-based) of `text`, without its line terminator.
  static func line(_ number: Int, of text: String) -> String? {
    guard number >= 1 else { return nil }
    var current = 1
    var lineStart = text.utf8.startIndex
    var index = lineStart
    let utf8 = text.utf8
    while index != utf8.endIndex {
      if utf8[index] == UInt8(ascii: "\n") {
        if current == number { return lineText(text, lineStart, index) }
        current += 1
        lineStart = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    return current == number ? lineText(text, lineStart, index) : nil
  }

  private static func lineText(_ text: String, _ start: String.Index, _ end: String.Index) -> String {
    var line = String(text.utf8[start..<end]) ?? String(decoding: text.utf8[start..<end], as: UTF8.self)
    if line.hasSuffix("\r") { line.removeLast() }
    return line
  }
}

/// The texts of all frontend error messages.
enum Message {
  // Files.
  static func cannotReadFile(_ reason: String) -> String { "cannot read file: \(reason)" }

  // Lexical errors.
  static let unterminatedComment = "unterminated '/*' comment"
  static let unterminatedString = "unterminated string literal"
  static let integerTooLarge = "integer literal is too large (the largest C int is 2147483647)"
  static let malformedExponent = "expected digits in the exponent of a floating literal"
  static let twoDots = "unexpected '..'; did you mean '..<' or '...'?"
  static func unexpectedCharacter(_ c: String) -> String { "unexpected character '\(c)'" }
  static func didYouMean(_ c: String, _ suggestion: String) -> String {
    "unexpected character '\(c)'; did you mean '\(suggestion)'?"
  }
  static func invalidSuffix(_ s: String) -> String { "invalid suffix '\(s)' on numeric literal" }

  // Syntax errors.
  static func expected(_ what: String, found: String) -> String { "expected \(what), found \(found)" }
  static func unclosedBlock(_ open: SourceLocation) -> String {
    "expected '}' to close the block opened at \(open)"
  }
  static func unknownType(_ name: String) -> String { "unknown type '\(name)'" }
  static let zeroStep = "'step' must be a positive integer constant"
  static func duplicateSection(_ name: String) -> String { "duplicate '\(name)' section (at most one is allowed)" }
  static func castArity(_ type: String, _ count: Int) -> String {
    "cast to '\(type)' takes 1 argument but \(count) \(count == 1 ? "was" : "were") given"
  }
  static let subscriptOfNonName = "only arrays can be subscripted"
  static func expressionTooDeep(_ limit: Int) -> String { "expression nesting too deep (more than \(limit) levels)" }
  static func statementTooDeep(_ limit: Int) -> String { "statement nesting too deep (more than \(limit) levels)" }
  static func loopNestTooDeep(_ limit: Int) -> String {
    "loop nest too deep (more than \(limit) nested loops in the kernel body)"
  }
  static func duplicateDatasetValue(_ name: String) -> String { "duplicate value for '\(name)' in dataset" }

  // Names.
  static func undeclared(_ name: String) -> String { "use of undeclared name '\(name)'" }
  static func undeclaredFunction(_ name: String) -> String { "call to undeclared function '\(name)'" }
  static func notAFunction(_ name: String) -> String { "'\(name)' is not a function" }
  static func duplicateDeclaration(_ name: String, _ previous: SourceLocation) -> String {
    previous == .unknown ? "duplicate declaration of '\(name)'"
      : "duplicate declaration of '\(name)' (previously declared at \(previous))"
  }
  static func iteratorShadowsIterator(_ name: String) -> String {
    "iterator '\(name)' shadows an enclosing iterator"
  }
  static func iteratorShadowsName(_ name: String) -> String {
    "iterator '\(name)' shadows the declared name '\(name)'"
  }
  static func duplicateLabel(_ name: String) -> String { "duplicate statement label '\(name)'" }
  static func sizeUsedBeforeDeclaration(_ name: String) -> String {
    "size parameter '\(name)' must be declared before the arrays that use it"
  }

  // Arity.
  static func subscriptCount(_ name: String, dims: Int, got: Int) -> String {
    "array '\(name)' has \(dims) dimension\(dims == 1 ? "" : "s") but is accessed with \(got) subscript\(got == 1 ? "" : "s")"
  }
  static func arrayWithoutSubscripts(_ name: String) -> String { "array '\(name)' used without subscripts" }
  static func notAnArray(_ name: String) -> String { "'\(name)' is not an array and cannot be subscripted" }
  static func functionArity(_ name: String, expected: Int, got: Int) -> String {
    "'\(name)' takes \(expected) argument\(expected == 1 ? "" : "s") but \(got) \(got == 1 ? "was" : "were") given"
  }

  // Types.
  static func remainderOnFloat(_ type: String) -> String { "'%' requires integer operands, found '\(type)'" }
  static func subscriptNotInteger(_ type: String) -> String { "subscript must be an integer, found '\(type)'" }
  static func boundNotInteger(_ type: String) -> String { "loop bound must be an integer, found '\(type)'" }
  static func conditionNotInteger(_ type: String) -> String { "condition must be an integer, found '\(type)'" }
  static func dimensionNotInteger(_ type: String) -> String { "array dimension must be an integer, found '\(type)'" }
  static func integerArgument(_ function: String, _ type: String) -> String {
    "'\(function)' requires integer arguments, found '\(type)'"
  }
  static func narrowing(from: String, to: String) -> String {
    "cannot implicitly convert '\(from)' to '\(to)'; write an explicit cast '\(to)(...)'"
  }

  // Assignments.
  static func assignToInArray(_ name: String) -> String { "cannot assign to 'in' array '\(name)'" }
  static func assignToSizeParameter(_ name: String) -> String {
    "cannot assign to size parameter '\(name)' in the kernel body"
  }
  static func assignToScalarParameter(_ name: String) -> String {
    "cannot assign to scalar parameter '\(name)' in the kernel body (scalar parameters are read-only there)"
  }
  static func assignToIterator(_ name: String) -> String { "cannot assign to loop iterator '\(name)'" }

  static func constantOverflow(_ text: String) -> String {
    "integer constant expression overflows C int (-2147483648 ... 2147483647): '\(text)'"
  }

  // Affinity.
  static func subscriptNotAffine(_ text: String) -> String { "subscript is not affine: '\(text)'" }
  static func boundNotAffine(_ text: String) -> String { "loop bound is not affine: '\(text)'" }
  static func conditionNotAffine(_ text: String) -> String { "condition is not affine: '\(text)'" }
  static func dimensionNotAffine(_ text: String) -> String {
    "array dimension is not affine in the size parameters: '\(text)'"
  }
  static func assumptionNotAffine(_ text: String) -> String {
    "assumption is not an affine condition on size parameters: '\(text)'"
  }

  // Placement.
  static let kernelVarWithInitialValue =
    "kernel variables take no initial value; assign one with a statement"
  static let arrayVarWithInitialValue = "array variables take no initial value"
  static func dumpOnly(_ keyword: String) -> String { "'\(keyword)' is only allowed in the 'dump' section" }
  static let labelOutsideKernel = "statement labels are only allowed in the kernel body"

  // Sections.
  static func duplicateDataset(_ name: String) -> String { "duplicate dataset '\(name)'" }
  static func datasetMissing(_ dataset: String, _ parameter: String) -> String {
    "dataset '\(dataset)' does not set size parameter '\(parameter)'"
  }
  static func datasetViolatesAssumption(_ dataset: String, _ assumption: String) -> String {
    "dataset '\(dataset)' violates the assumption '\(assumption)'"
  }
  static func datasetNegativeExtent(_ dataset: String, _ array: String, _ dimension: String) -> String {
    "dataset '\(dataset)' gives array '\(array)' a negative dimension '\(dimension)'"
  }
  static func datasetArrayTooLarge(_ dataset: String, _ array: String) -> String {
    "dataset '\(dataset)' gives array '\(array)' more than 2147483647 elements (C int indices)"
  }
  static func datasetUnknown(_ dataset: String, _ parameter: String) -> String {
    "dataset '\(dataset)' sets '\(parameter)', which is not a size parameter"
  }
}
