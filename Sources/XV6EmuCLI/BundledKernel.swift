// BundledKernel.swift — where the prebuilt teaching kernel lives.
//
// `xv6emu` with no -kernel boots kernel-images/kernel with
// kernel-images/fs.img. The directory is found, in order: $XV6EMU_IMAGES;
// a kernel-images/ in the executable's directory or any directory above it
// (a SwiftPM build puts the binary at .build/<config>/xv6emu inside the
// checkout); the checkout this file was compiled from.

#if canImport(Glibc)
import Glibc
#endif

struct BundledKernel {
    let kernel: String
    let fileSystem: String

    static func locate() -> BundledKernel? {
        var candidates: [String] = []
        if let env = getenv("XV6EMU_IMAGES") { candidates.append(String(cString: env)) }
        if let exe = executablePath() {
            var dir = parent(of: exe)
            while !dir.isEmpty && dir != "/" {
                candidates.append(dir + "/kernel-images")
                dir = parent(of: dir)
            }
        }
        // Sources/XV6EmuCLI/BundledKernel.swift → the checkout's root.
        candidates.append(parent(of: parent(of: parent(of: #filePath))) + "/kernel-images")
        for dir in candidates {
            let b = BundledKernel(kernel: dir + "/kernel", fileSystem: dir + "/fs.img")
            if access(b.kernel, R_OK) == 0 && access(b.fileSystem, R_OK) == 0 { return b }
        }
        return nil
    }

    private static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
