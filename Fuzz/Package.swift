// swift-tools-version:6.1
// libFuzzer drivers for xv6emu's fuzz targets (Sources/FuzzTargets in the
// main package). Kept out of the main package because they only link with
// `-sanitize=fuzzer` (libFuzzer supplies `main`); build and run them with
// tools/fuzz.sh, never in CI.
import PackageDescription

let targets = ["FuzzInstructions", "FuzzGDB", "FuzzELF", "FuzzVirtio"]

let package = Package(
    name: "xv6emu-fuzz",
    dependencies: [.package(name: "xv6emu", path: "..")],
    targets: [.target(name: "FuzzerDriver")] + targets.map {
        .executableTarget(name: $0, dependencies: ["FuzzerDriver", .product(name: "FuzzTargets", package: "xv6emu")])
    }
)
