// The parts of the ELF64 format exec needs (from the System V ABI).
#pragma once
#include "types.h"

#define ELF_MAGIC 0x464C457FU  // "\x7FELF" read little-endian

struct elfhdr {
  u32 magic;
  u8  ident[12];
  u16 type;
  u16 machine;
  u32 version;
  u64 entry;
  u64 phoff;
  u64 shoff;
  u32 flags;
  u16 ehsize;
  u16 phentsize;
  u16 phnum;
  u16 shentsize;
  u16 shnum;
  u16 shstrndx;
};

struct proghdr {
  u32 type;
  u32 flags;
  u64 off;
  u64 vaddr;
  u64 paddr;
  u64 filesz;
  u64 memsz;
  u64 align;
};

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4
