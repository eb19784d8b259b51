/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only file that differs between the kernel and userspace builds of the
 * shared scheduler core: integer types, byte loads, allocation and sorting.
 * Everything else under kmod/wmh_*.{c,h} compiles unchanged in both hosts.
 */
#ifndef WMH_PORT_H
#define WMH_PORT_H

#ifdef __KERNEL__

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmalloc.h>
#ifdef WMH_HAVE_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#define wmh_load_le64(p) get_unaligned_le64(p)
#define wmh_fls64(x) fls64(x)
/* Long builds run in process context under IPVS's mutex: let others in. */
#define wmh_cond_resched() cond_resched()
#define wmh_calloc(n, size) kvcalloc((n), (size), GFP_KERNEL)
#define wmh_alloc_array(n, size) kvmalloc_array((n), (size), GFP_KERNEL)
#define wmh_free(p) kvfree(p)
#define wmh_sort(base, num, size, cmp) sort((base), (num), (size), (cmp), NULL)

/*
 * A table's slot array lives as long as its service, and a node may hold
 * thousands. Above PAGE_SIZE kmalloc() rounds up to a power of two (its
 * 8 KiB cache, then whole page orders): 65537 16-bit slots, 131,074 bytes,
 * would take 256 KiB. When vmalloc()'s whole pages save at least an eighth
 * of that, take them; otherwise (sizes at or just below a power of two, as
 * 4093 or 16381 slots) kvmalloc() as for everything else. Where the memory
 * comes from never changes what the table holds.
 */
static inline void *wmh_alloc_table(size_t n, size_t size)
{
	size_t bytes, pow2;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	if (bytes > PAGE_SIZE) {
		pow2 = roundup_pow_of_two(bytes);
		if (PAGE_ALIGN(bytes) <= pow2 - pow2 / 8)
			return vmalloc(bytes);
	}
	return kvmalloc(bytes, GFP_KERNEL);
}

#else /* userspace */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
/*
 * The CMake build defines __always_inline with the attribute (the lookup
 * needs SipHash inlined with constant round counts); plain inline otherwise.
 */
#ifndef __always_inline
#define __always_inline inline
#endif

static inline u64 wmh_load_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Position of the most significant set bit, 1..64; 0 for 0 (fls64()). */
static inline int wmh_fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline void wmh_cond_resched(void)
{
}

/*
 * Allocation can be made to fail on purpose so that tests can prove that a
 * failed rebuild leaves the previous table untouched. wmh_fail_alloc_after
 * counts down successful allocations; when it reaches zero the next one fails.
 * Negative (the default) disables injection. Not thread-safe: tests only.
 */
extern long wmh_fail_alloc_after;
void *wmh_calloc(size_t n, size_t size);
/* As wmh_calloc, but the memory is not zeroed. */
void *wmh_alloc_array(size_t n, size_t size);
/* A table's slot array: wmh_alloc_array here, sized to fit in the kernel. */
#define wmh_alloc_table(n, size) wmh_alloc_array((n), (size))
#define wmh_free(p) free(p)
#define wmh_sort(base, num, size, cmp) qsort((base), (num), (size), (cmp))

#ifdef __cplusplus
}
#endif

#endif /* __KERNEL__ */

#endif /* WMH_PORT_H */
