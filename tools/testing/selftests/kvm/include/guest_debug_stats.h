/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest debug statistics of a vCPU, as KVM's binary stats report them.
 * A test keeps its own count of the debug exits it saw, by the cause it
 * reads from the architecture's exit data, and of the exceptions it
 * injected; gd_stats_match() then says whether KVM counted the same.
 */
#ifndef SELFTEST_KVM_GUEST_DEBUG_STATS_H
#define SELFTEST_KVM_GUEST_DEBUG_STATS_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "test_expect.h"

enum gd_stat {
	GD_STAT_SW_BP,
	GD_STAT_HW_BP,
	GD_STAT_WATCHPOINT,
	GD_STAT_STEP,
	GD_STAT_INJECT,
	GD_NR_STATS,
};

struct gd_stats {
	uint64_t count[GD_NR_STATS];
};

static inline const char *gd_stat_name(enum gd_stat stat)
{
	static const char *const names[GD_NR_STATS] = {
		[GD_STAT_SW_BP] = "debug_exit_sw_bp",
		[GD_STAT_HW_BP] = "debug_exit_hw_bp",
		[GD_STAT_WATCHPOINT] = "debug_exit_watchpoint",
		[GD_STAT_STEP] = "debug_exit_step",
		[GD_STAT_INJECT] = "debug_inject",
	};

	return names[stat];
}

/*
 * Reads the five counters of @vcpu; a counter that KVM does not report, or
 * reports as something other than a per-vCPU cumulative count, fails the
 * test.
 */
static inline void gd_stats_read(struct kvm_vcpu *vcpu, struct gd_stats *stats)
{
	struct kvm_stats_desc *descs, *desc = NULL;
	struct kvm_stats_header header;
	int fd = vcpu_get_stats_fd(vcpu);
	int stat;
	uint32_t i;

	read_stats_header(fd, &header);
	descs = read_stats_descriptors(fd, &header);
	for (stat = 0; stat < GD_NR_STATS; stat++) {
		for (i = 0; i < header.num_desc; i++) {
			desc = get_stats_descriptor(descs, i, &header);
			if (!strcmp(desc->name, gd_stat_name(stat)))
				break;
		}
		TEST_ASSERT(i < header.num_desc, "vCPU stat %s is missing", gd_stat_name(stat));
		TEST_ASSERT((desc->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE &&
			    (desc->flags & KVM_STATS_UNIT_MASK) == KVM_STATS_UNIT_NONE &&
			    desc->size == 1,
			    "vCPU stat %s: flags 0x%x size %u, want a cumulative count",
			    gd_stat_name(stat), desc->flags, desc->size);
		read_stat_data(fd, &header, desc, &stats->count[stat], 1);
	}
	free(descs);
	close(fd);
}

/* Whether KVM's counters for @vcpu are @want; prints each one that is not. */
static inline bool gd_stats_match(struct kvm_vcpu *vcpu, const struct gd_stats *want)
{
	struct gd_stats got;
	bool ok = true;
	int stat;

	gd_stats_read(vcpu, &got);
	for (stat = 0; stat < GD_NR_STATS; stat++)
		ok &= expect(got.count[stat] == want->count[stat], "stat %s is %lu, want %lu",
			     gd_stat_name(stat), (unsigned long)got.count[stat],
			     (unsigned long)want->count[stat]);
	return ok;
}

#endif /* SELFTEST_KVM_GUEST_DEBUG_STATS_H */
