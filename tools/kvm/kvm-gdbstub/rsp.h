/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The framing of the GDB Remote Serial Protocol: $data#cs packets, the
 * +/- acknowledgements, and the hex and binary encodings inside them.
 */
#ifndef KVM_GDBSTUB_RSP_H
#define KVM_GDBSTUB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/compiler.h>

/* What qSupported promises; a longer packet is refused with a NAK. */
#define RSP_PACKET_SIZE		4096

/* The byte gdb sends, outside any packet, to stop a running target. */
#define RSP_INTERRUPT		0x03

struct rsp {
	int fd;
	bool ack;			/* cleared by QStartNoAckMode */
	bool interrupted;		/* a ^C arrived while a packet was awaited */
	char out[2 * RSP_PACKET_SIZE + 8];
	size_t out_len;
	/* What was read from the line and not yet taken. */
	unsigned char in[RSP_PACKET_SIZE];
	size_t in_pos, in_len;
};

/* A new session on fd: acknowledgements on; input already read is kept. */
void rsp_init(struct rsp *rsp, int fd);

/*
 * Reads the next well-formed packet into buf (NUL-terminated, at most
 * RSP_PACKET_SIZE bytes of data).  Returns its length, or -1 once the
 * line is closed.  Packets with a bad checksum or too long are answered
 * with '-' and skipped, as gdb then sends them again.
 */
int rsp_recv(struct rsp *rsp, char *buf);

/* Builds a reply with the rsp_put*() calls below, then sends it. */
void rsp_begin(struct rsp *rsp);
void rsp_puts(struct rsp *rsp, const char *s);
void rsp_putf(struct rsp *rsp, const char *fmt, ...) __printf(2, 3);
void rsp_put_hex(struct rsp *rsp, const void *data, size_t len);
/* Binary data with '}' escapes, as qXfer replies carry it. */
void rsp_put_binary(struct rsp *rsp, const void *data, size_t len);
int rsp_send(struct rsp *rsp);

/* Sends a whole reply: "", "OK", "E16" and the like. */
int rsp_reply(struct rsp *rsp, const char *s);
int rsp_error(struct rsp *rsp, int err);

/*
 * Parsers of packet arguments.  Each advances *p past what it read and
 * returns false on a malformed field.
 */
bool rsp_parse_hex(const char **p, uint64_t *val);
bool rsp_expect(const char **p, char c);
/* Decodes 2 * len hex digits into out. */
bool rsp_parse_bytes(const char **p, void *out, size_t len);

/* Reads what the line holds now, without waiting; -1 once it is closed. */
int rsp_fill(struct rsp *rsp);
/* Drops input read so far up to and including the first c; true if c was there. */
bool rsp_skip_past(struct rsp *rsp, int c);
/* Drops input read so far before the first c; true if c was there. */
bool rsp_skip_to(struct rsp *rsp, int c);

#endif
