// On-disk file-system format, shared by the kernel and the host tool that
// builds images (tools/mkfs.py mirrors these numbers).
//
// Layout, in BSIZE blocks:
//   [0 unused] [1 superblock] [inode blocks ...] [free bitmap ...] [data ...]
// There is no journal: the kernel writes every block through to the disk as
// soon as it changes. A crash can leave garbage, which is acceptable for a
// teaching kernel that runs on an emulator.
#pragma once
#include "types.h"

#define BSIZE     1024
#define FSMAGIC   0x78763666        // "fv6x" little-endian: our own format
#define ROOTINO   1

struct superblock {
  u32 magic;
  u32 size;         // total blocks in the image
  u32 nblocks;      // data blocks
  u32 ninodes;
  u32 inodestart;   // first inode block
  u32 bmapstart;    // first bitmap block
  u32 datastart;    // first data block
};

// A file's blocks: NDIRECT direct, then one single-indirect block, then one
// double-indirect block (so files can reach tens of megabytes).
#define NDIRECT   11
#define NINDIRECT (BSIZE / sizeof(u32))
#define MAXFILE   (NDIRECT + NINDIRECT + NINDIRECT * NINDIRECT)

// Inode types.
#define T_DIR     1
#define T_FILE    2
#define T_DEVICE  3

// 64 bytes on disk; 16 per block.
struct dinode {
  short type;       // 0 = free
  short major;      // device numbers (T_DEVICE only)
  short minor;
  short nlink;      // directory entries naming this inode
  u32 size;         // bytes
  u32 addrs[NDIRECT + 2];
};

#define IPB           (BSIZE / sizeof(struct dinode))
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)
#define BPB           (BSIZE * 8)
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)

// A directory is a file of these; inum 0 marks a free slot.
#define DIRSIZ 14
struct dirent {
  u16 inum;
  char name[DIRSIZ];
};
