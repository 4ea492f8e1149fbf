// SPDX-License-Identifier: GPL-2.0-only
/*
 * Four vCPUs single-step while another thread keeps switching guest debug
 * on and off under them, on every architecture.
 *
 * KVM_SET_GUEST_DEBUG and KVM_RUN meet on the vCPU's mutex, so every
 * switch lands between two runs: whatever the order, a run either stops
 * with a well-formed single-step exit (a step cause, a PC inside the
 * program's text) or reaches the guest's next ucall, and the guest's own
 * count, which each ucall reports, goes up by exactly one each time: no
 * step loses or repeats guest work.  Nothing may hang.  Book E KVM gives
 * each VM one vCPU, so there the four vCPUs are in four VMs.
 *
 *   guest_debug_step_race_test [-n rounds]
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#define RACE_VCPUS		4
#define RACE_SECONDS		240

#define STEP	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP)

static unsigned long nr_rounds = 200;
/* The program's executable mapping: a step lands inside it or is wrong. */
static uintptr_t text_start, text_end;
static atomic_bool stop;
/* vCPU threads past their first exit: the switching waits for all of them. */
static atomic_int started;

struct race_vcpu {
	int id;
	struct kvm_vcpu *vcpu;
	uint64_t syncs, steps;
	pthread_t thread;
};

static struct race_vcpu vcpus[RACE_VCPUS];

static void guest_code(void)
{
	uint64_t count;

	/* Not GUEST_SYNC(): ucall() reads its pointer as 64 bits, wrong on ppc32. */
	for (count = 1;; count++)
		GUEST_SYNC1(count);
}

#if defined(__x86_64__)

#define DR6_BS		BIT(14)

static bool is_step(struct kvm_vcpu *vcpu, uint64_t *pc)
{
	struct kvm_debug_exit_arch *arch = &vcpu->run->debug.arch;

	*pc = arch->pc;
	return arch->exception == DB_VECTOR && (arch->dr6 & DR6_BS);
}

#elif defined(__aarch64__)

#define EC_SOFTSTP_LOW	0x32

static bool is_step(struct kvm_vcpu *vcpu, uint64_t *pc)
{
	/* The exit has no PC: it is in the vCPU's registers. */
	vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), pc);
	return (vcpu->run->debug.arch.hsr >> 26) == EC_SOFTSTP_LOW;
}

#elif defined(__powerpc__)

static bool is_step(struct kvm_vcpu *vcpu, uint64_t *pc)
{
	*pc = vcpu->run->debug.arch.address;
	return vcpu->run->debug.arch.status == DBSR_IC;
}

#else
#error "no guest debug step race test for this architecture"
#endif

static void *vcpu_main(void *arg)
{
	struct race_vcpu *v = arg;
	struct kvm_run *run = v->vcpu->run;
	struct ucall uc;
	uint64_t pc;

	while (!atomic_load(&stop)) {
		vcpu_run(v->vcpu);
		if (!v->steps && !v->syncs)
			atomic_fetch_add(&started, 1);
		if (run->exit_reason == KVM_EXIT_DEBUG) {
			TEST_ASSERT(is_step(v->vcpu, &pc),
				    "vCPU %d: a KVM_EXIT_DEBUG that is not a step", v->id);
			TEST_ASSERT(pc >= text_start && pc < text_end,
				    "vCPU %d: step to 0x%llx, outside the program's text",
				    v->id, (unsigned long long)pc);
			v->steps++;
			continue;
		}
		TEST_ASSERT(get_ucall(v->vcpu, &uc) == UCALL_SYNC, "vCPU %d: exit %s, want a sync",
			    v->id, exit_reason_str(run->exit_reason));
		TEST_ASSERT(uc.args[0] == v->syncs + 1,
			    "vCPU %d: the guest's count went from %llu to %llu", v->id,
			    (unsigned long long)v->syncs, (unsigned long long)uc.args[0]);
		v->syncs++;
	}
	return NULL;
}

static void find_text(void)
{
	uintptr_t code = (uintptr_t)guest_code;
	unsigned long start, end;
	char perms[5];
	FILE *maps = fopen("/proc/self/maps", "r");

	TEST_ASSERT(maps, "cannot open /proc/self/maps");
	while (fscanf(maps, "%lx-%lx %4s%*[^\n]", &start, &end, perms) == 3) {
		if (perms[2] == 'x' && code >= start && code < end) {
			text_start = start;
			text_end = end;
			break;
		}
	}
	fclose(maps);
	TEST_ASSERT(text_end, "guest_code is in no executable mapping");
}

static void set_debug(struct kvm_vcpu *vcpu, uint32_t control)
{
	struct kvm_guest_debug dbg = { .control = control };

	vcpu_guest_debug_set(vcpu, &dbg);
}

static void timed_out(int sig)
{
	int i;

	for (i = 0; i < RACE_VCPUS; i++)
		ksft_print_msg("vCPU %d: %llu syncs, %llu steps\n", i,
			       (unsigned long long)vcpus[i].syncs,
			       (unsigned long long)vcpus[i].steps);
	ksft_exit_fail_msg("no end after %d s: a vCPU or KVM_SET_GUEST_DEBUG hangs\n",
			   RACE_SECONDS);
}

static void create_vcpus(struct kvm_vm **vms)
{
	struct kvm_vcpu *all[RACE_VCPUS];
	int i;

#if defined(__powerpc__)
	for (i = 0; i < RACE_VCPUS; i++)
		vms[i] = vm_create_with_one_vcpu(&all[i], guest_code);
#else
	vms[0] = vm_create_with_vcpus(RACE_VCPUS, guest_code, all);
#endif
	for (i = 0; i < RACE_VCPUS; i++) {
		vcpus[i].id = i;
		vcpus[i].vcpu = all[i];
	}
}

int main(int argc, char *argv[])
{
	struct kvm_vm *vms[RACE_VCPUS] = { NULL };
	unsigned long round, toggles = 0;
	int opt, i;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			exit(KSFT_FAIL);
		nr_rounds = strtoul(optarg, NULL, 0);
	}
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));

	ksft_print_header();
	ksft_set_plan(RACE_VCPUS + 1);
	ksft_print_msg("%d vCPUs stepping, %lu rounds of switching debug on and off\n",
		       RACE_VCPUS, nr_rounds);
	signal(SIGALRM, timed_out);
	alarm(RACE_SECONDS);

	find_text();
	create_vcpus(vms);
	for (i = 0; i < RACE_VCPUS; i++) {
		set_debug(vcpus[i].vcpu, STEP);
		pthread_create(&vcpus[i].thread, NULL, vcpu_main, &vcpus[i]);
	}
	/*
	 * On a slow or single-CPU host the switching could otherwise end
	 * before some vCPU thread even enters KVM_RUN, and race with nothing.
	 */
	while (atomic_load(&started) < RACE_VCPUS)
		sched_yield();
	/* Off, on, and on without stepping, in turn on each vCPU. */
	for (round = 0; round < nr_rounds; round++) {
		static const uint32_t controls[] = { 0, STEP, KVM_GUESTDBG_ENABLE, STEP };

		for (i = 0; i < RACE_VCPUS; i++, toggles++)
			set_debug(vcpus[i].vcpu, controls[(round + i) % ARRAY_SIZE(controls)]);
		sched_yield();
	}
	atomic_store(&stop, true);
	/* The last round may have left a vCPU stepping or running freely: both exit soon. */
	for (i = 0; i < RACE_VCPUS; i++) {
		struct race_vcpu *v = &vcpus[i];

		pthread_join(v->thread, NULL);
		ksft_print_msg("vCPU %d: %llu syncs, %llu steps\n", i,
			       (unsigned long long)v->syncs, (unsigned long long)v->steps);
		ksft_test_result(v->steps && v->syncs, "vCPU %d steps and runs on\n", i);
	}
	ksft_test_result_pass("%lu KVM_SET_GUEST_DEBUG calls against running vCPUs\n", toggles);
	for (i = 0; i < RACE_VCPUS && vms[i]; i++)
		kvm_vm_free(vms[i]);
	alarm(0);
	ksft_finished();
}
