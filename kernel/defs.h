// Every kernel function used outside its own file, grouped by file, plus
// the headers nearly every kernel file needs.
#pragma once
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "memlayout.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"

struct buf;
struct file;
struct inode;
struct pipe;
struct stat;

// bio.c
void binit(void);
struct buf *bread(u32 dev, u32 blockno);
void bwrite(struct buf *b);
void brelse(struct buf *b);

// console.c
void consoleinit(void);
void consoleintr(int c);
void consputc(int c);

// exec.c
int exec(char *path, char **argv);

// file.c
struct file *filealloc(void);
void fileclose(struct file *f);
struct file *filedup(struct file *f);
void fileinit(void);
int fileread(struct file *f, u64 addr, int n);
int filestat(struct file *f, u64 addr);
int filewrite(struct file *f, u64 addr, int n);

// fs.c
void fsinit(int dev);
int dirlink(struct inode *dp, const char *name, u32 inum);
struct inode *dirlookup(struct inode *dp, const char *name, u32 *poff);
struct inode *ialloc(u32 dev, short type);
struct inode *idup(struct inode *ip);
void iinit(void);
void ilock(struct inode *ip);
void iput(struct inode *ip);
void iunlock(struct inode *ip);
void iunlockput(struct inode *ip);
void iupdate(struct inode *ip);
void itrunc(struct inode *ip);
int namecmp(const char *a, const char *b);
struct inode *namei(const char *path);
struct inode *nameiparent(const char *path, char *name);
int readi(struct inode *ip, int user_dst, u64 dst, u32 off, u32 n);
void stati(struct inode *ip, struct stat *st);
int writei(struct inode *ip, int user_src, u64 src, u32 off, u32 n);

// kalloc.c
void *kalloc(void);
void kfree(void *pa);
void kinit(void);
void kref_inc(void *pa);
int kref_count(void *pa);
int kfreepages(void);

// pipe.c
int pipealloc(struct file **f0, struct file **f1);
void pipeclose(struct pipe *pi, int writable);
int piperead(struct pipe *pi, u64 addr, int n);
int pipewrite(struct pipe *pi, u64 addr, int n);

// plic.c
void plicinit(void);
void plicinithart(void);
int plic_claim(void);
void plic_complete(int irq);

// printf.c
void printf(const char *fmt, ...);
void panic(const char *fmt, ...) __attribute__((noreturn));
void printfinit(void);

// proc.c
int cpuid(void);
void exit(int status) __attribute__((noreturn));
int fork(void);
int growproc(int n);
void proc_mapstacks(pagetable_t kpt);
pagetable_t proc_pagetable(struct proc *p);
void proc_freepagetable(pagetable_t pt, u64 sz);
int kill(int pid);
int killed(struct proc *p);
void setkilled(struct proc *p);
struct cpu *mycpu(void);
struct proc *myproc(void);
void procinit(void);
void scheduler(void) __attribute__((noreturn));
void sched(void);
void sleep(void *chan, struct spinlock *lk);
void userinit(void);
int wait(u64 addr);
void wakeup(void *chan);
void yield(void);
int either_copyout(int user_dst, u64 dst, void *src, u64 len);
int either_copyin(void *dst, int user_src, u64 src, u64 len);
void procdump(void);

// swtch.S
void swtch(struct context *from, struct context *to);

// spinlock.c
void acquire(struct spinlock *lk);
int holding(struct spinlock *lk);
void initlock(struct spinlock *lk, const char *name);
void release(struct spinlock *lk);
void push_off(void);
void pop_off(void);

// sleeplock.c
void acquiresleep(struct sleeplock *lk);
void releasesleep(struct sleeplock *lk);
int holdingsleep(struct sleeplock *lk);
void initsleeplock(struct sleeplock *lk, const char *name);

// string.c
int memcmp(const void *a, const void *b, usize n);
void *memmove(void *dst, const void *src, usize n);
void *memcpy(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
char *safestrcpy(char *dst, const char *src, int n);
int strlen(const char *s);
int strncmp(const char *a, const char *b, usize n);

// syscall.c
void argint(int n, int *ip);
int argstr(int n, char *buf, int max);
void argaddr(int n, u64 *ip);
int fetchstr(u64 addr, char *buf, int max);
int fetchaddr(u64 addr, u64 *ip);
void syscall(void);

// trap.c
void trapinit(void);
void trapinithart(void);
int devintr(u64 scause);
void usertrapret(void);

// uart.c
void uartinit(void);
void uartintr(void);
void uartputc(int c);
void uartputc_sync(int c);
int uartgetc(void);

// vm.c
void kvminit(void);
void kvminithart(void);
pte_t *walk(pagetable_t pt, u64 va, int alloc);
u64 walkaddr(pagetable_t pt, u64 va);
int mappages(pagetable_t pt, u64 va, u64 size, u64 pa, int perm);
pagetable_t uvmcreate(void);
u64 uvmalloc(pagetable_t pt, u64 oldsz, u64 newsz, int xperm);
u64 uvmdealloc(pagetable_t pt, u64 oldsz, u64 newsz);
int uvmcopy(pagetable_t old, pagetable_t new, u64 sz);
int cow_fault(pagetable_t pt, u64 va);
int uvmcheck(pagetable_t pt, u64 va, u64 len, int write);
void uvmfree(pagetable_t pt, u64 sz);
void uvmunmap(pagetable_t pt, u64 va, u64 npages, int do_free);
void uvmclear(pagetable_t pt, u64 va);
int copyout(pagetable_t pt, u64 dstva, const char *src, u64 len);
int copyin(pagetable_t pt, char *dst, u64 srcva, u64 len);
int copyinstr(pagetable_t pt, char *dst, u64 srcva, u64 max);

// virtio_disk.c
void virtio_disk_init(void);
void virtio_disk_rw(struct buf *b, int write);
void virtio_disk_intr(void);
