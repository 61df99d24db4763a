#!/usr/bin/env python3
"""Packs a directory into a gzip'd newc cpio archive for the kernel's
initramfs unpacker. Written here rather than with GNU cpio, which rewrites
symlink targets ("./././x" becomes "x") and so would change the guest
fixture's links. Owner root, modes, hard links (by inode) and link targets
are kept as they are."""
import gzip
import os
import stat
import sys


def entry(out, name, st, body, ino):
    name_b = name.encode() + b'\0'
    fields = [ino, st.st_mode, 0, 0, st.st_nlink if not stat.S_ISDIR(st.st_mode) else 2,
              int(st.st_mtime), len(body), 0, 0,
              os.major(st.st_rdev), os.minor(st.st_rdev), len(name_b), 0]
    header = b'070701' + b''.join(b'%08X' % f for f in fields)
    out.write(header + name_b)
    out.write(b'\0' * ((4 - (len(header) + len(name_b)) % 4) % 4))
    out.write(body)
    out.write(b'\0' * ((4 - len(body) % 4) % 4))


def main():
    root, target = sys.argv[1], sys.argv[2]
    inodes = {}
    with gzip.open(target, 'wb', compresslevel=1) as out:
        for dirpath, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(dirs + files):
                path = os.path.join(dirpath, name)
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    body = os.readlink(path).encode()
                elif stat.S_ISREG(st.st_mode):
                    with open(path, 'rb') as f:
                        body = f.read()
                else:
                    body = b''
                ino = inodes.setdefault((st.st_dev, st.st_ino), len(inodes) + 1)
                entry(out, os.path.relpath(path, root), st, body, ino)
        entry(out, 'TRAILER!!!', os.stat(root), b'', 0)


if __name__ == '__main__':
    main()
