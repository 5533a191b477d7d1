//===- JSCoP.swift - Polly's JSON SCoP exchange format --------------------===//
//
// Writes a SCoP as Polly's JSCoP (the format of `-polly-export-jscop`):
// context, statements with domain, schedule and accesses, and arrays. The
// schedule written is the flat map of the schedule tree passed in, so a
// scheduled kernel can be handed to Polly's `-polly-import-jscop`.
//
//===----------------------------------------------------------------------===//

import Foundation
import ISL

public enum JSCoP {
  public static func export(_ scop: Scop, schedule: Schedule) throws -> String {
    let map = try schedule.map()
    var statements: [[String: Any]] = []
    for s in scop.statements {
      let domain = try Set(scop.ctx, s.domain).intersectParams(scop.context).coalesce()
      let own = try map.intersectDomain(try domain.toUnionSet()).coalesce()
      let accesses: [[String: Any]] = s.accesses.map { ["kind": $0.isWrite ? "write" : "read", "relation": $0.relation] }
      statements.append([
        "name": s.name,
        "domain": domain.description,
        "schedule": own.description,
        "accesses": accesses,
      ])
    }
    let arrays: [[String: Any]] = scop.arrays.map { a in
      ["name": a.name, "type": a.type.cName, "sizes": a.dimensions.isEmpty ? [] : ["*"] + a.dimensions.dropFirst().map { ExprText.expr($0) }]
    }
    let root: [String: Any] = [
      "name": "kernel_\(scop.kernel.name)",
      "context": scop.context.description,
      "arrays": arrays,
      "statements": statements,
    ]
    let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
