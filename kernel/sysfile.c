// File-system system calls: argument checking, then fs.c and file.c.
#include "defs.h"
#include "stat.h"
#include "file.h"
#include "fcntl.h"

// The argument n as a file descriptor of this process.
static int argfd(int n, int *pfd, struct file **pf) {
  int fd;
  argint(n, &fd);
  if (fd < 0 || fd >= NOFILE || myproc()->ofile[fd] == 0)
    return -1;
  if (pfd) *pfd = fd;
  if (pf) *pf = myproc()->ofile[fd];
  return 0;
}

// The lowest free descriptor, now holding f; or -1.
static int fdalloc(struct file *f) {
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == 0) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -1;
}

u64 sys_dup(void) {
  struct file *f;
  if (argfd(0, 0, &f) < 0)
    return -1;
  int fd = fdalloc(f);
  if (fd < 0)
    return -1;
  filedup(f);
  return fd;
}

u64 sys_read(void) {
  struct file *f;
  int n;
  u64 p;
  argaddr(1, &p);
  argint(2, &n);
  if (argfd(0, 0, &f) < 0 || n < 0 || uvmcheck(myproc()->pagetable, p, n, 1) < 0)
    return -1;
  return fileread(f, p, n);
}

u64 sys_write(void) {
  struct file *f;
  int n;
  u64 p;
  argaddr(1, &p);
  argint(2, &n);
  if (argfd(0, 0, &f) < 0 || n < 0 || uvmcheck(myproc()->pagetable, p, n, 0) < 0)
    return -1;
  return filewrite(f, p, n);
}

u64 sys_close(void) {
  int fd;
  struct file *f;
  if (argfd(0, &fd, &f) < 0)
    return -1;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

u64 sys_fstat(void) {
  struct file *f;
  u64 st;
  argaddr(1, &st);
  if (argfd(0, 0, &f) < 0)
    return -1;
  return filestat(f, st);
}

static int isdirempty(struct inode *dp) {
  struct dirent de;
  for (u32 off = 2 * sizeof(de); off < dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (u64)&de, off, sizeof(de)) != sizeof(de))
      panic("isdirempty: read");
    if (de.inum != 0)
      return 0;
  }
  return 1;
}

// Make old's inode known by a second name too.
u64 sys_link(void) {
  char name[DIRSIZ], new[MAXPATH], old[MAXPATH];
  if (argstr(0, old, MAXPATH) < 0 || argstr(1, new, MAXPATH) < 0)
    return -1;
  struct inode *ip = namei(old);
  if (ip == 0)
    return -1;
  ilock(ip);
  if (ip->type == T_DIR) {   // directory links would make cycles
    iunlockput(ip);
    return -1;
  }
  ip->nlink++;
  iupdate(ip);
  iunlock(ip);

  struct inode *dp = nameiparent(new, name);
  if (dp) {
    ilock(dp);
    if (dp->nlink > 0 && dp->dev == ip->dev && dirlink(dp, name, ip->inum) == 0) {
      iunlockput(dp);
      iput(ip);
      return 0;
    }
    iunlockput(dp);
  }
  ilock(ip);   // undo
  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  return -1;
}

u64 sys_unlink(void) {
  char name[DIRSIZ], path[MAXPATH];
  u32 off;
  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  struct inode *dp = nameiparent(path, name);
  if (dp == 0)
    return -1;
  ilock(dp);
  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0)
    goto bad;
  struct inode *ip = dirlookup(dp, name, &off);
  if (ip == 0)
    goto bad;
  ilock(ip);
  if (ip->nlink < 1)
    panic("unlink: nlink < 1");
  if (ip->type == T_DIR && !isdirempty(ip)) {
    iunlockput(ip);
    goto bad;
  }
  struct dirent de;
  memset(&de, 0, sizeof(de));
  if (writei(dp, 0, (u64)&de, off, sizeof(de)) != sizeof(de))
    panic("unlink: writei");
  if (ip->type == T_DIR) {   // the child's ".." named dp
    dp->nlink--;
    iupdate(dp);
  }
  iunlockput(dp);
  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  return 0;

bad:
  iunlockput(dp);
  return -1;
}

// Create path as a new inode of the given type, or, for T_FILE when it
// already names a file or device, open that. Returns it locked, or 0.
static struct inode *create(const char *path, short type, short major, short minor) {
  char name[DIRSIZ];
  struct inode *dp = nameiparent(path, name);
  if (dp == 0)
    return 0;
  ilock(dp);
  if (dp->nlink < 1) {   // the directory was removed (someone's cwd still)
    iunlockput(dp);
    return 0;
  }
  struct inode *ip = dirlookup(dp, name, 0);
  if (ip) {
    iunlockput(dp);
    ilock(ip);
    if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE))
      return ip;
    iunlockput(ip);
    return 0;
  }
  if ((ip = ialloc(dp->dev, type)) == 0) {
    iunlockput(dp);
    return 0;
  }
  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);
  if (type == T_DIR) {
    // "." and ".."; "." is not counted in nlink, so a directory's nlink
    // is 1 + its subdirectories, like its parent's ".." entries.
    if (dirlink(ip, ".", ip->inum) < 0 || dirlink(ip, "..", dp->inum) < 0)
      goto fail;
  }
  if (dirlink(dp, name, ip->inum) < 0)
    goto fail;
  if (type == T_DIR) {
    dp->nlink++;
    iupdate(dp);
  }
  iunlockput(dp);
  return ip;

fail:
  ip->nlink = 0;   // iput frees it
  iupdate(ip);
  iunlockput(ip);
  iunlockput(dp);
  return 0;
}

u64 sys_open(void) {
  char path[MAXPATH];
  int omode;
  struct inode *ip;
  argint(1, &omode);
  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  if (omode & O_CREATE) {
    if ((ip = create(path, T_FILE, 0, 0)) == 0)
      return -1;
  } else {
    if ((ip = namei(path)) == 0)
      return -1;
    ilock(ip);
    if (ip->type == T_DIR && omode != O_RDONLY) {
      iunlockput(ip);
      return -1;
    }
  }
  if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV)) {
    iunlockput(ip);
    return -1;
  }
  struct file *f = filealloc();
  int fd = f ? fdalloc(f) : -1;
  if (fd < 0) {
    if (f)
      fileclose(f);
    iunlockput(ip);
    return -1;
  }
  if (ip->type == T_DEVICE) {
    f->type = FD_DEVICE;
    f->major = ip->major;
  } else {
    f->type = FD_INODE;
    f->off = 0;
  }
  f->ip = ip;
  f->readable = !(omode & O_WRONLY);
  f->writable = (omode & O_WRONLY) || (omode & O_RDWR);
  if ((omode & O_TRUNC) && ip->type == T_FILE)
    itrunc(ip);
  iunlock(ip);
  return fd;
}

u64 sys_mkdir(void) {
  char path[MAXPATH];
  struct inode *ip;
  if (argstr(0, path, MAXPATH) < 0 || (ip = create(path, T_DIR, 0, 0)) == 0)
    return -1;
  iunlockput(ip);
  return 0;
}

u64 sys_mknod(void) {
  char path[MAXPATH];
  int major, minor;
  struct inode *ip;
  argint(1, &major);
  argint(2, &minor);
  if (argstr(0, path, MAXPATH) < 0 || (ip = create(path, T_DEVICE, major, minor)) == 0)
    return -1;
  iunlockput(ip);
  return 0;
}

u64 sys_chdir(void) {
  char path[MAXPATH];
  struct inode *ip;
  struct proc *p = myproc();
  if (argstr(0, path, MAXPATH) < 0 || (ip = namei(path)) == 0)
    return -1;
  ilock(ip);
  if (ip->type != T_DIR) {
    iunlockput(ip);
    return -1;
  }
  iunlock(ip);
  iput(p->cwd);
  p->cwd = ip;
  return 0;
}

u64 sys_exec(void) {
  char path[MAXPATH], *argv[MAXARG + 1];
  u64 uargv, uarg;
  int i, r = -1;
  argaddr(1, &uargv);
  if (argstr(0, path, MAXPATH) < 0)
    return -1;
  memset(argv, 0, sizeof(argv));
  for (i = 0;; i++) {
    if (i > MAXARG || fetchaddr(uargv + sizeof(u64) * i, &uarg) < 0)
      goto done;
    if (uarg == 0)
      break;
    if ((argv[i] = kalloc()) == 0 || fetchstr(uarg, argv[i], PGSIZE) < 0)
      goto done;
  }
  r = exec(path, argv);
done:
  for (i = 0; i <= MAXARG && argv[i]; i++)
    kfree(argv[i]);
  return r;
}

u64 sys_pipe(void) {
  u64 fdarray;
  struct file *rf, *wf;
  struct proc *p = myproc();
  argaddr(0, &fdarray);
  if (pipealloc(&rf, &wf) < 0)
    return -1;
  int fd0 = fdalloc(rf), fd1 = fd0 < 0 ? -1 : fdalloc(wf);
  if (fd1 < 0) {
    if (fd0 >= 0)
      p->ofile[fd0] = 0;
    fileclose(rf);
    fileclose(wf);
    return -1;
  }
  int fds[2] = {fd0, fd1};
  if (copyout(p->pagetable, fdarray, (char *)fds, sizeof(fds)) < 0) {
    p->ofile[fd0] = p->ofile[fd1] = 0;
    fileclose(rf);
    fileclose(wf);
    return -1;
  }
  return 0;
}
