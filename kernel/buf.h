#pragma once
#include "sleeplock.h"
#include "fs.h"

// A cached disk block.
struct buf {
  int valid;            // data holds the block's contents
  int disk;             // the disk owns it while a request is in flight
  u32 dev;
  u32 blockno;
  struct sleeplock lock;
  u32 refcnt;
  struct buf *prev;     // LRU list: head.next is the most recently used
  struct buf *next;
  u8 data[BSIZE];
};
