#!/usr/bin/env python3
"""Build a file-system image for the bundled kernel (layout: kernel/fs.h).

    mkfs.py IMAGE FILE...

Each FILE goes into the root directory under its base name, with a
leading '_' dropped (build/user/_sh becomes /sh). The numbers below must
match kernel/fs.h and kernel/param.h.
"""
import os
import struct
import sys

BSIZE = 1024
FSMAGIC = 0x78763666
FSSIZE = 8192          # param.h
NINODES = 200          # param.h
NDIRECT = 11
NINDIRECT = BSIZE // 4
DINODE = struct.Struct("<hhhhI%dI" % (NDIRECT + 2))   # 64 bytes
IPB = BSIZE // DINODE.size
DIRENT = struct.Struct("<H14s")
T_DIR, T_FILE = 1, 2
ROOTINO = 1


class Image:
    def __init__(self):
        self.ninodeblocks = (NINODES + IPB - 1) // IPB
        self.inodestart = 2
        self.bmapstart = self.inodestart + self.ninodeblocks
        nbitmap = (FSSIZE + BSIZE * 8 - 1) // (BSIZE * 8)
        self.datastart = self.bmapstart + nbitmap
        self.blocks = bytearray(FSSIZE * BSIZE)
        self.next_block = self.datastart
        self.next_inode = ROOTINO
        self.inodes = {}     # inum -> [type, nlink, size, addrs]

    def alloc_block(self):
        if self.next_block >= FSSIZE:
            sys.exit("mkfs: image full")
        b = self.next_block
        self.next_block += 1
        return b

    def alloc_inode(self, type_):
        inum = self.next_inode
        if inum >= NINODES:
            sys.exit("mkfs: out of inodes")
        self.next_inode += 1
        self.inodes[inum] = [type_, 1, 0, [0] * (NDIRECT + 2)]
        return inum

    def put_u32(self, block, index, value):
        struct.pack_into("<I", self.blocks, block * BSIZE + index * 4, value)

    def get_u32(self, block, index):
        return struct.unpack_from("<I", self.blocks, block * BSIZE + index * 4)[0]

    def block_of(self, inum, n):
        """Disk block for file block n, allocated on demand (kernel's bmap)."""
        addrs = self.inodes[inum][3]
        if n < NDIRECT:
            if addrs[n] == 0:
                addrs[n] = self.alloc_block()
            return addrs[n]
        n -= NDIRECT
        if n < NINDIRECT:
            if addrs[NDIRECT] == 0:
                addrs[NDIRECT] = self.alloc_block()
            return self.entry(addrs[NDIRECT], n)
        n -= NINDIRECT
        if addrs[NDIRECT + 1] == 0:
            addrs[NDIRECT + 1] = self.alloc_block()
        l1 = self.entry(addrs[NDIRECT + 1], n // NINDIRECT)
        return self.entry(l1, n % NINDIRECT)

    def entry(self, block, index):
        b = self.get_u32(block, index)
        if b == 0:
            b = self.alloc_block()
            self.put_u32(block, index, b)
        return b

    def append(self, inum, data):
        ino = self.inodes[inum]
        off = ino[2]
        pos = 0
        while pos < len(data):
            b = self.block_of(inum, off // BSIZE)
            start = off % BSIZE
            n = min(len(data) - pos, BSIZE - start)
            at = b * BSIZE + start
            self.blocks[at:at + n] = data[pos:pos + n]
            pos += n
            off += n
        ino[2] = off

    def dirent(self, dir_inum, name, inum):
        self.append(dir_inum, DIRENT.pack(inum, name.encode()[:14]))

    def finish(self, path):
        struct.pack_into("<7I", self.blocks, BSIZE, FSMAGIC, FSSIZE,
                         FSSIZE - self.datastart, NINODES, self.inodestart,
                         self.bmapstart, self.datastart)
        for inum, (type_, nlink, size, addrs) in self.inodes.items():
            at = (self.inodestart + inum // IPB) * BSIZE + (inum % IPB) * DINODE.size
            DINODE.pack_into(self.blocks, at, type_, 0, 0, nlink, size, *addrs)
        for b in range(self.next_block):   # every block up to here is in use
            self.blocks[self.bmapstart * BSIZE + b // 8] |= 1 << (b % 8)
        with open(path + ".tmp", "wb") as f:
            f.write(self.blocks)
        os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    img = Image()
    root = img.alloc_inode(T_DIR)
    img.dirent(root, ".", root)
    img.dirent(root, "..", root)
    names = set()
    for path in sys.argv[2:]:
        name = os.path.basename(path)
        if name.startswith("_"):
            name = name[1:]
        if len(name) > 14 or name in names:
            sys.exit("mkfs: bad or duplicate name %r" % name)
        names.add(name)
        inum = img.alloc_inode(T_FILE)
        with open(path, "rb") as f:
            img.append(inum, f.read())
        img.dirent(root, name, inum)
    img.finish(sys.argv[1])
    print("mkfs: %s: %d blocks, %d used, %d files" %
          (sys.argv[1], FSSIZE, img.next_block, len(names)))


if __name__ == "__main__":
    main()
