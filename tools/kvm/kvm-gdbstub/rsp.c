// SPDX-License-Identifier: GPL-2.0
/*
 * The framing of the GDB Remote Serial Protocol.
 *
 * The line is a serial port (or anything that reads and writes bytes),
 * so every read may return a partial packet; the reader is a small state
 * machine over single bytes rather than over whole reads.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rsp.h"

static const char hexdigits[] = "0123456789abcdef";

void rsp_init(struct rsp *rsp, int fd)
{
	if (rsp->fd != fd) {
		rsp->in_pos = 0;
		rsp->in_len = 0;
	}
	rsp->fd = fd;
	rsp->ack = true;
	rsp->interrupted = false;
}

static int read_more(struct rsp *rsp)
{
	ssize_t n;

	if (rsp->in_pos == rsp->in_len) {
		rsp->in_pos = 0;
		rsp->in_len = 0;
	}
	if (rsp->in_len == sizeof(rsp->in))
		return 0;
	do {
		n = read(rsp->fd, rsp->in + rsp->in_len, sizeof(rsp->in) - rsp->in_len);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	rsp->in_len += n;
	return n;
}

static int read_byte(struct rsp *rsp)
{
	if (rsp->fd < 0)
		return -1;
	if (rsp->in_pos == rsp->in_len && read_more(rsp) < 0)
		return -1;
	return rsp->in[rsp->in_pos++];
}

int rsp_fill(struct rsp *rsp)
{
	struct pollfd pfd = { .fd = rsp->fd, .events = POLLIN };
	int got = 0, n;

	if (rsp->fd < 0)
		return -1;
	while (poll(&pfd, 1, 0) == 1) {
		if (!(pfd.revents & POLLIN))
			return -1;		/* POLLHUP or POLLERR alone */
		if (rsp->in_len == sizeof(rsp->in) && rsp->in_pos) {
			rsp->in_len -= rsp->in_pos;
			memmove(rsp->in, rsp->in + rsp->in_pos, rsp->in_len);
			rsp->in_pos = 0;
		}
		n = read_more(rsp);
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += n;
	}
	return got;
}

static bool skip(struct rsp *rsp, int c, bool past)
{
	unsigned char *p = memchr(rsp->in + rsp->in_pos, c, rsp->in_len - rsp->in_pos);

	if (!p) {
		rsp->in_pos = rsp->in_len;
		return false;
	}
	rsp->in_pos = p - rsp->in + past;
	return true;
}

bool rsp_skip_past(struct rsp *rsp, int c)
{
	return skip(rsp, c, true);
}

bool rsp_skip_to(struct rsp *rsp, int c)
{
	return skip(rsp, c, false);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rsp_recv(struct rsp *rsp, char *buf)
{
	for (;;) {
		unsigned int sum = 0, want;
		bool too_long = false;
		int len = 0, c, hi, lo;

		do {
			c = read_byte(rsp);
			if (c < 0)
				return -1;
			if (c == RSP_INTERRUPT)
				rsp->interrupted = true;
		} while (c != '$');

		for (;;) {
			c = read_byte(rsp);
			if (c < 0)
				return -1;
			if (c == '#')
				break;
			if (c == '$') {		/* a new start: drop the fragment */
				len = 0;
				sum = 0;
				too_long = false;
				continue;
			}
			sum += c;
			if (len < RSP_PACKET_SIZE)
				buf[len++] = c;
			else
				too_long = true;
		}
		hi = hexval(read_byte(rsp));
		lo = hexval(read_byte(rsp));
		want = hi < 0 || lo < 0 ? ~0u : (unsigned int)(hi << 4 | lo);
		if (!rsp->ack) {
			if (too_long)
				continue;
		} else if (too_long || want != (sum & 0xff)) {
			if (write_all(rsp->fd, "-", 1))
				return -1;
			continue;
		} else if (write_all(rsp->fd, "+", 1)) {
			return -1;
		}
		buf[len] = '\0';
		return len;
	}
}

void rsp_begin(struct rsp *rsp)
{
	rsp->out[0] = '$';
	rsp->out_len = 1;
}

static void put_raw(struct rsp *rsp, char c)
{
	/* Room is kept for "#cs"; a reply never outgrows what gdb accepts. */
	if (rsp->out_len < sizeof(rsp->out) - 4)
		rsp->out[rsp->out_len++] = c;
}

void rsp_puts(struct rsp *rsp, const char *s)
{
	while (*s)
		put_raw(rsp, *s++);
}

void rsp_putf(struct rsp *rsp, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	rsp_puts(rsp, tmp);
}

void rsp_put_hex(struct rsp *rsp, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		put_raw(rsp, hexdigits[*p >> 4]);
		put_raw(rsp, hexdigits[*p++ & 0xf]);
	}
}

void rsp_put_binary(struct rsp *rsp, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (; len--; p++) {
		if (*p == '#' || *p == '$' || *p == '}' || *p == '*') {
			put_raw(rsp, '}');
			put_raw(rsp, *p ^ 0x20);
		} else {
			put_raw(rsp, *p);
		}
	}
}

int rsp_send(struct rsp *rsp)
{
	unsigned int sum = 0;
	size_t i;
	int c;

	for (i = 1; i < rsp->out_len; i++)
		sum += (unsigned char)rsp->out[i];
	rsp->out[rsp->out_len++] = '#';
	rsp->out[rsp->out_len++] = hexdigits[(sum >> 4) & 0xf];
	rsp->out[rsp->out_len++] = hexdigits[sum & 0xf];
	for (;;) {
		if (write_all(rsp->fd, rsp->out, rsp->out_len))
			return -1;
		if (!rsp->ack)
			return 0;
		/* Anything but '+' or '-' here is gdb's ^C or noise: skip it. */
		do {
			c = read_byte(rsp);
			if (c < 0)
				return -1;
			if (c == RSP_INTERRUPT)
				rsp->interrupted = true;
		} while (c != '+' && c != '-');
		if (c == '+')
			return 0;
	}
}

int rsp_reply(struct rsp *rsp, const char *s)
{
	rsp_begin(rsp);
	rsp_puts(rsp, s);
	return rsp_send(rsp);
}

int rsp_error(struct rsp *rsp, int err)
{
	rsp_begin(rsp);
	rsp_putf(rsp, "E%02x", err & 0xff);
	return rsp_send(rsp);
}

bool rsp_parse_hex(const char **p, uint64_t *val)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0, d;

	while ((d = hexval(*s)) >= 0) {
		if (++digits > 16)
			return false;
		v = v << 4 | d;
		s++;
	}
	if (!digits)
		return false;
	*val = v;
	*p = s;
	return true;
}

bool rsp_expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

bool rsp_parse_bytes(const char **p, void *out, size_t len)
{
	unsigned char *o = out;
	const char *s = *p;
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0)
			return false;
		o[i] = hi << 4 | lo;
		s += 2;
	}
	*p = s;
	return true;
}
