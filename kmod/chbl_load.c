// SPDX-License-Identifier: GPL-2.0
/*
 * The load bound of chbl; see chbl_load.h for the rule every director
 * follows.
 */
#include "chbl_load.h"

/* The 128-bit product of @a and @b, as its high and low 64 bits. */
static void chbl_mul64(u64 a, u64 b, u64 *hi, u64 *lo)
{
	u64 al = (u32)a, ah = a >> 32, bl = (u32)b, bh = b >> 32;
	u64 ll = al * bl, lh = al * bh, hl = ah * bl;
	u64 mid = (ll >> 32) + (u32)lh + (u32)hl;

	*lo = (mid << 32) | (u32)ll;
	*hi = ah * bh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/* a * b >= c * d, without overflow. */
static bool chbl_mul_ge(u64 a, u64 b, u64 c, u64 d)
{
	u64 ahi, alo, chi, clo;

	chbl_mul64(a, b, &ahi, &alo);
	chbl_mul64(c, d, &chi, &clo);
	return ahi != chi ? ahi > chi : alo >= clo;
}

/*
 * conns >= ceil(X / Y) holds exactly when conns * Y >= X, for an integer
 * conns: with X = (1000 + eps) * (total + 1) * w and Y = 1000 * W. A
 * weight sum stays below 2^54 (at most 2^22 dests of weight < 2^31) and
 * (1000 + eps) * w below 2^45, so both factors of each side fit in 64 bits.
 */
bool chbl_full(u64 conns, u32 weight, const struct chbl_load *l,
	       u32 eps_milli)
{
	if (!l->weight)
		return false;
	return chbl_mul_ge(conns, 1000 * l->weight, l->conns + 1,
			   (u64)(1000 + eps_milli) * weight);
}

int chbl_eps_parse(const char *text, u32 *milli)
{
	u64 whole = 0;
	u32 frac = 0, scale = 100;
	const char *p = text;
	bool digits = false;

	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (u64)(*p - '0');
		if (whole > CHBL_EPS_MAX / 1000)
			return -EINVAL;
		digits = true;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (!scale)
				return -EINVAL; /* a fourth decimal */
			frac += (u32)(*p - '0') * scale;
			scale /= 10;
			digits = true;
		}
	}
	/* A trailing newline, as echo writes to a parameter, is allowed. */
	if (*p == '\n')
		p++;
	if (*p || !digits || whole * 1000 + frac > CHBL_EPS_MAX)
		return -EINVAL;
	*milli = (u32)(whole * 1000 + frac);
	return 0;
}
