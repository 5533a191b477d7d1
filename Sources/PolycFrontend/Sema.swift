//===- Sema.swift - Semantic analysis of a parsed .loop file --------------===//
//
// `Sema.check` resolves every name of a `SourceFile`, checks types, arities and
// the affinity rules of the kernel body (docs/language.md), names every
// kernel statement, and returns the `CheckedKernel` the later stages read.
//
// Scoping: parameters are visible everywhere; an iterator is visible in its
// loop body; a `var` is visible from its declaration to the end of its block.
// Kernel-local variables also own their name in the whole file (the symbol
// table is flat), so no iterator or host variable may reuse it.
//
// This file holds the state, the entry point and the declarations; statements
// are checked in SemaStmt.swift, expressions and affinity in SemaExpr.swift,
// labels are filled in by SemaLabels.swift.
//
//===----------------------------------------------------------------------===//

/// What a name stands for where it is used.
enum Binding {
  case size
  case iterator
  case scalar(type: ScalarType, isParameter: Bool)
  case array(type: ScalarType, rank: Int, role: ArrayRole?)
}

struct Declaration {
  var binding: Binding
  var location: SourceLocation
}

/// The part of the file being checked; it decides which rules apply.
enum Region: Equatable {
  case header, kernel, assume, initSection, dumpSection

  var isHost: Bool { self == .initSection || self == .dumpSection }
}

struct Sema {
  let file: SourceFile
  let text: String
  let bytes: [UInt8]
  var region: Region = .header
  var scopes: [[String: Declaration]] = [[:]]
  /// Parameters and kernel-local variables: names no other declaration may take.
  var reserved: [String: SourceLocation] = [:]
  var allSizeParameters: Set<String> = []
  var labels: [String: SourceLocation] = [:]
  /// Loops of the kernel body around the statement being checked.
  var loopDepth = 0

  /// The deepest loop nest of a kernel body: isl's dependence analysis grows
  /// exponentially with the depth (20 loops take seconds, 40 minutes).
  static let maxLoopDepth = 32
  var sizeParameters: [String] = []
  var scalars: [String: ScalarSymbol] = [:]
  var arrays: [String: ArraySymbol] = [:]

  init(file: SourceFile, text: String) {
    self.file = file
    self.text = text
    self.bytes = Array(text.utf8)
  }

  static func check(_ file: SourceFile, text: String) throws -> CheckedKernel {
    var sema = Sema(file: file, text: text)
    return try sema.run()
  }

  private mutating func run() throws -> CheckedKernel {
    try checkParameters()
    try reserveKernelLocals(file.body)
    try checkKernelBody()
    try checkAssumptions()
    try checkDatasets()
    try checkHostSection(file.initBody, as: .initSection)
    try checkHostSection(file.dumpBody, as: .dumpSection)
    var checked = file
    checked.body = Self.labelled(file.body)
    return CheckedKernel(file: checked, text: text, sizeParameters: sizeParameters, scalars: scalars,
                         arrays: arrays)
  }

  // MARK: Diagnostics and scopes

  func error(_ message: String, at location: SourceLocation) -> Diagnostic {
    Diagnostic(path: file.path, location: location, message: message, text: text)
  }

  func lookup(_ name: String) -> Declaration? {
    for scope in scopes.reversed() {
      if let d = scope[name] { return d }
    }
    return nil
  }

  mutating func withScope<T>(_ body: (inout Sema) throws -> T) rethrows -> T {
    scopes.append([:])
    defer { scopes.removeLast() }
    return try body(&self)
  }

  mutating func bind(_ name: String, _ binding: Binding, at location: SourceLocation) {
    scopes[scopes.count - 1][name] = Declaration(binding: binding, location: location)
  }

  /// Declares a variable, rejecting a name that is visible or reserved.
  mutating func declareVariable(_ name: String, _ binding: Binding, at location: SourceLocation) throws {
    if let previous = lookup(name)?.location ?? reservedElsewhere(name, location) {
      throw error(Message.duplicateDeclaration(name, previous), at: location)
    }
    bind(name, binding, at: location)
  }

  mutating func declareIterator(_ name: String, at location: SourceLocation) throws {
    if case .iterator? = lookup(name)?.binding {
      throw error(Message.iteratorShadowsIterator(name), at: location)
    }
    if lookup(name) != nil || reservedElsewhere(name, location) != nil {
      throw error(Message.iteratorShadowsName(name), at: location)
    }
    bind(name, .iterator, at: location)
  }

  private func reservedElsewhere(_ name: String, _ location: SourceLocation) -> SourceLocation? {
    guard let previous = reserved[name], previous != location else { return nil }
    return previous
  }

  // MARK: Parameters

  private mutating func checkParameters() throws {
    allSizeParameters = Set(file.parameters.filter { $0.kind == .size }.map(\.name))
    for p in file.parameters {
      try checkParameter(p)
      reserved[p.name] = p.location
    }
  }

  private mutating func checkParameter(_ p: ParamDecl) throws {
    if let previous = lookup(p.name) {
      throw error(Message.duplicateDeclaration(p.name, previous.location), at: p.location)
    }
    switch p.kind {
    case .size:
      sizeParameters.append(p.name)
      bind(p.name, .size, at: p.location)
    case .scalar(let type):
      scalars[p.name] = ScalarSymbol(name: p.name, type: type, isParameter: true, location: p.location)
      bind(p.name, .scalar(type: type, isParameter: true), at: p.location)
    case .array(let role, let type, let dimensions):
      try dimensions.forEach { try checkAffineDimension($0) }
      arrays[p.name] = ArraySymbol(name: p.name, type: type, dimensions: dimensions, role: role, location: p.location)
      bind(p.name, .array(type: type, rank: dimensions.count, role: role), at: p.location)
    }
  }

  /// A dimension of a parameter or kernel-local array: affine in size parameters.
  mutating func checkAffineDimension(_ dimension: Expr) throws {
    let type = try typeOf(dimension)
    guard !type.isFloat else {
      throw error(Message.dimensionNotInteger(type.name), at: startLocation(of: dimension))
    }
    guard isAffine(dimension, inBound: false, sizeParametersOnly: true) else {
      throw error(Message.dimensionNotAffine(ASTPrinter.text(of: dimension)), at: startLocation(of: dimension))
    }
  }

  // MARK: Kernel-local variables

  /// Enters every kernel-local variable into the symbol table and reserves
  /// its name, in textual order.
  private mutating func reserveKernelLocals(_ statements: [Stmt]) throws {
    for s in statements {
      switch s.kind {
      case .varDecl(let name, let type, let dimensions, _):
        if let previous = reserved[name] {
          throw error(Message.duplicateDeclaration(name, previous), at: s.location)
        }
        reserved[name] = s.location
        enterKernelLocal(name, type, dimensions, at: s.location)
      case .forLoop(let loop):
        try reserveKernelLocals(loop.body)
      case .ifStmt(_, let then, let otherwise):
        try reserveKernelLocals(then)
        try reserveKernelLocals(otherwise ?? [])
      default:
        break
      }
    }
  }

  private mutating func enterKernelLocal(_ name: String, _ type: ScalarType, _ dimensions: [Expr],
                                         at location: SourceLocation) {
    if dimensions.isEmpty {
      scalars[name] = ScalarSymbol(name: name, type: type, isParameter: false, location: location)
    } else {
      arrays[name] = ArraySymbol(name: name, type: type, dimensions: dimensions, role: nil, location: location)
    }
  }

  // MARK: Sections

  private mutating func checkKernelBody() throws {
    region = .kernel
    let body = file.body
    try withScope { try $0.checkBlock(body) }
  }

  private mutating func checkAssumptions() throws {
    region = .assume
    for assumption in file.assumptions {
      _ = try typeOf(assumption)
      guard isAffineCondition(assumption, sizeParametersOnly: true) else {
        throw error(Message.assumptionNotAffine(ASTPrinter.text(of: assumption)), at: startLocation(of: assumption))
      }
    }
  }

  private mutating func checkHostSection(_ body: [Stmt], as section: Region) throws {
    region = section
    try withScope { try $0.checkBlock(body) }
  }

  private func checkDatasets() throws {
    var seen: Set<String> = []
    for dataset in file.datasets {
      guard seen.insert(dataset.name).inserted else {
        throw error(Message.duplicateDataset(dataset.name), at: dataset.location)
      }
      try checkDataset(dataset)
    }
  }

  private func checkDataset(_ dataset: DatasetDecl) throws {
    for name in dataset.order where !allSizeParameters.contains(name) {
      throw error(Message.datasetUnknown(dataset.name, name), at: locationOfWord(name, after: dataset.location))
    }
    for name in sizeParameters where dataset.values[name] == nil {
      throw error(Message.datasetMissing(dataset.name, name), at: dataset.location)
    }
    try checkDatasetValues(dataset)
  }

  /// The position of the first whole word `word` at or after `start` in the
  /// source text (`start` itself when the word cannot be found).
  func locationOfWord(_ word: String, after start: SourceLocation) -> SourceLocation {
    let target = Array(word.utf8)
    guard start != .unknown, start.offset < bytes.count else { return start }
    var location = start
    var i = start.offset
    while i + target.count <= bytes.count {
      if bytes[i..<i + target.count].elementsEqual(target) && !isWordByte(i - 1) && !isWordByte(i + target.count) {
        return location
      }
      if bytes[i] == UInt8(ascii: "\n") {
        location.line += 1
        location.column = 1
      } else {
        location.column += 1
      }
      i += 1
      location.offset = i
    }
    return start
  }

  private func isWordByte(_ i: Int) -> Bool {
    guard i >= 0, i < bytes.count else { return false }
    let c = bytes[i]
    return c == UInt8(ascii: "_") || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
  }
}
