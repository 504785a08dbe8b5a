#!/usr/bin/env python3
"""Benchmark xv6emu against qemu-system-riscv64 on the bundled kernel.

    python3 tools/bench.py [--runs N] [--only NAME,...] [--write BENCHMARKS.md]
    (make bench runs it with --write BENCHMARKS.md)

Builds the release emulator and the kernel, then measures each workload on
both emulators in the same run, alternating (xv6emu, QEMU, xv6emu, ...), and
reports the median wall time of each, their ratio, and for the CPU-bound
programs guest MIPS: the instructions the program retired (it reads
`instret` itself; the count is the same under both emulators, so xv6emu's is
used for both) over wall seconds. This is a benchmark, not a test: nothing
fails on a time.
"""
import argparse
import os
import platform
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XV6EMU = os.path.join(ROOT, ".build/release/xv6emu")
QEMU = "qemu-system-riscv64"
BUILD = os.path.join(ROOT, "build/clint")

# name, harts, shell command (None: just boot), text that ends it, timeout (s)
WORKLOADS = [
    ("boot", 3, None, "$ ", 60),
    ("cowtest", 3, "cowtest", "ALL COW TESTS PASSED", 300),
    ("cowtest -smp 1", 1, "cowtest", "ALL COW TESTS PASSED", 300),
    ("usertests", 3, "usertests", "ALL TESTS PASSED", 900),
    ("usertests -smp 1", 1, "usertests", "ALL TESTS PASSED", 900),
    ("sha256", 1, "bench sha256 40", "bench sha256: done", 300),
    ("sort", 1, "bench sort 6", "bench sort: done", 300),
    ("matmul", 1, "bench matmul 10", "bench matmul: done", 300),
    ("chase", 1, "bench chase 10", "bench chase: done", 300),
]


def run(cmd, **kw):
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def measure(emulator, harts, command, done, timeout):
    """Boots the kernel on a scratch image; returns (seconds, output, maxrss KiB)."""
    image = tempfile.mktemp(suffix=".img")
    shutil.copy(os.path.join(BUILD, "fs.img"), image)
    args = [emulator, "-machine", "virt", "-bios", "none", "-kernel",
            os.path.join(BUILD, "kernel/kernel"), "-m", "128M", "-smp", str(harts),
            "-nographic", "-drive", "file=%s,if=none,format=raw,id=x0" % image,
            "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    t0 = start
    typed = command is None
    want = done.encode()
    deadline = start + timeout
    try:
        while True:
            if not typed and b"$ " in out:
                p.stdin.write((command + "\n").encode())
                p.stdin.flush()
                t0 = time.monotonic()
                typed = True
                out = b""
            elif typed and want in out and (command is None or b"\n" in out[out.index(want):]):
                elapsed = time.monotonic() - t0   # (the whole final line is in)
                break
            if time.monotonic() > deadline:
                raise RuntimeError("%s: timed out waiting for %r\n%s" % (emulator, done, out.decode(errors="replace")[-2000:]))
            r, _, _ = select.select([p.stdout], [], [], 0.05)
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError("%s exited early:\n%s" % (emulator, out.decode(errors="replace")[-2000:]))
                out += chunk
                if b"FAILED" in out or b"panic" in out:
                    raise RuntimeError("%s: failure:\n%s" % (emulator, out.decode(errors="replace")[-2000:]))
    finally:
        p.kill()
        _, _, usage = os.wait4(p.pid, 0)
        os.unlink(image)
    return elapsed, out.decode(errors="replace"), usage.ru_maxrss


def machine_description():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    qemu = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True, cwd=ROOT).stdout.strip()
    return {"cpu": model, "cores": os.cpu_count(), "os": platform.platform(), "qemu": qemu,
            "commit": commit + ("+uncommitted changes" if dirty else "")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--write", default="")
    a = ap.parse_args()
    run(["swift", "build", "-c", "release", "--omit-frame-pointers", "--product", "xv6emu"], stdout=subprocess.DEVNULL)
    run(["make", "-s", "TIMER=clint", "all"], stdout=subprocess.DEVNULL)
    only = set(filter(None, a.only.split(",")))
    rows = []
    for name, harts, command, done, timeout in WORKLOADS:
        if only and name not in only:
            continue
        times = {"xv6emu": [], "qemu": []}
        instret = None
        peak = 0
        for _ in range(a.runs):
            for emu, path in (("xv6emu", XV6EMU), ("qemu", QEMU)):
                secs, out, rss = measure(path, harts, command, done, timeout)
                times[emu].append(secs)
                if emu == "xv6emu":
                    peak = max(peak, rss)
                    m = re.search(r"instret (\d+)", out)
                    if m:
                        instret = int(m.group(1))
        x, q = statistics.median(times["xv6emu"]), statistics.median(times["qemu"])
        row = {"name": name, "harts": harts, "xv6emu": x, "qemu": q, "ratio": x / q, "peak_mib": peak / 1024.0,
               "mips_x": instret / x / 1e6 if instret else None, "mips_q": instret / q / 1e6 if instret else None}
        rows.append(row)
        print("%-18s xv6emu %7.2f s  qemu %7.2f s  ratio %5.2f%s  peak %5.0f MiB" % (
            name, x, q, x / q,
            "  MIPS %6.0f vs %6.0f" % (row["mips_x"], row["mips_q"]) if instret else "", row["peak_mib"]),
            flush=True)
    if a.write:
        write_report(a.write, rows, machine_description(), a.runs, " ".join(sys.argv[1:]))


def write_report(path, rows, m, runs, argv):
    lines = [
        "# Benchmarks",
        "",
        "Produced by `python3 tools/bench.py %s` (`make bench`): release builds, the" % argv,
        "bundled kernel (TIMER=clint, legacy virtio), each workload run on xv6emu and on",
        "qemu-system-riscv64 alternately, %d runs each; the median wall time is shown." % runs,
        "Boot is the time to the first `$ `; the others time from typing the command to",
        "its final line. MIPS = instructions the benchmark program retired (its own",
        "`rdinstret`) / wall seconds. Peak is xv6emu's maximum resident set.",
        "",
        "Machine: %s, %d cores; %s; %s; xv6emu commit %s." % (m["cpu"], m["cores"], m["os"], m["qemu"], m["commit"]),
        "",
        "| workload | harts | xv6emu (s) | QEMU (s) | xv6emu/QEMU | xv6emu MIPS | QEMU MIPS | xv6emu peak RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append("| %s | %d | %.2f | %.2f | %.2f | %s | %s | %.0f MiB |" % (
            r["name"], r["harts"], r["xv6emu"], r["qemu"], r["ratio"],
            "%.0f" % r["mips_x"] if r["mips_x"] else "", "%.0f" % r["mips_q"] if r["mips_q"] else "", r["peak_mib"]))
    old = open(path).read() if os.path.exists(path) else ""
    notes = old[old.index("## Notes"):] if "## Notes" in old else "## Notes\n\n(what each change bought goes here)\n"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n\n" + notes)


if __name__ == "__main__":
    main()
