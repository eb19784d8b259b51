// SPDX-License-Identifier: GPL-2.0
/* Userspace half of wmh_port.h; not part of the kernel module. */
#ifndef __KERNEL__
#include "wmh_port.h"

long wmh_fail_alloc_after = -1;

static bool wmh_alloc_fails(void)
{
	if (wmh_fail_alloc_after == 0)
		return true;
	if (wmh_fail_alloc_after > 0)
		wmh_fail_alloc_after--;
	return false;
}

void *wmh_calloc(size_t n, size_t size)
{
	return wmh_alloc_fails() ? NULL : calloc(n, size);
}

void *wmh_alloc_array(size_t n, size_t size)
{
	if (wmh_alloc_fails() || (size && n > SIZE_MAX / size))
		return NULL;
	return malloc(n && size ? n * size : 1);
}
#endif
