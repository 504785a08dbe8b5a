// The user-space interface: system calls (user/usys.S) and the small C
// library (user/ulib.c, user/printf.c, user/umalloc.c).
#pragma once
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"

// System calls. On failure they return -1 (sbrk: (char*)-1).
int fork(void);
int exit(int status) __attribute__((noreturn));
int wait(int *status);           // status may be 0
int pipe(int fds[2]);
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int close(int fd);
int kill(int pid);
int exec(const char *path, char **argv);
int open(const char *path, int flags);
int mknod(const char *path, short major, short minor);
int unlink(const char *path);
int fstat(int fd, struct stat *st);
int link(const char *oldpath, const char *newpath);
int mkdir(const char *path);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
char *sbrk(int n);
int sleep(int ticks);            // ticks of 10 ms
int uptime(void);                // ticks since boot
int freepages(void);             // pages on the kernel's free list
int halt(int status) __attribute__((noreturn));

// Library.
int stat(const char *path, struct stat *st);
char *strcpy(char *dst, const char *src);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, usize n);
usize strlen(const char *s);
char *strchr(const char *s, int c);
void *memset(void *dst, int c, usize n);
void *memmove(void *dst, const void *src, usize n);
void *memcpy(void *dst, const void *src, usize n);
int memcmp(const void *a, const void *b, usize n);
char *gets(char *buf, int max);
int atoi(const char *s);
void fprintf(int fd, const char *fmt, ...);
void printf(const char *fmt, ...);
void *malloc(usize n);
void free(void *p);
