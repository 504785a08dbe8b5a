// virtio_poll.h — a minimal polled virtio-blk driver for bare-metal test
// programs, either transport version (it reads the version register):
// `setup()` brings the device up with one 8-entry queue, `request()` sends
// one request and spins until it is used. Static functions, included by
// one program each (virtio_disk.c, disk_limits.c).
#include "lib.h"

#define V 0x10001000UL
#define R(off) REG32(V + (off))
#define NUM 8

struct desc { u64 addr; u32 len; u16 flags, next; };
struct used_elem { u32 id, len; };

static struct desc desc[NUM] __attribute__((aligned(4096)));
static u16 avail[NUM + 3] __attribute__((aligned(2)));        // legacy: placed right after desc
static struct { u16 flags, idx; struct used_elem ring[NUM]; u16 avail_event; } used __attribute__((aligned(4096)));
// Legacy wants one contiguous area: desc, avail, then used at the next page.
static u8 legacy_area[3 * 4096] __attribute__((aligned(4096)));

static struct { u32 type, reserved; u64 sector; } header;
static u8 buffer[512];
static volatile u8 status;
static u16 used_seen, avail_idx;
static int version;
static struct desc *D;
static volatile u16 *A;
static volatile u16 *U_idx;

static void setup(void) {
    if (R(0x000) != 0x74726976 || R(0x008) != 2) poweroff(50);
    version = R(0x004);
    R(0x070) = 0;
    R(0x070) = 1 | 2;
    R(0x020) = 0;                          // accept no optional features
    if (version == 2) { R(0x024) = 1; R(0x020) = 1; R(0x024) = 0; }  // VIRTIO_F_VERSION_1
    R(0x070) = 1 | 2 | 8;
    if (!(R(0x070) & 8)) poweroff(51);
    R(0x030) = 0;
    if (R(0x034) < NUM) poweroff(52);
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

// One request (0 read, 1 write of `buffer`, 4 flush: no data); returns its status byte.
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
