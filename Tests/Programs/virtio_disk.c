// virtio_disk.c — a minimal polled virtio-blk driver for either transport
// version (it reads the version register): reads sector 1, checks its
// contents (the test writes byte 0x11 everywhere), writes sectors 2..9 with
// a pattern, reads them back, and reports "virtio ok vN". Used by the
// durability test too: with DURABLE it writes and then waits forever,
// printing "written" once every write has completed.
#include "virtio_poll.h"

int main(u64 hart) {
    if (hart != 0) for (;;) asm volatile("wfi");
    setup();
    if (request(0, 1) != 0) poweroff(53);
    for (int i = 0; i < 512; i++) if (buffer[i] != 0x11) poweroff(54);
    for (int s = 2; s < 10; s++) {
        for (int i = 0; i < 512; i++) buffer[i] = (u8)(s * 7 + i);
        if (request(1, s) != 0) poweroff(55);
    }
#ifdef DURABLE
    puts("written\n");
    for (;;) asm volatile("wfi");
#endif
    for (int s = 2; s < 10; s++) {
        if (request(0, s) != 0) poweroff(56);
        for (int i = 0; i < 512; i++) if (buffer[i] != (u8)(s * 7 + i)) poweroff(57);
    }
    if (request(4, 0) != 0) poweroff(58);
    puts("virtio ok v");
    putc('0' + version);
    putc('\n');
    return 0;
}
