#pragma once
#include "sleeplock.h"
#include "fs.h"

// An open file: a pipe end, an inode, or a device, with its offset.
struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
  int ref;
  char readable;
  char writable;
  struct pipe *pipe;    // FD_PIPE
  struct inode *ip;     // FD_INODE and FD_DEVICE
  u32 off;              // FD_INODE
  short major;          // FD_DEVICE
};

// The in-memory copy of an inode, shared by everyone who has it open.
struct inode {
  u32 dev;
  u32 inum;
  int ref;              // in-memory references (protected by itable.lock)
  struct sleeplock lock;// protects everything below
  int valid;            // the fields below have been read from disk
  short type;
  short major;
  short minor;
  short nlink;
  u32 size;
  u32 addrs[NDIRECT + 2];
};

// Device switch: read and write functions per major number.
struct devsw {
  int (*read)(int user_dst, u64 dst, int n);
  int (*write)(int user_src, u64 src, int n);
};
extern struct devsw devsw[];

#define CONSOLE 1
