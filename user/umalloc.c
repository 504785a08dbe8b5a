// malloc and free: a first-fit allocator over memory obtained with sbrk.
//
// Every block, free or in use, starts with a 16-byte header holding its
// size. Free blocks are kept on a singly linked list sorted by address, so
// free() can see at once whether a block touches its neighbours and merge
// with them; that keeps the heap from splintering into small pieces.
#include "kernel/types.h"
#include "user/user.h"

struct block {
  usize size;           // whole block in bytes, header included
  struct block *next;   // next free block at a higher address (free only)
};

#define HDR     sizeof(struct block)   // 16: keeps payloads 16-byte aligned
#define ALIGN   16
#define MINGROW 4096                   // ask sbrk for at least a page

static struct block *freelist;         // increasing addresses

void free(void *p)
{
  if (p == 0)
    return;
  struct block *b = (struct block *)p - 1;

  struct block *prev = 0, *cur = freelist;
  while (cur != 0 && cur < b) {
    prev = cur;
    cur = cur->next;
  }

  // Merge with the block after, if b runs right up to it.
  if (cur != 0 && (char *)b + b->size == (char *)cur) {
    b->size += cur->size;
    b->next = cur->next;
  } else {
    b->next = cur;
  }

  // Merge with the block before, if it runs right up to b.
  if (prev != 0 && (char *)prev + prev->size == (char *)b) {
    prev->size += b->size;
    prev->next = b->next;
  } else if (prev != 0) {
    prev->next = b;
  } else {
    freelist = b;
  }
}

// Adds at least size bytes (rounded up to whole pages) to the free list.
static int grow(usize size)
{
  usize need = (size + MINGROW - 1) & ~(usize)(MINGROW - 1);
  // The break may not be aligned at first (it follows the program's data);
  // skip up to the next 16-byte boundary.
  usize skip = -(usize)sbrk(0) & (ALIGN - 1);
  if (need + skip > 0x7fffffff)        // sbrk takes an int
    return -1;
  char *p = sbrk((int)(need + skip));
  if (p == (char *)-1)
    return -1;
  struct block *b = (struct block *)(p + skip);
  b->size = need;
  free(b + 1);
  return 0;
}

void *malloc(usize n)
{
  if (n > 0x7fff0000)
    return 0;
  usize size = HDR + ((n + ALIGN - 1) & ~(usize)(ALIGN - 1));

  for (;;) {
    struct block *prev = 0;
    for (struct block *b = freelist; b != 0; prev = b, b = b->next) {
      if (b->size < size)
        continue;
      struct block *after = b->next;
      if (b->size - size >= HDR + ALIGN) {
        // Split: hand out the front, the rest stays on the list.
        struct block *rest = (struct block *)((char *)b + size);
        rest->size = b->size - size;
        rest->next = after;
        b->size = size;
        after = rest;
      }
      if (prev != 0)
        prev->next = after;
      else
        freelist = after;
      return b + 1;
    }
    if (grow(size) < 0)
      return 0;
  }
}
