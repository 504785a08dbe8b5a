// The file system: blocks, inodes, directories and path names, on the
// layout of fs.h.
//
// Layers, bottom up: the block allocator (bitmap), inodes (allocation,
// the in-memory cache, reading and writing file contents through the
// direct / indirect / double-indirect block map), directories (files of
// struct dirent), and path lookup.
//
// Every change is written to disk at once (bwrite); there is no journal.
#include "defs.h"
#include "buf.h"
#include "file.h"
#include "stat.h"

#define min(a, b) ((a) < (b) ? (a) : (b))

struct superblock sb;

void fsinit(int dev) {
  struct buf *b = bread(dev, 1);
  memmove(&sb, b->data, sizeof(sb));
  brelse(b);
  if (sb.magic != FSMAGIC)
    panic("fsinit: not a file system image (magic %x)", sb.magic);
  printf("fs: %d blocks, %d inodes, data from block %d\n", sb.size, sb.ninodes, sb.datastart);
}

static void bzero(int dev, u32 bno) {
  struct buf *b = bread(dev, bno);
  memset(b->data, 0, BSIZE);
  bwrite(b);
  brelse(b);
}

// ---- blocks

// A zeroed free data block, or 0 when the disk is full.
static u32 balloc(u32 dev) {
  for (u32 base = 0; base < sb.size; base += BPB) {
    struct buf *b = bread(dev, BBLOCK(base, sb));
    for (u32 i = 0; i < BPB && base + i < sb.size; i++) {
      u8 mask = 1 << (i % 8);
      if (!(b->data[i / 8] & mask)) {
        b->data[i / 8] |= mask;
        bwrite(b);
        brelse(b);
        bzero(dev, base + i);
        return base + i;
      }
    }
    brelse(b);
  }
  printf("balloc: out of blocks\n");
  return 0;
}

static void bfree(int dev, u32 bno) {
  struct buf *b = bread(dev, BBLOCK(bno, sb));
  u8 mask = 1 << (bno % BPB % 8);
  if (!(b->data[bno % BPB / 8] & mask))
    panic("bfree: block %d is free", bno);
  b->data[bno % BPB / 8] &= ~mask;
  bwrite(b);
  brelse(b);
}

// ---- inodes
//
// The cache holds an inode while anyone refers to it (ref > 0: open
// files, current directories, path lookups in progress). Its fields are
// valid only while ip->lock is held and ip->valid is set; ilock() reads
// them from disk the first time. Creating and destroying a file:
//   ialloc (type set on disk) ... iput with nlink 0 and the last ref
//   (truncate, type 0 on disk).

static struct {
  struct spinlock lock;
  struct inode inode[NINODE];
} itable;

void iinit(void) {
  initlock(&itable.lock, "itable");
  for (int i = 0; i < NINODE; i++)
    initsleeplock(&itable.inode[i].lock, "inode");
}

static struct inode *iget(u32 dev, u32 inum);

// Allocate an inode of the given type; returned referenced, unlocked.
// 0 if there are no free inodes.
struct inode *ialloc(u32 dev, short type) {
  for (u32 inum = 1; inum < sb.ninodes; inum++) {
    struct buf *b = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = (struct dinode *)b->data + inum % IPB;
    if (dip->type == 0) {
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      bwrite(b);
      brelse(b);
      return iget(dev, inum);
    }
    brelse(b);
  }
  printf("ialloc: no free inodes\n");
  return 0;
}

// The fields an inode keeps both on disk and in memory.
#define INODE_FIELDS(X) X(type) X(major) X(minor) X(nlink) X(size)

// Copy ip's fields to its disk inode (to_disk) or from it.
static void itransfer(struct inode *ip, int to_disk) {
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)b->data + ip->inum % IPB;
  if (to_disk) {
#define OUT(f) dip->f = ip->f;
    INODE_FIELDS(OUT)
    memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
    bwrite(b);
  } else {
#define IN(f) ip->f = dip->f;
    INODE_FIELDS(IN)
    memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
  }
  brelse(b);
}

// Write ip's fields to its disk inode. Caller holds ip->lock.
void iupdate(struct inode *ip) {
  itransfer(ip, 1);
}

// The cached inode (dev, inum), referenced; not locked, not read yet.
static struct inode *iget(u32 dev, u32 inum) {
  struct inode *empty = 0;
  acquire(&itable.lock);
  for (struct inode *ip = itable.inode; ip < &itable.inode[NINODE]; ip++) {
    if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
      ip->ref++;
      release(&itable.lock);
      return ip;
    }
    if (empty == 0 && ip->ref == 0)
      empty = ip;
  }
  if (empty == 0)
    panic("iget: inode cache full");
  empty->dev = dev;
  empty->inum = inum;
  empty->ref = 1;
  empty->valid = 0;
  release(&itable.lock);
  return empty;
}

struct inode *idup(struct inode *ip) {
  acquire(&itable.lock);
  ip->ref++;
  release(&itable.lock);
  return ip;
}

// Lock ip, reading it from disk if needed.
void ilock(struct inode *ip) {
  if (ip == 0 || ip->ref < 1)
    panic("ilock");
  acquiresleep(&ip->lock);
  if (!ip->valid) {
    itransfer(ip, 0);
    ip->valid = 1;
    if (ip->type == 0)
      panic("ilock: inode %d has no type", ip->inum);
  }
}

void iunlock(struct inode *ip) {
  if (ip == 0 || !holdingsleep(&ip->lock) || ip->ref < 1)
    panic("iunlock");
  releasesleep(&ip->lock);
}

// Drop a reference. The last reference to an inode no directory names
// frees it and its blocks.
void iput(struct inode *ip) {
  acquire(&itable.lock);
  if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    // Nobody else can have it: ref is 1 and no directory leads to it,
    // so this lock cannot block.
    acquiresleep(&ip->lock);
    release(&itable.lock);
    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    ip->valid = 0;
    releasesleep(&ip->lock);
    acquire(&itable.lock);
  }
  ip->ref--;
  release(&itable.lock);
}

void iunlockput(struct inode *ip) {
  iunlock(ip);
  iput(ip);
}

// The disk block holding entry `index` of the pointer block *slot,
// allocating the pointer block (and writing it to its parent) on demand.
// Returns the block number stored at that entry, allocating it when
// alloc is set; 0 if absent or the disk is full.
static u32 indirect(struct inode *ip, u32 *slot, struct buf *parent, u32 index) {
  if (*slot == 0) {
    if ((*slot = balloc(ip->dev)) == 0)
      return 0;
    if (parent)
      bwrite(parent);
    else
      iupdate(ip);
  }
  struct buf *b = bread(ip->dev, *slot);
  u32 *a = (u32 *)b->data;
  u32 r = a[index];
  if (r == 0) {
    if ((r = balloc(ip->dev)) != 0) {
      a[index] = r;
      bwrite(b);
    }
  }
  brelse(b);
  return r;
}

// The disk block holding block n of the file, allocated if missing
// (0 when the disk is full).
static u32 bmap(struct inode *ip, u32 n) {
  if (n < NDIRECT) {
    if (ip->addrs[n] == 0) {
      ip->addrs[n] = balloc(ip->dev);
      if (ip->addrs[n])
        iupdate(ip);
    }
    return ip->addrs[n];
  }
  n -= NDIRECT;
  if (n < NINDIRECT)
    return indirect(ip, &ip->addrs[NDIRECT], 0, n);
  n -= NINDIRECT;
  if (n < NINDIRECT * NINDIRECT) {
    // First level: the double-indirect block's entry n / NINDIRECT names a
    // single-indirect block; allocate it if needed.
    u32 l1 = indirect(ip, &ip->addrs[NDIRECT + 1], 0, n / NINDIRECT);
    if (l1 == 0)
      return 0;
    struct buf *b = bread(ip->dev, l1);
    u32 *a = (u32 *)b->data;
    u32 r = a[n % NINDIRECT];
    if (r == 0 && (r = balloc(ip->dev)) != 0) {
      a[n % NINDIRECT] = r;
      bwrite(b);
    }
    brelse(b);
    return r;
  }
  panic("bmap: block %d beyond the largest file", n);
}

// Free every block of a pointer block, recursing `depth` levels.
static void free_tree(struct inode *ip, u32 bno, int depth) {
  struct buf *b = bread(ip->dev, bno);
  u32 *a = (u32 *)b->data;
  for (u32 i = 0; i < NINDIRECT; i++) {
    if (a[i]) {
      if (depth > 1)
        free_tree(ip, a[i], depth - 1);
      else
        bfree(ip->dev, a[i]);
    }
  }
  brelse(b);
  bfree(ip->dev, bno);
}

// Empty the file. Caller holds ip->lock.
void itrunc(struct inode *ip) {
  for (int i = 0; i < NDIRECT; i++) {
    if (ip->addrs[i]) {
      bfree(ip->dev, ip->addrs[i]);
      ip->addrs[i] = 0;
    }
  }
  if (ip->addrs[NDIRECT]) {
    free_tree(ip, ip->addrs[NDIRECT], 1);
    ip->addrs[NDIRECT] = 0;
  }
  if (ip->addrs[NDIRECT + 1]) {
    free_tree(ip, ip->addrs[NDIRECT + 1], 2);
    ip->addrs[NDIRECT + 1] = 0;
  }
  ip->size = 0;
  iupdate(ip);
}

void stati(struct inode *ip, struct stat *st) {
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// Move n bytes between the file at offset off and addr (a user address
// if user), a block at a time: into the file when write is set, out of it
// otherwise. Returns the bytes moved; *bad is set if a copy to or from
// addr failed. The caller has checked the range against the file.
static u32 iblocks(struct inode *ip, int write, int user, u64 addr, u32 off, u32 n, int *bad) {
  u32 done = 0;
  *bad = 0;
  while (done < n) {
    u32 bno = bmap(ip, off / BSIZE);
    if (bno == 0)
      break;   // the disk is full
    struct buf *b = bread(ip->dev, bno);
    u32 m = min(n - done, BSIZE - off % BSIZE);
    u8 *at = b->data + off % BSIZE;
    if ((write ? either_copyin(at, user, addr, m) : either_copyout(user, addr, at, m)) == -1) {
      brelse(b);
      *bad = 1;
      break;
    }
    if (write)
      bwrite(b);
    brelse(b);
    done += m;
    off += m;
    addr += m;
  }
  return done;
}

// Read n bytes at offset off into dst (a user address if user_dst).
// Returns bytes read, or -1 if the copy to dst failed.
int readi(struct inode *ip, int user_dst, u64 dst, u32 off, u32 n) {
  if (off > ip->size || off + n < off)
    return 0;
  if (off + n > ip->size)
    n = ip->size - off;
  int bad;
  u32 done = iblocks(ip, 0, user_dst, dst, off, n, &bad);
  return bad ? -1 : done;
}

// Write n bytes from src (a user address if user_src) at offset off.
// Returns bytes written; fewer than n when the disk fills or the copy
// from src fails.
int writei(struct inode *ip, int user_src, u64 src, u32 off, u32 n) {
  if (off > ip->size || off + n < off)
    return -1;
  if ((u64)off + n > (u64)MAXFILE * BSIZE)
    return -1;
  int bad;
  u32 done = iblocks(ip, 1, user_src, src, off, n, &bad);
  if (off + done > ip->size) {
    ip->size = off + done;
    iupdate(ip);
  }
  return done;
}

// ---- directories

int namecmp(const char *a, const char *b) {
  return strncmp(a, b, DIRSIZ);
}

// Look name up in directory dp (locked). Returns its inode, referenced
// and unlocked, and its byte offset in *poff; or 0.
struct inode *dirlookup(struct inode *dp, const char *name, u32 *poff) {
  if (dp->type != T_DIR)
    panic("dirlookup: not a directory");
  struct dirent de;
  for (u32 off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (u64)&de, off, sizeof(de)) != sizeof(de))
      panic("dirlookup: read");
    if (de.inum != 0 && namecmp(name, de.name) == 0) {
      if (poff)
        *poff = off;
      return iget(dp->dev, de.inum);
    }
  }
  return 0;
}

// Add the entry (name, inum) to directory dp (locked). 0, or -1 if the
// name exists or the disk is full.
int dirlink(struct inode *dp, const char *name, u32 inum) {
  struct inode *ip = dirlookup(dp, name, 0);
  if (ip) {
    iput(ip);
    return -1;
  }
  struct dirent de;
  u32 off;
  for (off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (u64)&de, off, sizeof(de)) != sizeof(de))
      panic("dirlink: read");
    if (de.inum == 0)
      break;   // reuse a free slot
  }
  memset(&de, 0, sizeof(de));
  for (int i = 0; i < DIRSIZ && name[i]; i++)
    de.name[i] = name[i];
  de.inum = inum;
  if (writei(dp, 0, (u64)&de, off, sizeof(de)) != sizeof(de))
    return -1;
  return 0;
}

// ---- path names

// Copy the next element of path into name (at most DIRSIZ bytes, not
// necessarily terminated when exactly DIRSIZ), and return the rest of the
// path after it, leading slashes skipped; 0 when no element is left.
//   "a/bb/c" -> "bb/c" with name "a";   "///" -> 0
static const char *skipelem(const char *path, char *name) {
  while (*path == '/')
    path++;
  if (*path == 0)
    return 0;
  const char *s = path;
  while (*path != '/' && *path != 0)
    path++;
  int len = path - s;
  memmove(name, s, len < DIRSIZ ? len : DIRSIZ);
  if (len < DIRSIZ)
    name[len] = 0;
  while (*path == '/')
    path++;
  return path;
}

// Walk path from the root or the current directory. With parent set,
// stop one element early: return the directory and leave the last
// element in name.
static struct inode *namex(const char *path, int parent, char *name) {
  struct inode *ip = *path == '/' ? iget(ROOTDEV, ROOTINO) : idup(myproc()->cwd);
  while ((path = skipelem(path, name)) != 0) {
    ilock(ip);
    if (ip->type != T_DIR) {
      iunlockput(ip);
      return 0;
    }
    if (parent && *path == 0) {
      iunlock(ip);
      return ip;
    }
    struct inode *next = dirlookup(ip, name, 0);
    iunlockput(ip);
    if (next == 0)
      return 0;
    ip = next;
  }
  if (parent) {
    iput(ip);
    return 0;
  }
  return ip;
}

struct inode *namei(const char *path) {
  char name[DIRSIZ];
  return namex(path, 0, name);
}

struct inode *nameiparent(const char *path, char *name) {
  return namex(path, 1, name);
}
