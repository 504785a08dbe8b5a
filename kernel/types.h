// Fixed-width integer names used throughout the kernel and user programs.
// The kernel is freestanding: no libc headers, so we name the widths ourselves.
#pragma once

typedef unsigned char      u8;
typedef unsigned short     u16;
typedef unsigned int       u32;
typedef unsigned long      u64;
typedef signed long        i64;
typedef unsigned long      usize;

typedef u64 pte_t;          // one Sv39 page-table entry
typedef u64 *pagetable_t;   // a page-table page: 512 PTEs

#define NULL ((void *)0)
