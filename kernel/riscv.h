// RISC-V privileged-architecture helpers: CSR access, page-table entry
// bits, and Sv39 address arithmetic. Everything here is `static inline` or a
// macro so it costs nothing at the call site.
#pragma once
#include "types.h"

// CSR access by name (or number, for CSRs older assemblers don't know).
#define csrr(csr) ({ u64 __v; asm volatile("csrr %0, " #csr : "=r"(__v)); __v; })
#define csrw(csr, v) asm volatile("csrw " #csr ", %0" : : "r"((u64)(v)))
#define csrs(csr, v) asm volatile("csrs " #csr ", %0" : : "r"((u64)(v)))
#define csrc(csr, v) asm volatile("csrc " #csr ", %0" : : "r"((u64)(v)))

#define CSR_STIMECMP 0x14d
#define CSR_MENVCFG  0x30a

// mstatus / sstatus bits.
#define MSTATUS_MPP_MASK (3L << 11)
#define MSTATUS_MPP_S    (1L << 11)
#define MSTATUS_MIE      (1L << 3)
#define SSTATUS_SPP      (1L << 8)   // previous mode: 1 = supervisor
#define SSTATUS_SPIE     (1L << 5)   // interrupts enabled before the trap
#define SSTATUS_SIE      (1L << 1)   // supervisor interrupts enabled
#define SSTATUS_SUM      (1L << 18)

// Interrupt-enable / pending bits (mie, sie, mip, sip).
#define IE_SSI (1L << 1)
#define IE_STI (1L << 5)
#define IE_MTI (1L << 7)
#define IE_SEI (1L << 9)

// scause values the kernel handles.
#define SCAUSE_INTR         (1UL << 63)
#define SCAUSE_SSI          (SCAUSE_INTR | 1)
#define SCAUSE_STI          (SCAUSE_INTR | 5)
#define SCAUSE_SEI          (SCAUSE_INTR | 9)
#define SCAUSE_ECALL_U      8
#define SCAUSE_LOAD_PF      13
#define SCAUSE_STORE_PF     15

static inline u64 r_tp(void) { u64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void w_tp(u64 x) { asm volatile("mv tp, %0" : : "r"(x)); }
static inline u64 r_sp(void) { u64 x; asm volatile("mv %0, sp" : "=r"(x)); return x; }
static inline u64 r_fp(void) { u64 x; asm volatile("mv %0, s0" : "=r"(x)); return x; }
static inline u64 r_time(void) { u64 x; asm volatile("rdtime %0" : "=r"(x)); return x; }

static inline void intr_on(void) { csrs(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csrc(sstatus, SSTATUS_SIE); }
static inline int intr_get(void) { return (csrr(sstatus) & SSTATUS_SIE) != 0; }

static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }

// Pages and page tables.
#define PGSIZE 4096
#define PGSHIFT 12
#define PGROUNDUP(a)   (((a) + PGSIZE - 1) & ~(u64)(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(u64)(PGSIZE - 1))

#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)
#define PTE_G (1L << 5)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)
// The first of the two bits Sv39 reserves for software (RSW): this page is
// shared copy-on-write. Such a PTE never has PTE_W; a store to it faults and
// the kernel gives the faulting process its own copy.
#define PTE_COW (1L << 8)

#define PA2PTE(pa)  ((((u64)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

// The 9-bit index into the page-table page at `level` (2 = root).
#define PXSHIFT(level) (PGSHIFT + 9 * (level))
#define PX(level, va)  ((((u64)(va)) >> PXSHIFT(level)) & 0x1FF)

#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pt) (SATP_SV39 | (((u64)(pt)) >> 12))
