// swift-tools-version:6.0
import PackageDescription

let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
  name: "polyc",
  products: [
    .executable(name: "polyc", targets: ["polyc"]),
    .library(name: "PolycToolchain", targets: ["PolycToolchain"]),
    .library(name: "PolycKit", targets: ["PolycDriver", "PolycScheduler", "PolycDependences", "PolycModel", "PolycFrontend", "PolycCodeGenC", "PolycNPU", "PolycNPUCodeGen", "PolycTransforms", "PolycISL"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    .systemLibrary(name: "PolycCIsl", pkgConfig: "isl", providers: [.apt(["libisl-dev", "libgmp-dev"])]),
    .target(name: "PolycISL", dependencies: ["PolycCIsl"], swiftSettings: v5),
    .target(name: "PolycFrontend", swiftSettings: v5),
    .target(name: "PolycModel", dependencies: ["PolycFrontend", "PolycISL"], swiftSettings: v5),
    .target(name: "PolycDependences", dependencies: ["PolycModel", "PolycISL"], swiftSettings: v5),
    .target(name: "PolycScheduler", dependencies: ["PolycModel", "PolycDependences", "PolycISL"], swiftSettings: v5),
    .target(name: "PolycTransforms", dependencies: ["PolycScheduler", "PolycDependences", "PolycModel", "PolycISL"], swiftSettings: v5),
    .target(name: "PolycCodeGenC", dependencies: ["PolycModel", "PolycTransforms", "PolycScheduler", "PolycISL", "PolycFrontend"], swiftSettings: v5),
    .target(name: "PolycNPU", swiftSettings: v5),
    .target(name: "PolycNPUCodeGen", dependencies: ["PolycFrontend", "PolycModel", "PolycScheduler", "PolycNPU", "PolycISL"], swiftSettings: v5),
    .target(name: "PolycDriver", dependencies: ["PolycFrontend", "PolycModel", "PolycDependences", "PolycScheduler", "PolycTransforms", "PolycCodeGenC", "PolycNPU", "PolycNPUCodeGen", "PolycISL"], swiftSettings: v5),
    .target(name: "PolycToolchain", dependencies: ["PolycDriver"], swiftSettings: v5),
    .target(name: "PolycBench", dependencies: ["PolycDriver", "PolycToolchain"], swiftSettings: v5),
    .target(name: "PolycTune", dependencies: ["PolycDriver", "PolycBench", "PolycToolchain", "PolycTransforms", "PolycNPUCodeGen", "PolycNPU", "PolycScheduler", "PolycFrontend"], swiftSettings: v5),
    .executableTarget(name: "polyc", dependencies: [
      "PolycDriver", "PolycToolchain", "PolycBench", "PolycTune", "PolycNPU", "PolycISL",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], swiftSettings: v5),
    .target(name: "TestSupport", dependencies: ["PolycDriver", "PolycToolchain", "PolycNPU"], path: "Tests/TestSupport", swiftSettings: v5),
    .testTarget(name: "ISLTests", dependencies: ["PolycISL"], swiftSettings: v5),
    .testTarget(name: "FrontendTests", dependencies: ["PolycFrontend"], swiftSettings: v5),
    .testTarget(name: "ModelTests", dependencies: ["TestSupport", "PolycModel", "PolycFrontend", "PolycISL"], swiftSettings: v5),
    .testTarget(name: "DependencesTests", dependencies: ["TestSupport", "PolycDependences", "PolycModel", "PolycFrontend", "PolycISL"], swiftSettings: v5),
    .testTarget(name: "SchedulerTests", dependencies: ["TestSupport", "PolycScheduler", "PolycDriver"], swiftSettings: v5),
    .testTarget(name: "TransformsTests", dependencies: ["PolycToolchain", "TestSupport", "PolycTransforms", "PolycDriver"], swiftSettings: v5),
    .testTarget(name: "BenchTests", dependencies: ["PolycToolchain", "TestSupport", "PolycBench", "PolycDriver"], swiftSettings: v5),
    .testTarget(name: "CodeGenCTests", dependencies: ["PolycToolchain", "TestSupport", "PolycCodeGenC", "PolycDriver"], exclude: ["Golden"], swiftSettings: v5),
    .testTarget(name: "NPUTests", dependencies: ["PolycNPU"], swiftSettings: v5),
    .testTarget(name: "NPUCodeGenTests", dependencies: ["PolycToolchain", "TestSupport", "PolycNPUCodeGen", "PolycDriver", "PolycScheduler", "PolycFrontend", "PolycModel", "PolycISL", "PolycNPU"], swiftSettings: v5),
    .testTarget(name: "TuneTests", dependencies: ["TestSupport", "PolycTune", "PolycDriver", "PolycNPU"], swiftSettings: v5),
    .testTarget(name: "EndToEndTests", dependencies: ["PolycToolchain", "TestSupport", "PolycDriver"], swiftSettings: v5),
    .testTarget(name: "DriverTests", dependencies: ["PolycToolchain", "TestSupport", "PolycDriver"], swiftSettings: v5),
    .testTarget(name: "JSCoPTests", dependencies: ["PolycToolchain", "TestSupport", "PolycDriver", "PolycModel", "PolycScheduler", "PolycDependences", "PolycISL"], swiftSettings: v5),
  ]
)
