// The block cache: NBUF disk blocks in memory, each locked by whoever is
// using it, recycled least-recently-used first. Writes go straight to the
// disk (bwrite); there is no write-back and no journal.
#include "defs.h"
#include "buf.h"

static struct {
  struct spinlock lock;   // protects the list and every refcnt
  struct buf buf[NBUF];
  struct buf head;        // circular list, most recent after head
} bcache;

void binit(void) {
  initlock(&bcache.lock, "bcache");
  bcache.head.next = bcache.head.prev = &bcache.head;
  for (struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++) {
    initsleeplock(&b->lock, "buffer");
    b->next = bcache.head.next;
    b->prev = &bcache.head;
    bcache.head.next->prev = b;
    bcache.head.next = b;
  }
}

// The cached buffer for (dev, blockno), locked; its data may not be valid.
static struct buf *bget(u32 dev, u32 blockno) {
  acquire(&bcache.lock);
  for (struct buf *b = bcache.head.next; b != &bcache.head; b = b->next) {
    if (b->dev == dev && b->blockno == blockno) {
      b->refcnt++;
      release(&bcache.lock);
      acquiresleep(&b->lock);
      return b;
    }
  }
  // Not cached: recycle the least recently used idle buffer.
  for (struct buf *b = bcache.head.prev; b != &bcache.head; b = b->prev) {
    if (b->refcnt == 0) {
      b->dev = dev;
      b->blockno = blockno;
      b->valid = 0;
      b->refcnt = 1;
      release(&bcache.lock);
      acquiresleep(&b->lock);
      return b;
    }
  }
  panic("bget: every buffer is in use");
}

struct buf *bread(u32 dev, u32 blockno) {
  struct buf *b = bget(dev, blockno);
  if (!b->valid) {
    virtio_disk_rw(b, 0);
    b->valid = 1;
  }
  return b;
}

void bwrite(struct buf *b) {
  if (!holdingsleep(&b->lock))
    panic("bwrite: buffer not locked");
  virtio_disk_rw(b, 1);
}

// Done with b: unlock it and make it the most recently used.
void brelse(struct buf *b) {
  if (!holdingsleep(&b->lock))
    panic("brelse: buffer not locked");
  releasesleep(&b->lock);
  acquire(&bcache.lock);
  if (--b->refcnt == 0) {
    b->next->prev = b->prev;
    b->prev->next = b->next;
    b->next = bcache.head.next;
    b->prev = &bcache.head;
    bcache.head.next->prev = b;
    bcache.head.next = b;
  }
  release(&bcache.lock);
}
