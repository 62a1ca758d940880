/* SPDX-License-Identifier: MIT */
/* The typed value parsers behind the options: strict, with a short reason
 * on failure. Shared with the unit tests and the fuzz target. */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ipcdemo/parse.h"
#include "ipcdemo/util.h"

/* Leading decimal digits into *v; returns the number of digits, or -1 on overflow. */
static int scan_digits(const char *s, uint64_t *v)
{
	uint64_t n = 0;
	int i = 0;
	for (; isdigit((unsigned char)s[i]); i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return i;
}

/* The common start of counts and sizes: not empty, not negative, leading
 * digits that fit. Returns the number of digits, or -1 with *why set. */
static int scan_unsigned(const char *s, uint64_t *v, const char **why)
{
	if (*s == '\0') {
		*why = "empty";
		return -1;
	}
	if (*s == '-') {
		*why = "must not be negative";
		return -1;
	}
	int n = scan_digits(s, v);
	if (n < 0)
		*why = "too large";
	return n;
}

int parse_count(const char *s, uint64_t *out, const char **why)
{
	uint64_t v;
	int n = scan_unsigned(s, &v, why);
	if (n < 0)
		return -1;
	if (n == 0 || s[n] != '\0') {
		*why = "not a whole number";
		return -1;
	}
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out, const char **why)
{
	uint64_t v;
	int n = scan_unsigned(s, &v, why);
	if (n < 0)
		return -1;
	if (n == 0) {
		*why = "not a size (examples: 64, 4k, 1M)";
		return -1;
	}
	const char *u = s + n;
	unsigned shift = 0;
	if (*u != '\0') {
		switch (*u) {
		case 'b':
		case 'B':
			shift = 0;
			break;
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			*why = "unknown size suffix (use k, M or G)";
			return -1;
		}
		u++;
		/* Accept "k", "kB"/"KiB" spellings, nothing else. */
		if (shift && (strcmp(u, "iB") == 0 || strcmp(u, "B") == 0 || strcmp(u, "b") == 0))
			u += strlen(u);
		if (*u != '\0') {
			*why = "unknown size suffix (use k, M or G)";
			return -1;
		}
	}
	if (shift && v > (UINT64_MAX >> shift)) {
		*why = "too large";
		return -1;
	}
	*out = v << shift;
	return 0;
}

int parse_duration(const char *s, int64_t *out_ns, const char **why)
{
	uint64_t ip, frac = 0;
	uint64_t frac_div = 1;
	int n = scan_unsigned(s, &ip, why);
	if (n < 0)
		return -1;
	const char *p = s + n;
	if (*p == '.') {
		p++;
		int m = 0;
		while (isdigit((unsigned char)p[m])) {
			if (frac_div < 1000000000ULL) {
				frac = frac * 10 + (unsigned)(p[m] - '0');
				frac_div *= 10;
			}
			m++;
		}
		if (m == 0 && n == 0) {
			*why = "not a duration (examples: 250ms, 1s, 5m)";
			return -1;
		}
		p += m;
	} else if (n == 0) {
		*why = "not a duration (examples: 250ms, 1s, 5m)";
		return -1;
	}
	uint64_t unit;
	if (*p == '\0' || strcmp(p, "s") == 0)
		unit = (uint64_t)NSEC_PER_SEC;
	else if (strcmp(p, "ms") == 0)
		unit = (uint64_t)NSEC_PER_MSEC;
	else if (strcmp(p, "us") == 0)
		unit = 1000;
	else if (strcmp(p, "ns") == 0)
		unit = 1;
	else if (strcmp(p, "m") == 0 || strcmp(p, "min") == 0)
		unit = 60ULL * NSEC_PER_SEC;
	else if (strcmp(p, "h") == 0)
		unit = 3600ULL * NSEC_PER_SEC;
	else {
		*why = "unknown unit (use ns, us, ms, s, m or h)";
		return -1;
	}
	if (ip > (uint64_t)INT64_MAX / unit) {
		*why = "too large";
		return -1;
	}
	/* frac < frac_div = 10^k <= 1e9. Units of a second and more are
	 * multiples of 1e9, so unit / frac_div is exact; smaller units keep
	 * frac * unit below 1e15. Either way nothing overflows. */
	uint64_t fns = unit >= frac_div ? frac * (unit / frac_div) : frac * unit / frac_div;
	uint64_t ns = ip * unit + fns;
	if (ns > (uint64_t)INT64_MAX) {
		*why = "too large";
		return -1;
	}
	*out_ns = (int64_t)ns;
	return 0;
}

int parse_mode(const char *s, mode_t *out, const char **why)
{
	unsigned v = 0;
	if (*s == '\0') {
		*why = "empty";
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '7') {
			*why = "not an octal mode (example: 0600)";
			return -1;
		}
		v = v * 8 + (unsigned)(*p - '0');
		if (v > 07777) {
			*why = "too large (at most 07777)";
			return -1;
		}
	}
	*out = (mode_t)v;
	return 0;
}

int parse_integer(const char *s, int64_t *out, const char **why)
{
	bool neg = *s == '-';
	uint64_t v;
	const char *p = neg ? s + 1 : s;
	if (*p == '\0') {
		*why = "empty";
		return -1;
	}
	int n = scan_digits(p, &v);
	if (n < 0 || v > (uint64_t)INT64_MAX) {
		*why = "too large";
		return -1;
	}
	if (n == 0 || p[n] != '\0') {
		*why = "not a whole number";
		return -1;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Decimal digits without a sign or a superfluous leading zero, at most
 * max. Returns 0, or -1 with *why set. */
static int scan_plain(const char *s, uint64_t max, uint64_t *out, const char **why)
{
	uint64_t v;
	int n = scan_digits(s, &v);
	if (n > 0 && s[n] != '\0')
		n = 0;
	if (n == 0 || (n < 0 && s[strspn(s, "0123456789")] != '\0')) {
		*why = "not a whole number";
		return -1;
	}
	if (n < 0 || v > max) {
		*why = "too large";
		return -1;
	}
	if (s[0] == '0' && n > 1) {
		*why = "a leading 0 does not mean octal here: write 0x for hexadecimal, or decimal without "
		       "leading zeros";
		return -1;
	}
	*out = v;
	return 0;
}

/* 0x and hexadecimal digits, or plain decimal, at most max. */
static int scan_hex_or_dec(const char *s, uint64_t max, uint64_t *out, const char **why)
{
	uint64_t v = 0;
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return scan_plain(s, max, out, why);
	const char *p = s + 2;
	if (*p == '\0') {
		*why = "hexadecimal digits are needed after 0x";
		return -1;
	}
	for (; *p; p++) {
		if (!isxdigit((unsigned char)*p)) {
			*why = "not a hexadecimal number";
			return -1;
		}
		v = v * 16 + (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
		if (v > max) {
			*why = "too large";
			return -1;
		}
	}
	*out = v;
	return 0;
}

int parse_key(const char *s, uint32_t *out, const char **why)
{
	uint64_t v;
	bool neg = s[0] == '-';
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	int rc = neg ? scan_plain(s + 1, (uint64_t)INT32_MAX + 1, &v, why) : scan_hex_or_dec(s, UINT32_MAX, &v, why);
	if (rc < 0) {
		if (strcmp(*why, "too large") == 0)
			*why = hex ? "too large (at most 0xffffffff)" : "out of range (-2147483648 to 4294967295)";
		else if (strcmp(*why, "not a whole number") == 0)
			*why = "not a key (examples: 0x69706364, 42)";
		return -1;
	}
	*out = neg ? (uint32_t)(0 - v) : (uint32_t)v;
	return 0;
}

int parse_proj(const char *s, int *out, const char **why)
{
	uint64_t v;
	if (s[0] != '\0' && s[1] == '\0' && !isdigit((unsigned char)s[0])) {
		*out = (unsigned char)s[0];
		return 0;
	}
	if (scan_hex_or_dec(s, 255, &v, why) < 0 || v == 0) {
		*why = "one character or a number from 1 to 255";
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* A host name (letters, digits, '-', '_' and dots; not starting with '-'
 * or a dot) or a numeric IPv4 address: what may go to the resolver. */
static bool host_name_ok(const char *h, size_t n)
{
	if (n == 0 || n > 253 || h[0] == '-' || h[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.' && h[i] != '_')
			return false;
	return true;
}

/* A numeric IPv6 address, optionally with a %scope (an interface). */
static bool ipv6_ok(const char *h, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	size_t a = strcspn(h, "%");
	if (a > n)
		a = n;
	if (a == 0 || a >= sizeof(buf))
		return false;
	memcpy(buf, h, a);
	buf[a] = '\0';
	if (inet_pton(AF_INET6, buf, bin) != 1)
		return false;
	if (a == n)
		return true;
	if (a + 1 == n || n - a > IF_NAMESIZE)
		return false;
	for (size_t i = a + 1; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '_' && h[i] != '.')
			return false;
	return true;
}

/* A port: decimal digits for 1 to 65535, or a service name (a letter, then
 * letters, digits, '-' and '_'), which the caller looks up. */
static bool port_ok(const char *p, size_t n)
{
	if (n == 0 || n > 32)
		return false;
	if (isdigit((unsigned char)p[0])) {
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)p[i]))
				return false;
			v = v * 10 + (uint64_t)(p[i] - '0');
			if (v > 65535)
				return false;
		}
		return v >= 1;
	}
	if (!isalpha((unsigned char)p[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '_')
			return false;
	return true;
}

static int put_part(char *buf, size_t len, const char *p, size_t n)
{
	if (n >= len)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* The parts of an address: the host (*h, *hn; none for a bare port), the
 * port (*p, NULL when left out), and whether the host is an IPv6 address. */
struct addr_parts {
	const char *h, *p;
	size_t hn;
	bool v6;
};

static int address_split(const char *s, struct addr_parts *a, const char **why)
{
	const char *colon = strrchr(s, ':');
	memset(a, 0, sizeof(*a));
	if (isdigit((unsigned char)s[0]) && s[strspn(s, "0123456789")] == '\0') { /* PORT */
		a->p = s;
		return 0;
	}
	a->h = s;
	if (s[0] == '[') { /* [v6] or [v6]:PORT */
		const char *close = strchr(s, ']');
		if (!close || (close[1] != '\0' && (close[1] != ':' || close[2] == '\0'))) {
			*why = "expected [IPv6]:PORT";
			return -1;
		}
		a->h = s + 1;
		a->hn = (size_t)(close - a->h);
		a->p = close[1] ? close + 2 : NULL;
		a->v6 = true;
	} else if (colon && strchr(s, ':') == colon) { /* HOST:PORT, one colon */
		a->hn = (size_t)(colon - s);
		a->p = colon + 1;
		if (*a->p == '\0') {
			*why = "the port is missing";
			return -1;
		}
	} else { /* HOST, or a bare IPv6 address */
		a->hn = strlen(s);
		a->v6 = colon != NULL;
	}
	if (a->hn == 0) {
		*why = "the host is missing";
		return -1;
	}
	return 0;
}

int parse_address(const char *s, char *host, size_t hl, char *port, size_t pl, const char **why)
{
	struct addr_parts a;
	if (*s == '\0') {
		*why = "empty";
		return -1;
	}
	if (address_split(s, &a, why) < 0)
		return -1;
	if (a.h && !(a.v6 ? ipv6_ok(a.h, a.hn) : host_name_ok(a.h, a.hn))) {
		/* "-1" or "+7790": meant as a port, not a host. */
		bool sign = (s[0] == '-' || s[0] == '+') && s[1] && s[1 + strspn(s + 1, "0123456789")] == '\0';
		*why = sign   ? "the port must be 1 to 65535 or a service name"
		       : a.v6 ? "not an IPv6 address"
			      : "not a host name or address";
		return -1;
	}
	if (a.p && !port_ok(a.p, strlen(a.p))) {
		*why = "the port must be 1 to 65535 or a service name";
		return -1;
	}
	if (put_part(host, hl, a.h ? a.h : "", a.hn) < 0 ||
	    put_part(port, pl, a.p ? a.p : "", a.p ? strlen(a.p) : 0) < 0) {
		*why = "too long";
		return -1;
	}
	return 0;
}

unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return UINT_MAX;
	unsigned row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}
