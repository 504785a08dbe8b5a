// disk_limits.c — the edges of the disk, seen by the guest through a
// minimal polled virtio-blk driver (modern or legacy: it reads the version
// register). Prints the capacity; writes, reads back and checks the last
// sector; asks for the sector just past the end (a read and a write, which
// must fail with IOERR and touch nothing). With FILL it then writes sectors
// 0, 1, 2, ... with a pattern until a write fails or the disk ends, and
// says where and how it stopped (the host may be out of space). Exits 0.
#include "lib.h"

#define V 0x10001000UL
#define R(off) REG32(V + (off))
#define NUM 8

struct desc { u64 addr; u32 len; u16 flags, next; };
struct used_elem { u32 id, len; };

static struct desc desc[NUM] __attribute__((aligned(4096)));
static u16 avail[NUM + 3] __attribute__((aligned(2)));
static struct { u16 flags, idx; struct used_elem ring[NUM]; u16 avail_event; } used __attribute__((aligned(4096)));
static u8 legacy_area[3 * 4096] __attribute__((aligned(4096)));
static struct { u32 type, reserved; u64 sector; } header;
static u8 buffer[512];
static volatile u8 status;
static u16 used_seen, avail_idx;
static struct desc *D;
static volatile u16 *A, *U_idx;

static void setup(void) {
    if (R(0x000) != 0x74726976 || R(0x008) != 2) poweroff(50);
    int version = R(0x004);
    R(0x070) = 0;
    R(0x070) = 1 | 2;
    R(0x020) = 0;
    if (version == 2) { R(0x024) = 1; R(0x020) = 1; R(0x024) = 0; }
    R(0x070) = 1 | 2 | 8;
    R(0x030) = 0;
    R(0x038) = NUM;
    if (version == 1) {
        R(0x028) = 4096;
        D = (struct desc *)legacy_area;
        A = (volatile u16 *)(legacy_area + 16 * NUM);
        U_idx = (volatile u16 *)(legacy_area + 4096 + 2);
        R(0x03c) = 4096;
        R(0x040) = (u64)legacy_area >> 12;
    } else {
        D = desc; A = avail; U_idx = &used.idx;
        R(0x080) = (u64)desc; R(0x084) = (u64)desc >> 32;
        R(0x090) = (u64)avail; R(0x094) = (u64)avail >> 32;
        R(0x0a0) = (u64)&used; R(0x0a4) = (u64)&used >> 32;
        R(0x044) = 1;
    }
    R(0x070) = 1 | 2 | 8 | 4;
}

// One request (0 read, 1 write, 4 flush); returns its status byte.
static int request(u32 type, u64 sector) {
    header.type = type; header.reserved = 0; header.sector = sector;
    status = 0xff;
    D[0] = (struct desc){ (u64)&header, 16, 1, 1 };
    if (type == 4) {
        D[0].next = 2;
    } else {
        D[1] = (struct desc){ (u64)buffer, 512, (u16)(1 | (type == 0 ? 2 : 0)), 2 };
    }
    D[2] = (struct desc){ (u64)&status, 1, 2, 0 };
    A[2 + avail_idx % NUM] = 0;
    __sync_synchronize();
    A[1] = ++avail_idx;
    __sync_synchronize();
    R(0x050) = 0;
    while (*U_idx == used_seen) {}
    used_seen++;
    R(0x064) = R(0x060);
    return status;
}

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
