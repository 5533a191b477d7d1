// swift-tools-version:6.0
// A client of polyc, as a host compiler would be: a separate package that
// depends on polyc's `PolycKit` product only, so it sees exactly the public
// API (no `package` or internal symbol). `make test` builds and runs the
// example and runs the public-API tests.
import PackageDescription

let package = Package(
  name: "PolycClient",
  dependencies: [
    .package(name: "polyc", path: "../.."),
  ],
  targets: [
    .executableTarget(name: "EmbedExample", dependencies: [.product(name: "PolycKit", package: "polyc")],
                      swiftSettings: [.swiftLanguageMode(.v5)]),
    .testTarget(name: "PublicAPITests", dependencies: [.product(name: "PolycKit", package: "polyc")],
                swiftSettings: [.swiftLanguageMode(.v5)]),
  ]
)
