// Driver for the virtio-mmio block device, in both the legacy (version 1)
// and the modern (version 2) register interface; the device says which it
// speaks in its version register, and the driver follows.
//
// One virtqueue of NUM descriptors. Each request uses three chained
// descriptors: a header {type, sector}, the data block, and a status byte
// the device writes. The caller sleeps until the device's interrupt
// reports the request in the used ring.
#include "defs.h"
#include "buf.h"

#define R(off) (*(volatile u32 *)(VIRTIO0 + (off)))
#define MMIO_MAGIC          0x000
#define MMIO_VERSION        0x004
#define MMIO_DEVICE_ID      0x008
#define MMIO_DEV_FEATURES   0x010
#define MMIO_DRV_FEATURES   0x020
#define MMIO_DRV_FEAT_SEL   0x024
#define MMIO_GUEST_PAGE     0x028   // legacy
#define MMIO_QUEUE_SEL      0x030
#define MMIO_QUEUE_NUM_MAX  0x034
#define MMIO_QUEUE_NUM      0x038
#define MMIO_QUEUE_ALIGN    0x03c   // legacy
#define MMIO_QUEUE_PFN      0x040   // legacy
#define MMIO_QUEUE_READY    0x044   // modern
#define MMIO_QUEUE_NOTIFY   0x050
#define MMIO_INTR_STATUS    0x060
#define MMIO_INTR_ACK       0x064
#define MMIO_STATUS         0x070
#define MMIO_DESC_LO        0x080   // modern
#define MMIO_DESC_HI        0x084
#define MMIO_AVAIL_LO       0x090
#define MMIO_AVAIL_HI       0x094
#define MMIO_USED_LO        0x0a0
#define MMIO_USED_HI        0x0a4

#define ST_ACKNOWLEDGE 1
#define ST_DRIVER      2
#define ST_DRIVER_OK   4
#define ST_FEATURES_OK 8

// Feature bits we must turn down (we implement none of them).
#define F_BLK_RO          5
#define F_BLK_SCSI        7
#define F_BLK_CONFIG_WCE 11
#define F_BLK_MQ         12
#define F_ANY_LAYOUT     27
#define F_INDIRECT_DESC  28
#define F_EVENT_IDX      29

#define NUM 8   // descriptors: room for NUM/3 requests in flight

struct vdesc { u64 addr; u32 len; u16 flags; u16 next; };
#define VD_NEXT  1
#define VD_WRITE 2   // the device writes this buffer

struct vavail { u16 flags; u16 idx; u16 ring[NUM]; u16 unused; };
struct vused_elem { u32 id; u32 len; };
struct vused { u16 flags; u16 idx; struct vused_elem ring[NUM]; };

struct blk_req { u32 type; u32 reserved; u64 sector; };
#define BLK_IN  0
#define BLK_OUT 1

// The legacy interface wants the whole queue in one physically contiguous
// area: descriptors and available ring in the first page, used ring at the
// next page boundary (QueueAlign). The modern one takes three addresses;
// the same layout serves both.
static __attribute__((aligned(PGSIZE))) u8 queue_pages[2 * PGSIZE];

static struct {
  struct vdesc *desc;
  struct vavail *avail;
  struct vused *used;
  char free[NUM];        // descriptor i is free
  u16 used_seen;         // used ring entries already processed
  struct {               // per request, indexed by its first descriptor
    struct buf *b;
    u8 status;
  } info[NUM];
  struct blk_req req[NUM];
  struct spinlock lock;
} disk;

void virtio_disk_init(void) {
  initlock(&disk.lock, "virtio_disk");
  int version = R(MMIO_VERSION);
  if (R(MMIO_MAGIC) != 0x74726976 || (version != 1 && version != 2) || R(MMIO_DEVICE_ID) != 2)
    panic("virtio disk: no block device at %p", VIRTIO0);

  u32 status = 0;
  R(MMIO_STATUS) = status;   // reset
  R(MMIO_STATUS) = status |= ST_ACKNOWLEDGE;
  R(MMIO_STATUS) = status |= ST_DRIVER;

  u32 features = R(MMIO_DEV_FEATURES);
  features &= ~((1 << F_BLK_RO) | (1 << F_BLK_SCSI) | (1 << F_BLK_CONFIG_WCE) |
                (1 << F_BLK_MQ) | (1 << F_ANY_LAYOUT) | (1 << F_INDIRECT_DESC) |
                (1 << F_EVENT_IDX));
  R(MMIO_DRV_FEAT_SEL) = 0;
  R(MMIO_DRV_FEATURES) = features;
  if (version == 2) {
    R(MMIO_DRV_FEAT_SEL) = 1;
    R(MMIO_DRV_FEATURES) = 1;   // VIRTIO_F_VERSION_1 (bit 32)
    R(MMIO_STATUS) = status |= ST_FEATURES_OK;
    if (!(R(MMIO_STATUS) & ST_FEATURES_OK))
      panic("virtio disk: features not accepted");
  }

  disk.desc = (struct vdesc *)queue_pages;
  disk.avail = (struct vavail *)(queue_pages + NUM * sizeof(struct vdesc));
  disk.used = (struct vused *)(queue_pages + PGSIZE);
  memset(queue_pages, 0, sizeof(queue_pages));

  R(MMIO_QUEUE_SEL) = 0;
  if (R(MMIO_QUEUE_NUM_MAX) < NUM)
    panic("virtio disk: queue too short");
  R(MMIO_QUEUE_NUM) = NUM;
  if (version == 1) {
    R(MMIO_GUEST_PAGE) = PGSIZE;
    R(MMIO_QUEUE_ALIGN) = PGSIZE;
    R(MMIO_QUEUE_PFN) = (u64)queue_pages >> PGSHIFT;
  } else {
    R(MMIO_DESC_LO) = (u64)disk.desc;
    R(MMIO_DESC_HI) = (u64)disk.desc >> 32;
    R(MMIO_AVAIL_LO) = (u64)disk.avail;
    R(MMIO_AVAIL_HI) = (u64)disk.avail >> 32;
    R(MMIO_USED_LO) = (u64)disk.used;
    R(MMIO_USED_HI) = (u64)disk.used >> 32;
    R(MMIO_QUEUE_READY) = 1;
  }
  for (int i = 0; i < NUM; i++)
    disk.free[i] = 1;
  R(MMIO_STATUS) = status |= ST_DRIVER_OK;
  printf("virtio disk: version %d (%s)\n", version, version == 1 ? "legacy" : "modern");
}

static int alloc_desc(void) {
  for (int i = 0; i < NUM; i++) {
    if (disk.free[i]) {
      disk.free[i] = 0;
      return i;
    }
  }
  return -1;
}

static void free_desc(int i) {
  if (disk.free[i])
    panic("virtio disk: descriptor %d freed twice", i);
  disk.desc[i] = (struct vdesc){0};
  disk.free[i] = 1;
}

static void free_chain(int i) {
  for (;;) {
    int flags = disk.desc[i].flags, next = disk.desc[i].next;
    free_desc(i);
    if (!(flags & VD_NEXT))
      break;
    i = next;
  }
  wakeup(&disk.free[0]);   // someone may be waiting for descriptors
}

// Three free descriptors, or -1 (taking none).
static int alloc3(int idx[3]) {
  for (int i = 0; i < 3; i++) {
    if ((idx[i] = alloc_desc()) < 0) {
      while (--i >= 0)
        free_desc(idx[i]);
      return -1;
    }
  }
  return 0;
}

// Read or write block b->blockno; returns when the device is done.
void virtio_disk_rw(struct buf *b, int write) {
  u64 sector = b->blockno * (BSIZE / 512);
  int idx[3];

  acquire(&disk.lock);
  while (alloc3(idx) != 0)
    sleep(&disk.free[0], &disk.lock);

  struct blk_req *req = &disk.req[idx[0]];
  req->type = write ? BLK_OUT : BLK_IN;
  req->reserved = 0;
  req->sector = sector;

  disk.desc[idx[0]] = (struct vdesc){(u64)req, sizeof(*req), VD_NEXT, idx[1]};
  disk.desc[idx[1]] = (struct vdesc){(u64)b->data, BSIZE, VD_NEXT | (write ? 0 : VD_WRITE), idx[2]};
  disk.info[idx[0]].status = 0xff;   // the device writes 0 on success
  disk.desc[idx[2]] = (struct vdesc){(u64)&disk.info[idx[0]].status, 1, VD_WRITE, 0};

  b->disk = 1;
  disk.info[idx[0]].b = b;

  disk.avail->ring[disk.avail->idx % NUM] = idx[0];
  __sync_synchronize();    // the device must see the ring entry before idx
  disk.avail->idx++;
  __sync_synchronize();
  R(MMIO_QUEUE_NOTIFY) = 0;

  while (b->disk == 1)
    sleep(b, &disk.lock);

  disk.info[idx[0]].b = 0;
  free_chain(idx[0]);
  release(&disk.lock);
}

void virtio_disk_intr(void) {
  acquire(&disk.lock);
  // Acknowledge first: a completion that arrives while we drain the ring
  // raises a new interrupt rather than being lost.
  R(MMIO_INTR_ACK) = R(MMIO_INTR_STATUS) & 3;
  __sync_synchronize();
  while (disk.used_seen != disk.used->idx) {
    __sync_synchronize();
    int id = disk.used->ring[disk.used_seen % NUM].id;
    if (disk.info[id].status != 0)
      panic("virtio disk: request failed, status %d", disk.info[id].status);
    struct buf *b = disk.info[id].b;
    b->disk = 0;
    wakeup(b);
    disk.used_seen++;
  }
  release(&disk.lock);
}
