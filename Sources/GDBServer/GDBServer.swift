// GDBServer.swift — the socket owner: listens on one TCP port, accepts one
// client at a time, moves bytes between the socket and a GDBSession.
//
// Non-blocking and driven by the host loop (no threads): the host calls
// `service()` between slices of emulation and waits on `pollDescriptors`
// while the board is halted. A second client while one is attached gets a
// one-line refusal and is closed. Every socket error ends the connection,
// never the emulator.

#if canImport(Glibc)
import Glibc
#endif
import Machine

public struct GDBServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public final class GDBServer {
    public let host: String
    public let port: Int
    private let listenFD: Int32
    private var clientFD: Int32 = -1
    public private(set) var session: GDBSession?
    let makeTarget: () -> DebugTarget
    /// Called when a client asks to kill the target (`k`).
    public var onKill: () -> Void = {}
    /// Called when a client connects or leaves.
    public var onAttach: (Bool) -> Void = { _ in }

    public init(host: String, port: Int, target: @escaping () -> DebugTarget) throws(GDBServerError) {
        self.host = host
        self.port = port
        makeTarget = target
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw GDBServerError(message: "gdb: cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let name = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, name, &addr.sin_addr) == 1 else {
            close(fd)
            throw GDBServerError(message: "gdb: '\(host)' is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw GDBServerError(message: "gdb: cannot listen on \(host):\(port): \(reason)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        listenFD = fd
    }

    deinit {
        if clientFD >= 0 { close(clientFD) }
        close(listenFD)
    }

    public var isAttached: Bool { clientFD >= 0 }

    /// Descriptors the host should wait on while the board is halted.
    public var pollDescriptors: [Int32] { clientFD >= 0 ? [listenFD, clientFD] : [listenFD] }

    /// Accepts, reads and answers whatever is ready, without blocking.
    public func service() {
        acceptPending()
        guard clientFD >= 0, let session else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(clientFD, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                disconnect()
                return
            }
            if n < 0 { return }
            send(session.receive(Array(buffer[0..<n])))
            if session.killRequested {
                disconnect()
                onKill()
                return
            }
            if session.wantsClose {
                disconnect()
                return
            }
        }
    }

    /// Reports a board stop to the client (if it is waiting for one).
    public func boardStopped(hart: Int, reason: DebugStop) {
        guard let session else { return }
        send(session.boardStopped(hart: hart, reason: reason))
    }

    public func boardExited(status: Int32) {
        guard let session else { return }
        send(session.boardExited(status: status))
    }

    private func acceptPending() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 { return }
            if clientFD >= 0 {
                // One debugger at a time: say so and hang up.
                let msg = Array("$E.already attached#00".utf8)
                _ = msg.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            clientFD = fd
            session = GDBSession(target: makeTarget())
            onAttach(true)
        }
    }

    private func send(_ bytes: [UInt8]) {
        guard clientFD >= 0, !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(clientFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var p = pollfd(fd: clientFD, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 1000)
                continue
            }
            if n <= 0 {
                disconnect()
                return
            }
            offset += n
        }
    }

    private func disconnect() {
        if clientFD >= 0 { close(clientFD) }
        clientFD = -1
        session = nil
        onAttach(false)
    }
}
