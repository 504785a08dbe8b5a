// What fstat reports. Shared with user programs.
#pragma once
#include "types.h"

struct stat {
  int dev;      // device number of the disk
  u32 ino;      // inode number
  short type;   // T_DIR, T_FILE or T_DEVICE (fs.h)
  short nlink;
  u64 size;     // bytes
};
