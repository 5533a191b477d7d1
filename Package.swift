// swift-tools-version:6.0
import PackageDescription

let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
  name: "polyc",
  products: [
    .executable(name: "polyc", targets: ["polyc"]),
    .library(name: "PolycKit", targets: ["Driver", "Scheduler", "Dependences", "Model", "Frontend", "CodeGenC", "NPU", "NPUCodeGen", "Transforms", "ISL"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    .systemLibrary(name: "CIsl", pkgConfig: "isl", providers: [.apt(["libisl-dev", "libgmp-dev"])]),
    .target(name: "ISL", dependencies: ["CIsl"], swiftSettings: v5),
    .target(name: "Frontend", swiftSettings: v5),
    .target(name: "Model", dependencies: ["Frontend", "ISL"], swiftSettings: v5),
    .target(name: "Dependences", dependencies: ["Model", "ISL"], swiftSettings: v5),
    .target(name: "Scheduler", dependencies: ["Model", "Dependences", "ISL"], swiftSettings: v5),
    .target(name: "Transforms", dependencies: ["Scheduler", "Dependences", "Model", "ISL"], swiftSettings: v5),
    .target(name: "CodeGenC", dependencies: ["Model", "Transforms", "Scheduler", "ISL", "Frontend"], swiftSettings: v5),
    .target(name: "NPU", swiftSettings: v5),
    .target(name: "NPUCodeGen", dependencies: ["Frontend", "Model", "Scheduler", "NPU", "ISL"], swiftSettings: v5),
    .target(name: "Driver", dependencies: ["Frontend", "Model", "Dependences", "Scheduler", "Transforms", "CodeGenC", "NPU", "NPUCodeGen", "ISL"], swiftSettings: v5),
    .target(name: "Bench", dependencies: ["Driver"], swiftSettings: v5),
    .target(name: "Tune", dependencies: ["Driver", "NPUCodeGen", "NPU", "Scheduler", "Frontend"], swiftSettings: v5),
    .executableTarget(name: "polyc", dependencies: [
      "Driver", "Bench", "Tune", "NPU", "ISL",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], swiftSettings: v5),
    .executableTarget(name: "EmbedExample", dependencies: ["Driver", "Frontend", "Scheduler", "NPU", "NPUCodeGen"],
                      path: "Examples/EmbedExample", swiftSettings: v5),
    .target(name: "TestSupport", dependencies: ["Driver", "NPU"], path: "Tests/TestSupport", swiftSettings: v5),
    .testTarget(name: "ISLTests", dependencies: ["ISL"], swiftSettings: v5),
    .testTarget(name: "FrontendTests", dependencies: ["Frontend"], swiftSettings: v5),
    .testTarget(name: "ModelTests", dependencies: ["TestSupport", "Model", "Frontend", "ISL"], swiftSettings: v5),
    .testTarget(name: "DependencesTests", dependencies: ["TestSupport", "Dependences", "Model", "Frontend", "ISL"], swiftSettings: v5),
    .testTarget(name: "SchedulerTests", dependencies: ["TestSupport", "Scheduler", "Driver"], swiftSettings: v5),
    .testTarget(name: "TransformsTests", dependencies: ["TestSupport", "Transforms", "Driver"], swiftSettings: v5),
    .testTarget(name: "BenchTests", dependencies: ["TestSupport", "Bench", "Driver"], swiftSettings: v5),
    .testTarget(name: "CodeGenCTests", dependencies: ["TestSupport", "CodeGenC", "Driver"], exclude: ["Golden"], swiftSettings: v5),
    .testTarget(name: "NPUTests", dependencies: ["NPU"], swiftSettings: v5),
    .testTarget(name: "NPUCodeGenTests", dependencies: ["TestSupport", "NPUCodeGen", "Driver", "Scheduler", "Frontend", "Model", "ISL", "NPU"], swiftSettings: v5),
    .testTarget(name: "TuneTests", dependencies: ["TestSupport", "Tune", "Driver", "NPU"], swiftSettings: v5),
    .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Driver"], swiftSettings: v5),
    .testTarget(name: "DriverTests", dependencies: ["TestSupport", "Driver"], swiftSettings: v5),
    .testTarget(name: "JSCoPTests", dependencies: ["TestSupport", "Driver", "Model", "Scheduler", "Dependences", "ISL"], swiftSettings: v5),
  ]
)
