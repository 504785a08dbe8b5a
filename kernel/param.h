// Sizes of the kernel's fixed tables. Small on purpose: a teaching kernel
// should run out of something quickly enough for tests to notice.
#pragma once

#define NCPU        8     // most harts we support (-smp up to 8)
#define NPROC       64    // process table size
#define NOFILE      16    // open files per process
#define NFILE       100   // open files in the whole system
#define NINODE      50    // in-memory inode cache
#define NDEV        10    // device numbers for mknod
#define ROOTDEV     1     // device number of the file-system disk
#define MAXARG      32    // exec arguments
#define NBUF        32    // disk block cache
#define MAXPATH     128   // longest path name
#define FSSIZE      8192  // blocks in the image mkfs builds (8 MiB)
#define NINODES     200   // inodes in that image
#define USTACKPAGES 2     // user stack pages (plus one guard page below)
#define TICK_CYCLES 100000 // timer interrupt interval in 10 MHz `time` units: 10 ms
