/* SPDX-License-Identifier: Apache-2.0 */
#ifndef UMBRA_TESTS_ARM64_INIT_ROOTFS_H
#define UMBRA_TESTS_ARM64_INIT_ROOTFS_H

#include <stddef.h>

/* Mounts the rootfs disk dev at dir, with /proc, /sys, /dev and the test
 * files of the initramfs bound inside. 0, or -1 with the reason in why. */
int rootfs_setup(const char *dev, const char *dir, char *why, size_t len);

#endif
