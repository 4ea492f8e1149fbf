/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the core's files share: the breakpoint tables (breakpoints.c),
 * guest memory as gdb sees it, and the line to gdb (line.c).
 */
#ifndef KVM_GDBSTUB_STUB_H
#define KVM_GDBSTUB_STUB_H

#include "gdbstub.h"

extern struct vm vm;
extern struct hw_debug hw;

/* gdbstub.c: hands KVM the debug state; 0, or KVM's refusal as -errno. */
int set_guest_debug(bool enable, bool step);

/* breakpoints.c */
int guest_read(uint64_t gva, uint8_t *buf, uint64_t len);
int guest_write(uint64_t gva, const uint8_t *buf, uint64_t len);
int sw_bp_insert(uint64_t addr, uint64_t kind);
int sw_bp_remove(uint64_t addr);
bool sw_bp_at(uint64_t addr);
/* Lifts (plant false) or plants again the breakpoint at addr, if any. */
int sw_bp_poke_at(uint64_t addr, bool plant);
/* Restores every planted instruction; never fails, says what it dropped. */
void sw_bp_remove_all(void);
int hw_limits(void);
int hw_insert(enum hw_kind kind, uint64_t addr, uint64_t len);
int hw_remove(enum hw_kind kind, uint64_t addr, uint64_t len);
void hw_remove_all(void);
bool hw_bp_at(uint64_t addr);

/* line.c: the connection to gdb, a serial line or TCP. */
struct rsp;
int line_open_serial(const char *path);
int line_listen(const char *spec);
/* Waits for gdb: the serial line is always there, TCP takes a connection. */
int line_accept(struct rsp *rsp);
/* gdb is gone or detached: TCP closes the connection, the listener stays. */
void line_drop(struct rsp *rsp);
/* Takes a TCP connection that is waiting, without blocking; -1 if none. */
int line_take_waiting(struct rsp *rsp);
/* Starts the watcher; the calling thread is the one KVM_RUN runs in. */
int line_watch_init(void);
/*
 * Watches fd (-1: nothing) while the vCPU runs: input or a hang-up sends
 * the vCPU thread SIGUSR1, once until the next call.
 */
void line_watch(int fd);
int line_listen_fd(void);
bool line_is_tcp(void);
const char *line_name(void);

#endif
