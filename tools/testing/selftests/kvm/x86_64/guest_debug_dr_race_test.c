// SPDX-License-Identifier: GPL-2.0-only
/*
 * A MOV DR exit with guest debug off lets the guest at its debug registers
 * without exits until its next VM exit.  If a signal ends KVM_RUN before
 * the guest runs again, and userspace then enables KVM_GUESTDBG_USE_HW_BP,
 * userspace's DR0-3 and DR7 must still not be the guest's to read or
 * write, KVM must not WARN, and the guest's own registers must not take
 * userspace's values.
 *
 * The guest reads DR0 in a loop.  A timer interrupts the vCPU, first at a
 * random delay between 100 ns and 3 ms, as likely in each octave, so that
 * it lands in the window on a fast host and under an emulator alike, then
 * every millisecond.  After each EINTR userspace runs the guest once with a
 * magic DR0 enabled, then switches guest debug off again.  The guest must
 * never read the magic value, and KVM_GET_DEBUGREGS must keep returning
 * the guest's own.
 *
 *   guest_debug_dr_race_test [-s seconds] [-n runs]
 *
 * It stops at whichever limit comes first: 30 s and no run limit unless
 * told otherwise.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"

/* Canonical, never executed: an execute breakpoint that never fires. */
#define GD_MAGIC_DR0	0x7eadb000ul
#define GD_GUEST_DR0	0x5a5a0000ul
#define GD_DR7_FIXED	0x400ul
#define GD_DR7_L0	0x1ul
#define GD_DR6_RESET	0xffff0ff0ul

/*
 * The timer that interrupts each run, in nanoseconds: the shortest first
 * delay, the number of octaves above it, and the period after the first
 * expiry, so that a signal that lands before KVM_RUN enters the guest
 * cannot leave the run going forever.
 */
#define GD_DELAY_MIN	100L
#define GD_OCTAVES	15
#define GD_HW_RUN_DELAY	100000L
#define GD_PERIOD	1000000L

static long random_delay(void)
{
	long octave = GD_DELAY_MIN << (random() % GD_OCTAVES);

	return octave + random() % octave;
}

/*
 * Every GD_EXIT_EVERY reads, a CPUID exit ends the guest's exit-free run:
 * the next read exits again and opens another window, and a host whose
 * timer cannot interrupt a guest that never exits (Bochs) still sees the
 * signal.
 */
#define GD_EXIT_EVERY	64

static void guest_code(void)
{
	uint32_t eax, ebx, ecx, edx;
	uint64_t dr0, i;

	for (i = 1;; i++) {
		asm volatile("mov %%dr0, %0" : "=r"(dr0));
		GUEST_ASSERT(dr0 != GD_MAGIC_DR0);
		if (!(i % GD_EXIT_EVERY))
			cpuid(0, &eax, &ebx, &ecx, &edx);
	}
}

static void on_alarm(int sig)
{
}

static void arm_timer(timer_t timer, long ns)
{
	struct itimerspec when = {
		.it_value = { .tv_nsec = ns },
		.it_interval = { .tv_nsec = ns ? GD_PERIOD : 0 },
	};

	TEST_ASSERT(!timer_settime(timer, 0, &when, NULL), "timer_settime");
}

static void set_debug(struct kvm_vcpu *vcpu, uint32_t control)
{
	struct kvm_guest_debug dbg = { .control = control };

	dbg.arch.debugreg[0] = GD_MAGIC_DR0;
	dbg.arch.debugreg[7] = GD_DR7_FIXED | GD_DR7_L0;
	vcpu_guest_debug_set(vcpu, &dbg);
}

/* A run ends with EINTR, or with the guest's failed assertion. */
static bool run_interrupted(struct kvm_vcpu *vcpu, timer_t timer, long ns)
{
	struct ucall uc;
	int r;

	arm_timer(timer, ns);
	r = __vcpu_run(vcpu);
	arm_timer(timer, 0);
	if (r == -1 && errno == EINTR)
		return true;
	TEST_ASSERT(r == 0, "KVM_RUN: %s", strerror(errno));
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		return expect(false, "the guest read userspace's DR0: %s", uc.buffer);
	return expect(false, "exit reason %s, want EINTR",
		      exit_reason_str(vcpu->run->exit_reason));
}

int main(int argc, char *argv[])
{
	struct kvm_debugregs own = {
		.db = { GD_GUEST_DR0 }, .dr6 = GD_DR6_RESET, .dr7 = GD_DR7_FIXED,
	}, seen;
	/* The process has one thread, so the signal reaches the vCPU's. */
	struct sigevent to_self = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGALRM,
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned long runs = 0, max_runs = 0;
	long seconds = 30;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	timer_t timer;
	time_t end;
	bool ok = true;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:")) != -1) {
		TEST_ASSERT(opt == 's' || opt == 'n', "usage: %s [-s seconds] [-n runs]",
			    argv[0]);
		if (opt == 's')
			seconds = atol(optarg);
		else
			max_runs = strtoul(optarg, NULL, 0);
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	ksft_print_header();
	ksft_set_plan(1);

	/* No SA_RESTART: the signal must end KVM_RUN with EINTR. */
	TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction");
	TEST_ASSERT(!timer_create(CLOCK_MONOTONIC, &to_self, &timer), "timer_create");

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vcpu_debugregs_set(vcpu, &own);

	end = time(NULL) + seconds;
	while (ok && time(NULL) < end && (!max_runs || runs < max_runs)) {
		runs++;
		ok = run_interrupted(vcpu, timer, random_delay());
		if (!ok)
			break;
		/* Right after the EINTR: the guest may hold its DRs directly. */
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
		ok = run_interrupted(vcpu, timer, GD_HW_RUN_DELAY);
		set_debug(vcpu, 0);
		vcpu_debugregs_get(vcpu, &seen);
		ok = ok && expect(seen.db[0] == GD_GUEST_DR0 && seen.dr7 == GD_DR7_FIXED,
				  "after run %lu: the guest's DR0 0x%llx, DR7 0x%llx; want 0x%lx, 0x%lx",
				  runs, seen.db[0], seen.dr7, GD_GUEST_DR0, GD_DR7_FIXED);
	}
	ksft_print_msg("%lu runs interrupted, each then one with userspace's DR0\n", runs);
	ksft_test_result(ok, "the guest never holds userspace's debug registers\n");
	timer_delete(timer);
	kvm_vm_free(vm);
	ksft_finished();
}
