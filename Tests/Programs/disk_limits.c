// disk_limits.c — the edges of the disk, seen by the guest through a
// minimal polled virtio-blk driver (modern or legacy: it reads the version
// register). Prints the capacity; writes, reads back and checks the last
// sector; asks for the sector just past the end (a read and a write, which
// must fail with IOERR and touch nothing). With FILL it then writes sectors
// 0, 1, 2, ... with a pattern until a write fails or the disk ends, and
// says where and how it stopped (the host may be out of space). Exits 0.
#include "virtio_poll.h"

static void pattern(u64 s) { for (int i = 0; i < 512; i++) buffer[i] = (u8)(s * 7 + i); }

int main(u64 hart) {
    if (hart != 0) for (;;) asm volatile("wfi");
    setup();
    u64 capacity = REG32(V + 0x100) | (u64)REG32(V + 0x104) << 32;
    puts("capacity "); putu(capacity); putc('\n');
    if (capacity > 0) {
        pattern(capacity - 1);
        int w = request(1, capacity - 1);
        for (int i = 0; i < 512; i++) buffer[i] = 0;
        int r = request(0, capacity - 1);
        int same = 1;
        for (int i = 0; i < 512; i++) if (buffer[i] != (u8)((capacity - 1) * 7 + i)) same = 0;
        puts("last sector: write "); putu(w); puts(" read "); putu(r); puts(same ? " same\n" : " DIFFERENT\n");
    }
    pattern(capacity);
    int w = request(1, capacity);
    int r = request(0, capacity);
    puts("past the end: write "); putu(w); puts(" read "); putu(r); putc('\n');
#ifdef FILL
    u64 s = 0;
    int st = 0;
    for (; s < capacity; s++) {
        pattern(s);
        if ((st = request(1, s)) != 0) break;
    }
    puts("fill stopped at sector "); putu(s); puts(" status "); putu(st); putc('\n');
    puts("flush "); putu(request(4, 0)); putc('\n');
#endif
    return 0;
}
