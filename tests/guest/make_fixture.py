#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Create the read-only file tree that the file-family guest tests walk.

    make_fixture.py FIXTURE_DIR

Builds the tree beside FIXTURE_DIR, then swaps it in whole, so a rerun
always leaves exactly this tree whatever was there before. The names, contents and sizes are what tests/guest/fixture.h
expects: change both together.
"""

import os
import shutil
import sys

SMALL = b"hello, umbra\n"
ALPHA = b"0123456789abcdefghijklmnopqrstuvwxyz"
INNER = b"inner\n"
LEAF = b"leaf\n"
SECRET = b"secret\n"
LONG_BODY = b"long\n"
# More than 64 KiB and not a multiple of the page size, so reads cross
# several host-sized chunks and the last page of a mapping is partial.
BIG_SIZE = 200000
MANY = 300
# Linux follows at most 40 symlinks in one lookup (fs/namei.c, MAXSYMLINKS).
CHAINS = (40, 41)


def big_byte(i):
    # fixture.h: fixture_big_byte()
    return (i * 131 + (i >> 9)) & 0xFF


def write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def chain(root, prefix, count, last_target):
    """prefix_01 -> prefix_02 -> ... -> prefix_NN -> last_target."""
    for i in range(1, count + 1):
        name = "%s_%02d" % (prefix, i)
        target = last_target if i == count else "%s_%02d" % (prefix, i + 1)
        os.symlink(target, os.path.join(root, name))


def mkdir(path):
    os.mkdir(path)
    # Not left to the umask: the tests check modes.
    os.chmod(path, 0o755)


def build(root, final):
    mkdir(root)
    p = lambda *parts: os.path.join(root, *parts)

    write(p("small.txt"), SMALL)
    write(p("alpha.txt"), ALPHA)
    write(p("empty"), b"")
    write(p("big.bin"), bytes(big_byte(i) for i in range(BIG_SIZE)))
    write(p("exec.sh"), b"#!/bin/sh\nexit 0\n", 0o755)
    write(p("mode0000"), SECRET, 0o000)
    os.link(p("small.txt"), p("hard.txt"))

    mkdir(p("sub"))
    write(p("sub", "inner.txt"), INNER)
    mkdir(p("sub", "deep"))
    write(p("sub", "deep", "leaf.txt"), LEAF)

    # Absolute links name the final path, which the tests are handed.
    os.symlink("small.txt", p("rel_small"))
    os.symlink("sub/inner.txt", p("rel_inner"))
    os.symlink(os.path.join(final, "small.txt"), p("abs_small"))
    os.symlink("sub/deep", p("dirlink"))
    os.symlink(os.path.join(final, "sub"), p("absdirlink"))
    os.symlink("does-not-exist", p("dangling"))
    os.symlink("loop_b", p("loop_a"))
    os.symlink("loop_a", p("loop_b"))
    os.symlink("self_loop", p("self_loop"))
    # More "../" than the tree is deep: ".." at "/" stays at "/", and the
    # rest of the link walks back down to small.txt, here and in a sandbox
    # whose root is the host's.
    depth = len([c for c in final.split("/") if c])
    os.symlink("../" * (depth + 8) + final.lstrip("/") + "/small.txt",
               p("escape"))

    # Long link bodies: a path that runs through them expands past
    # PATH_MAX, which only the input string may not exceed. Short enough
    # for any file system's symlinks (btrfs keeps about 2 KiB).
    os.symlink("./" * 1000 + "sub", p("longsub"))
    os.symlink("./" * 1000 + "longsub", p("longsub2"))

    mkdir(p("chains"))
    for n in CHAINS:
        chain(p("chains"), "l%d" % n, n, "../small.txt")
        chain(p("chains"), "d%d" % n, n, "../sub")

    mkdir(p("long"))
    write(p("long", "x" * 255), LONG_BODY)

    mkdir(p("many"))
    for i in range(MANY):
        write(p("many", "entry_%03d" % i), b"")

    # One entry of every type getdents64 reports here.
    mkdir(p("list"))
    write(p("list", "reg"), b"")
    write(p("list", ".hidden"), b"")
    mkdir(p("list", "dir"))
    os.symlink("reg", p("list", "lnk"))
    os.symlink("nowhere", p("list", "dangle"))
    os.mkfifo(p("list", "fifo"), 0o644)
    os.chmod(p("list", "fifo"), 0o644)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    final = os.path.abspath(sys.argv[1])
    tmp = final + ".new"
    old = final + ".old"
    for d in (tmp, old):
        if os.path.lexists(d):
            shutil.rmtree(d)
    build(tmp, final)
    if os.path.lexists(final):
        os.rename(final, old)
    os.rename(tmp, final)
    if os.path.lexists(old):
        shutil.rmtree(old)


if __name__ == "__main__":
    main()
