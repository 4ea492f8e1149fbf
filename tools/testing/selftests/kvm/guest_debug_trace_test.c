// SPDX-License-Identifier: GPL-2.0-only
/*
 * The part of the guest debug contract that is the same on every
 * architecture: each KVM_EXIT_DEBUG fires the kvm:kvm_guest_debug_exit
 * tracepoint with the vCPU, the cause and the exit's PC, and counts in the
 * vCPU's debug statistics.  Single steps drive it, since every
 * architecture can step without guest code of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_debug_stats.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_expect.h"
#include "ucall_common.h"

#define GD_STEPS	8
#define GD_TRACEFS	"/sys/kernel/tracing"
#define GD_EVENT	GD_TRACEFS "/events/kvm/kvm_guest_debug_exit/enable"
#define GD_TRACE_LINE	"kvm_guest_debug_exit: "

static uint64_t gd_counter;

static void guest_code(void)
{
	int i;

	GUEST_SYNC(0);
	for (i = 0; i < 1000; i++)
		WRITE_ONCE(gd_counter, READ_ONCE(gd_counter) + 1);
	GUEST_DONE();
}

/* The guest address a step exit reports, in the form the tracepoint has. */
static uint64_t step_exit_pc(struct kvm_vcpu *vcpu)
{
#if defined(__x86_64__)
	return vcpu->run->debug.arch.pc;
#elif defined(__aarch64__)
	uint64_t pc;

	vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), &pc);
	return pc;
#elif defined(__powerpc__)
	return vcpu->run->debug.arch.address;
#else
#error "no step exit PC for this architecture"
#endif
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	TEST_ASSERT(fd >= 0, "open(%s): %s", path, strerror(errno));
	TEST_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text),
		    "write(%s): %s", path, strerror(errno));
	close(fd);
}

/* Whether tracefs is there, mounting it if need be. */
static bool tracefs_ready(void)
{
	struct stat st;

	if (!stat(GD_TRACEFS "/trace", &st))
		return true;
	if (mount("tracefs", GD_TRACEFS, "tracefs", 0, NULL))
		return false;
	return !stat(GD_TRACEFS "/trace", &st);
}

struct gd_trace {
	int lines;
	int bad;		/* lines that are not vCPU 0 stepping */
	uint64_t pc[GD_STEPS];
};

static void read_trace(struct gd_trace *t)
{
	FILE *f = fopen(GD_TRACEFS "/trace", "r");
	char line[512], cause[32];
	unsigned long long pc;
	unsigned int vcpu;
	char *event;

	TEST_ASSERT(f, "fopen(%s/trace): %s", GD_TRACEFS, strerror(errno));
	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), f)) {
		event = strstr(line, GD_TRACE_LINE);
		if (!event)
			continue;
		if (sscanf(event + strlen(GD_TRACE_LINE), "vcpu %u cause %31s pc 0x%llx",
			   &vcpu, cause, &pc) != 3 || vcpu || strcmp(cause, "step")) {
			ksft_print_msg("unexpected trace line: %s", event);
			t->bad++;
			continue;
		}
		if (t->lines < GD_STEPS)
			t->pc[t->lines] = pc;
		t->lines++;
	}
	fclose(f);
}

int main(void)
{
	struct kvm_guest_debug step = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	struct kvm_guest_debug off = { 0 };
	struct kvm_guest_debug bad = { .control = KVM_GUESTDBG_ENABLE | BIT(3) };
	struct kvm_guest_debug both_injects = {
		.control = KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB,
	};
	struct gd_stats want = { 0 };
	uint64_t pc[GD_STEPS];
	struct kvm_vcpu *vcpu;
	struct gd_trace trace;
	struct kvm_vm *vm;
	struct ucall uc;
	bool ok;
	int i, r;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	ksft_print_header();
	ksft_set_plan(4);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest did not reach its sync");

	/* A refused request neither counts nor stops anything. */
	r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &bad);
	ok = expect(r == -1 && errno == EINVAL, "control bit 3: got %d (errno %d), want EINVAL",
		    r, errno);
	ok &= gd_stats_match(vcpu, &want);
	ksft_test_result(ok, "a refused KVM_SET_GUEST_DEBUG counts nothing\n");

	/*
	 * Without ENABLE, arm64 and Book E once took both flags as "debug off"
	 * and counted an injection that never happened (guest_debug_fuzz_test
	 * found it).
	 */
	r = __vcpu_ioctl(vcpu, KVM_SET_GUEST_DEBUG, &both_injects);
	ok = expect(r == -1 && errno == EINVAL,
		    "INJECT_BP | INJECT_DB without ENABLE: got %d (errno %d), want EINVAL",
		    r, errno);
	ok &= gd_stats_match(vcpu, &want);
	ksft_test_result(ok, "both INJECT flags, even without ENABLE, fail and count nothing\n");

	if (!tracefs_ready()) {
		ksft_test_result_skip("%s: no tracefs in this kernel\n",
				      "kvm_guest_debug_exit fires per step");
	} else {
		write_file(GD_EVENT, "1");
		write_file(GD_TRACEFS "/trace", "");
	}
	vcpu_guest_debug_set(vcpu, &step);
	ok = true;
	for (i = 0; i < GD_STEPS && ok; i++) {
		vcpu_run(vcpu);
		ok = expect(vcpu->run->exit_reason == KVM_EXIT_DEBUG, "step %d: exit %s", i,
			    exit_reason_str(vcpu->run->exit_reason));
		pc[i] = step_exit_pc(vcpu);
		want.count[GD_STAT_STEP]++;
	}
	vcpu_guest_debug_set(vcpu, &off);

	if (!access(GD_EVENT, W_OK)) {
		write_file(GD_EVENT, "0");
		read_trace(&trace);
		ok &= expect(trace.lines == GD_STEPS && !trace.bad,
			     "%d step lines and %d others traced, want %d steps", trace.lines,
			     trace.bad, GD_STEPS);
		for (i = 0; ok && i < GD_STEPS; i++)
			ok = expect(trace.pc[i] == pc[i],
				    "step %d: traced pc 0x%llx, the exit says 0x%llx", i,
				    (unsigned long long)trace.pc[i], (unsigned long long)pc[i]);
		ksft_test_result(ok, "%s\n",
				 "kvm_guest_debug_exit fires per step with vCPU, cause and PC");
	}

	ksft_test_result(gd_stats_match(vcpu, &want),
			 "debug_exit_step counts each step, the other debug stats stay 0\n");

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_DONE, "guest did not run to its end");
	kvm_vm_free(vm);
	ksft_finished();
}
