// SPDX-License-Identifier: GPL-2.0
/* Userspace half of wmh_port.h; not part of the kernel module. */
#ifndef __KERNEL__
#include "wmh_port.h"

long wmh_fail_alloc_after = -1;

void *wmh_calloc(size_t n, size_t size)
{
	if (wmh_fail_alloc_after == 0)
		return NULL;
	if (wmh_fail_alloc_after > 0)
		wmh_fail_alloc_after--;
	return calloc(n, size);
}
#endif
