// The `tiling.matmul` and `tiling.cache` keys: values read, every malformed
// value rejected with its key path.

import PolycScheduler
import Testing

@Suite struct MatmulStrategyTests {
  @Test func matmulKeysAreRead() throws {
    let s = try Repo.strategy("""
      { "version": 1, "tiling": { "matmul": { "registerTile": [4, 8], "cacheTiles": [64, 128, 256] },
                                  "cache": { "l1": 49152, "l2": 1048576 } } }
      """)
    #expect(s.tiling.matmul.enabled)
    #expect(s.tiling.matmul.registerTile == [4, 8])
    #expect(s.tiling.matmul.cacheTiles == [64, 128, 256])
    #expect(s.tiling.l1Bytes == 49152 && s.tiling.l2Bytes == 1048576)
    let auto = try Repo.strategy(#"{ "version": 1, "tiling": { "matmul": { "cacheTiles": "auto" } } }"#)
    #expect(auto.tiling.matmul.registerTile == [8, 24] && auto.tiling.matmul.cacheTiles == nil)
    let off = try Repo.strategy(#"{ "version": 1, "tiling": { "sizes": [32] } }"#)
    #expect(!off.tiling.matmul.enabled)
  }

  @Test(arguments: [
    (#"{ "version": 1, "tiling": { "matmul": { "registerTiles": [4, 8] } } }"#, "tiling.matmul.registerTiles"),
    (#"{ "version": 1, "tiling": { "matmul": { "registerTile": [4] } } }"#, "tiling.matmul.registerTile"),
    (#"{ "version": 1, "tiling": { "matmul": { "registerTile": [4, 0] } } }"#, "tiling.matmul.registerTile[1]"),
    (#"{ "version": 1, "tiling": { "matmul": { "registerTile": [32, 8] } } }"#, "tiling.matmul.registerTile[0]"),
    (#"{ "version": 1, "tiling": { "matmul": { "cacheTiles": [64, 128] } } }"#, "tiling.matmul.cacheTiles"),
    (#"{ "version": 1, "tiling": { "matmul": { "cacheTiles": [60, 128, 256] } } }"#, "tiling.matmul.cacheTiles[0]"),
    (#"{ "version": 1, "tiling": { "matmul": { "cacheTiles": [64, 100, 256] } } }"#, "tiling.matmul.cacheTiles[1]"),
    (#"{ "version": 1, "tiling": { "matmul": { "cacheTiles": "big" } } }"#, "tiling.matmul.cacheTiles"),
    (#"{ "version": 1, "tiling": { "enabled": false, "matmul": {} } }"#, "tiling.matmul"),
    (#"{ "version": 1, "tiling": { "cache": { "l3": 1 } } }"#, "tiling.cache.l3"),
    (#"{ "version": 1, "tiling": { "cache": { "l1": 12 } } }"#, "tiling.cache.l1"),
  ])
  func malformedMatmulKeysNameTheirPath(_ json: String, _ path: String) {
    let e = Repo.parseError(json)
    #expect(e?.keyPath == path, "\(e?.description ?? "accepted")")
  }
}
