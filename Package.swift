// swift-tools-version:6.1
// xv6emu: a RISC-V (RV64GC) `virt` board emulator with a GDB stub, for the xv6 COW lab.
//
// Layers (arrows point down only; see ARCHITECTURE.md):
//
//   xv6emu (executable, tiny @main)
//     └── XV6EmuCLI (QEMU-compatible flags, console, wiring)
//           ├── GDBServer (remote protocol: codec, session over a DebugTarget, socket)
//           ├── Monitor   (introspection commands: registers, page tables, memory)
//           └── Machine (virt board: bus, RAM, devices, HTIF, hart scheduling)
//                 ├── RISCV     (the hart: decode, execute, CSRs, Sv39 MMU + TLB, traps)
//                 └── ELFLoader (over the system library libelf)
//                       └── CLibELF (system-library target: libelf.h / gelf.h)
import PackageDescription

/// The hart is the hot loop. In release builds it drops Swift's runtime
/// exclusivity checks and overflow/bounds traps: every array it touches is an
/// unsafe buffer it sized itself, and the guest can never index one out of
/// range because every index is masked (register numbers to 5 bits, TLB slots
/// to 8 bits). Debug builds keep every check so tests still catch mistakes.
let hotLoopFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "xv6emu",
    products: [
        .executable(name: "xv6emu", targets: ["xv6emu"]),
        // The fuzz targets' entry points, for the libFuzzer package in Fuzz/
        // (which depends on this one by path; see tools/fuzz.sh).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [],
    targets: [
        .systemLibrary(
            name: "CLibELF",
            pkgConfig: "libelf",
            providers: [.apt(["libelf-dev"])]
        ),
        .target(name: "ELFLoader", dependencies: ["CLibELF"]),
        .target(name: "RISCV", swiftSettings: hotLoopFlags),
        .target(name: "Machine", dependencies: ["RISCV", "ELFLoader"], swiftSettings: hotLoopFlags),
        .target(name: "GDBServer", dependencies: ["Machine", "RISCV"]),
        .target(name: "Monitor", dependencies: ["Machine", "RISCV", "ELFLoader"]),
        .target(
            name: "XV6EmuCLI",
            dependencies: ["Machine", "RISCV", "ELFLoader", "GDBServer", "Monitor"]
        ),
        .executableTarget(name: "xv6emu", dependencies: ["XV6EmuCLI"]),
        // One entry point per fuzz target (bytes in, a violated invariant
        // out), shared by the seeded property tests (FuzzTests, in CI) and
        // the libFuzzer drivers (Fuzz/, local only).
        .target(name: "FuzzTargets", dependencies: ["RISCV", "Machine", "ELFLoader", "GDBServer", "Monitor"]),

        // Shared by the test targets: the cross compiler and the built executable.
        .target(name: "TestSupport", dependencies: ["FuzzTargets"], path: "Tests/TestSupport"),
        .testTarget(name: "RISCVTests", dependencies: ["RISCV", "TestSupport"]),
        .testTarget(name: "ELFLoaderTests", dependencies: ["ELFLoader", "TestSupport"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine", "RISCV", "ELFLoader", "TestSupport"]),
        .testTarget(name: "GDBServerTests", dependencies: ["GDBServer", "Machine", "RISCV"]),
        .testTarget(name: "MonitorTests", dependencies: ["Monitor", "Machine", "RISCV"]),
        .testTarget(name: "LensTests", dependencies: ["Monitor", "Machine", "RISCV", "ELFLoader", "TestSupport"]),
        .testTarget(name: "XV6EmuCLITests", dependencies: ["XV6EmuCLI", "Machine", "TestSupport"]),
        .testTarget(name: "KernelTests", dependencies: ["TestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets", "RISCV", "Machine", "ELFLoader", "GDBServer", "TestSupport"]),
    ]
)
