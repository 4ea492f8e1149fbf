// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bounded, seeded fuzzer of the guest debug API, on every architecture.
 *
 * Several threads, each with a VM of its own, draw operations from their
 * own pseudo-random sequence (seed + thread number, so a failure names
 * what reproduces it): KVM_SET_GUEST_DEBUG with random control words and
 * arch contents, KVM_RUN of a guest whose loop the valid requests put
 * breakpoints and watchpoints on, INJECT_BP/INJECT_DB, GET/SET of the
 * registers and the guest's own debug registers, and the teardown of the
 * VM and the creation of a new vCPU.
 *
 * The answers are checked against the contract: a control bit outside
 * KVM_CAP_SET_GUEST_DEBUG2, or both INJECT flags, fails with EINVAL; a
 * request built to be valid succeeds; nothing else answers but 0, EINVAL
 * or EBUSY; every exit is a ucall or a well-formed KVM_EXIT_DEBUG; no
 * operation hangs.  Splats are the harness's to catch, in the kernel log.
 *
 *   guest_debug_fuzz_test [-s seed] [-n operations per thread] [-t threads] [-v]
 *
 * A line after each tenth of the operations says how far the run is.
 * -v prints every operation before it starts: when a run takes the host
 * down with it, the console's last lines name the operation.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest_debug.h"
#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"
#if defined(__aarch64__)
#include "vgic.h"
#endif

#define FUZZ_MAX_THREADS	8
#define FUZZ_HANG_SECONDS	60
/* A line every tenth of the run: a slow emulator looks slow, not hung. */
#define FUZZ_PROGRESS_STEPS	10
#define FUZZ_INJECT		(KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB)
#define FUZZ_TRAIL		16

static uint64_t fuzz_counter;

static noinline void guest_code(void)
{
#if defined(__aarch64__)
	/* Unmask debug exceptions, which kvm_util's first PSTATE masks. */
	asm volatile("msr daifclr, #8");
#endif
	for (;;) {
		asm volatile("fuzz_loop: nop");
		WRITE_ONCE(fuzz_counter, READ_ONCE(fuzz_counter) + 1);
		GUEST_SYNC(0);
	}
}

struct fuzz_thread {
	int id;
	uint64_t rng;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int gic_fd;
	uint32_t control;		/* what KVM accepted last */
	const char *doing;		/* the operation under way, for the watchdog */
	/* The last operations, for a report that says how the thread got here. */
	struct {
		const char *what;
		uint32_t control;
		int err;
	} trail[FUZZ_TRAIL];
	atomic_ulong done;		/* operations finished, for the watchdog */
	unsigned long op;
	unsigned long runs, debug_exits, refused, accepted, recreated;
	pthread_t thread;
};

static uint64_t seed = 1;
static unsigned long nr_ops = 2000;
static int nr_threads = 2;
static bool verbose;
static uint32_t cap2;
static struct fuzz_thread threads[FUZZ_MAX_THREADS];

/* xorshift64*: small, and the same sequence on every architecture. */
static uint64_t rnd(struct fuzz_thread *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dull;
}

static bool chance(struct fuzz_thread *t, int percent)
{
	return rnd(t) % 100 < (uint64_t)percent;
}

#define FUZZ_ASSERT(t, cond, fmt, ...)						\
({										\
	struct fuzz_thread *__t = (t);						\
										\
	TEST_ASSERT(cond, "seed %llu thread %d op %lu: " fmt,			\
		    (unsigned long long)seed, __t->id, __t->op, ##__VA_ARGS__);	\
})

/* --- what differs between the architectures --- */

#if defined(__x86_64__)

#define DR7_FIXED		0x400ull

static void guest_handler(struct ex_regs *regs)
{
}

static void arch_vm_setup(struct fuzz_thread *t)
{
	vm_install_exception_handler(t->vm, BP_VECTOR, guest_handler);
	vm_install_exception_handler(t->vm, DB_VECTOR, guest_handler);
}

/* DR0 executes at the loop, DR1 watches 8 bytes of the counter for writes. */
static void arch_valid(struct kvm_guest_debug_arch *arch)
{
	arch->debugreg[0] = GUEST_LABEL(fuzz_loop);
	arch->debugreg[1] = (uint64_t)&fuzz_counter;
	arch->debugreg[7] = DR7_FIXED | 0x1 | 0x4 | (0x1ull << 20) | (0x2ull << 22);
}

static bool arch_exit_ok(struct kvm_vcpu *vcpu)
{
	struct kvm_debug_exit_arch *d = &vcpu->run->debug.arch;

	if (d->exception == BP_VECTOR)
		return true;
	return d->exception == DB_VECTOR && (d->dr6 & 0x600f);
}

static bool arch_may_inject(struct fuzz_thread *t)
{
	return true;
}

static void arch_regs_roundtrip(struct fuzz_thread *t)
{
	struct kvm_debugregs dbgregs;
	struct kvm_regs regs;

	vcpu_regs_get(t->vcpu, &regs);
	vcpu_regs_set(t->vcpu, &regs);
	vcpu_debugregs_get(t->vcpu, &dbgregs);
	vcpu_debugregs_set(t->vcpu, &dbgregs);
}

#elif defined(__aarch64__)

#define BCR_EXEC_EL1		(0x1 | 0x1 << 1 | 0xf << 5)
#define WCR_STORE8_EL1		(0x1 | 0x1 << 1 | 0x2 << 3 | 0xff << 5)
#define REG_DBGBVR0_EL1		ARM64_SYS_REG(2, 0, 0, 0, 4)

static void guest_handler(struct ex_regs *regs)
{
}

static void arch_vm_setup(struct fuzz_thread *t)
{
	static const int classes[] = { ESR_EC_BRK_INS, ESR_EC_HW_BP_CURRENT,
				       ESR_EC_SSTEP_CURRENT, ESR_EC_WP_CURRENT };
	unsigned int i;

	/* BLOCKIRQ needs the in-kernel vGIC. */
	t->gic_fd = vgic_v3_setup(t->vm, 1, 64);
	__TEST_REQUIRE(t->gic_fd >= 0, "no GICv3 for the guest");
	vm_init_descriptor_tables(t->vm);
	vcpu_init_descriptor_tables(t->vcpu);
	for (i = 0; i < ARRAY_SIZE(classes); i++)
		vm_install_sync_handler(t->vm, VECTOR_SYNC_CURRENT, classes[i], guest_handler);
}

static void arch_valid(struct kvm_guest_debug_arch *arch)
{
	arch->dbg_bcr[0] = BCR_EXEC_EL1;
	arch->dbg_bvr[0] = GUEST_LABEL(fuzz_loop);
	arch->dbg_wcr[0] = WCR_STORE8_EL1;
	arch->dbg_wvr[0] = (uint64_t)&fuzz_counter;
}

static bool arch_exit_ok(struct kvm_vcpu *vcpu)
{
	uint32_t ec = vcpu->run->debug.arch.hsr >> 26;

	return (vcpu->run->flags & KVM_DEBUG_ARCH_HSR_HIGH_VALID) &&
	       (ec == 0x30 || ec == 0x32 || ec == 0x34 || ec == 0x3c);
}

/*
 * A stop inside the guest's own exception handler (PSTATE.D set: only
 * userspace's step stops there), handed back, would nest and overwrite
 * ELR_EL1 and SPSR_EL1; like a debugger, hand back only the others.
 */
static bool arch_may_inject(struct fuzz_thread *t)
{
	uint64_t pstate;

	vcpu_get_reg(t->vcpu, ARM64_CORE_REG(regs.pstate), &pstate);
	return !(pstate & PSR_D_BIT);
}

static void arch_regs_roundtrip(struct fuzz_thread *t)
{
	uint64_t pc, bvr;

	vcpu_get_reg(t->vcpu, ARM64_CORE_REG(regs.pc), &pc);
	vcpu_set_reg(t->vcpu, ARM64_CORE_REG(regs.pc), pc);
	vcpu_get_reg(t->vcpu, REG_DBGBVR0_EL1, &bvr);
	vcpu_set_reg(t->vcpu, REG_DBGBVR0_EL1, bvr);
}

#elif defined(__powerpc__)

#define DBSR_EVENTS		0xffffffffu

static void guest_handler(struct ex_regs *regs)
{
	/* DBSR is write-one-to-clear: what an injected debug interrupt set. */
	mtspr(SPRN_DBSR, mfspr(SPRN_DBSR));
}

static void arch_vm_setup(struct fuzz_thread *t)
{
	vm_install_exception_handler(t->vm, IVOR_DEBUG, guest_handler);
	vm_install_exception_handler(t->vm, IVOR_PROGRAM, guest_handler);
}

static void arch_valid(struct kvm_guest_debug_arch *arch)
{
	arch->bp[0].addr = GUEST_LABEL(fuzz_loop);
	arch->bp[0].type = KVMPPC_DEBUG_BREAKPOINT;
	arch->bp[1].addr = (uintptr_t)&fuzz_counter;
	arch->bp[1].type = KVMPPC_DEBUG_WATCH_WRITE;
}

static bool arch_exit_ok(struct kvm_vcpu *vcpu)
{
	uint32_t known = KVMPPC_DEBUG_BREAKPOINT | KVMPPC_DEBUG_WATCH_READ |
			 KVMPPC_DEBUG_WATCH_WRITE | DBSR_EVENTS;

	return !(vcpu->run->debug.arch.status & ~known);
}

/* Book E holds a handed-back debug interrupt until the guest's MSR[DE] allows. */
static bool arch_may_inject(struct fuzz_thread *t)
{
	return true;
}

static void arch_regs_roundtrip(struct fuzz_thread *t)
{
	struct kvm_regs regs;
	uint64_t iac;

	vcpu_regs_get(t->vcpu, &regs);
	vcpu_regs_set(t->vcpu, &regs);
	vcpu_get_reg(t->vcpu, KVM_REG_PPC_IAC1, &iac);
	vcpu_set_reg(t->vcpu, KVM_REG_PPC_IAC1, iac);
}

#else
#error "no guest debug fuzzing for this architecture"
#endif

/* --- the operations --- */

static void vm_new(struct fuzz_thread *t)
{
	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	arch_vm_setup(t);
	t->control = 0;
}

static void vm_gone(struct fuzz_thread *t)
{
#if defined(__aarch64__)
	close(t->gic_fd);
#endif
	kvm_vm_free(t->vm);
}

static void note(struct fuzz_thread *t, uint32_t control, int err)
{
	int i = t->op % FUZZ_TRAIL;

	t->trail[i].what = t->doing;
	t->trail[i].control = control;
	t->trail[i].err = err;
}

/* Starts an operation: what the watchdog names, and a fresh trail entry. */
static void begin(struct fuzz_thread *t, const char *what)
{
	t->doing = what;
	note(t, t->control, 0);
	if (verbose)
		ksft_print_msg("thread %d op %lu: %s\n", t->id, t->op, what);
}

static void print_request(struct kvm_guest_debug *dbg)
{
	uint64_t *words = (uint64_t *)&dbg->arch;
	unsigned int i;

	ksft_print_msg("  control 0x%x, arch:", dbg->control);
	for (i = 0; i < sizeof(dbg->arch) / sizeof(*words); i++)
		printf(" %llx", (unsigned long long)words[i]);
	printf("\n");
}

static void op_set_debug(struct fuzz_thread *t)
{
	struct kvm_guest_debug dbg = { 0 };
	bool bad_bit = false, valid;
	uint64_t *words = (uint64_t *)&dbg.arch;
	unsigned int i;
	int r;

	dbg.control = rnd(t) & cap2;
	if (chance(t, 10)) {
		uint32_t bit = 1u << (rnd(t) % 32);

		bad_bit = !(bit & cap2);
		dbg.control |= bit;
	}
	/*
	 * One INJECT flag hands the last stop back: only where the guest
	 * can take it, as in op_inject().  Both stay, for their EINVAL.
	 */
	if ((dbg.control & FUZZ_INJECT) != FUZZ_INJECT && !arch_may_inject(t))
		dbg.control &= ~FUZZ_INJECT;
	/* Half the requests are built to be valid; the rest are noise. */
	valid = chance(t, 50);
	if (valid) {
		dbg.control &= ~FUZZ_INJECT;
		arch_valid(&dbg.arch);
	} else {
		for (i = 0; i < sizeof(dbg.arch) / sizeof(*words); i++)
			words[i] = chance(t, 70) ? 0 : rnd(t);
	}
	if (verbose)
		print_request(&dbg);
	r = __vcpu_ioctl(t->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	note(t, dbg.control, r ? errno : 0);
	if (bad_bit || (dbg.control & FUZZ_INJECT) == FUZZ_INJECT) {
		FUZZ_ASSERT(t, r == -1 && errno == EINVAL,
			    "control 0x%x (supported 0x%x): got %d errno %d, want EINVAL",
			    dbg.control, cap2, r, r ? errno : 0);
	} else if (valid) {
		FUZZ_ASSERT(t, !r, "valid control 0x%x: errno %d", dbg.control, errno);
	} else {
		FUZZ_ASSERT(t, !r || errno == EINVAL || errno == EBUSY,
			    "control 0x%x: errno %d, want 0, EINVAL or EBUSY",
			    dbg.control, errno);
	}
	if (r) {
		t->refused++;
	} else {
		t->accepted++;
		t->control = dbg.control & ~FUZZ_INJECT;
	}
}

/* Hands the last stop back to the guest, keeping the flags in force. */
static void op_inject(struct fuzz_thread *t)
{
	struct kvm_guest_debug dbg = {
		.control = t->control |
			   (chance(t, 50) ? KVM_GUESTDBG_INJECT_BP : KVM_GUESTDBG_INJECT_DB),
	};
	int r;

	/* The flags in force may use arch contents: give valid ones. */
	arch_valid(&dbg.arch);
	if (!(dbg.control & cap2 & FUZZ_INJECT) || !arch_may_inject(t))
		return;
	r = __vcpu_ioctl(t->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
	note(t, dbg.control, r ? errno : 0);
	FUZZ_ASSERT(t, !r || errno == EINVAL || errno == EBUSY,
		    "inject 0x%x: errno %d, want 0, EINVAL or EBUSY", dbg.control, errno);
	if (r) {
		t->refused++;
	} else {
		t->accepted++;
		t->control = dbg.control & ~FUZZ_INJECT;
	}
}

static void op_run(struct fuzz_thread *t)
{
	struct ucall uc;

	vcpu_run(t->vcpu);
	t->runs++;
	if (t->vcpu->run->exit_reason == KVM_EXIT_DEBUG) {
		FUZZ_ASSERT(t, arch_exit_ok(t->vcpu), "malformed KVM_EXIT_DEBUG");
		t->debug_exits++;
		return;
	}
	FUZZ_ASSERT(t, get_ucall(t->vcpu, &uc) == UCALL_SYNC, "exit %s, want a sync",
		    exit_reason_str(t->vcpu->run->exit_reason));
}

static void *fuzz_thread_main(void *arg)
{
	struct fuzz_thread *t = arg;

	vm_new(t);
	for (t->op = 0; t->op < nr_ops; t->op++) {
		uint64_t pick = rnd(t) % 100;

		if (pick < 35) {
			begin(t, "KVM_SET_GUEST_DEBUG");
			op_set_debug(t);
		} else if (pick < 75) {
			begin(t, "KVM_RUN");
			op_run(t);
		} else if (pick < 85) {
			begin(t, "register get/set");
			arch_regs_roundtrip(t);
		} else if (pick < 95) {
			begin(t, "INJECT");
			op_inject(t);
		} else if (pick < 97) {
			begin(t, "VM teardown and creation");
			vm_gone(t);
			vm_new(t);
			t->recreated++;
		} else {
			struct kvm_guest_debug off = { 0 };

			/* Debug off: the guest must run on as if nothing happened. */
			begin(t, "debug off");
			vcpu_guest_debug_set(t->vcpu, &off);
			t->control = 0;
		}
		atomic_fetch_add(&t->done, 1);
	}
	vm_gone(t);
	return NULL;
}

static void print_trail(struct fuzz_thread *t)
{
	unsigned long op = t->op > FUZZ_TRAIL ? t->op - FUZZ_TRAIL + 1 : 0;

	for (; op <= t->op; op++) {
		int i = op % FUZZ_TRAIL;

		if (t->trail[i].what)
			ksft_print_msg("thread %d op %lu: %s, control 0x%x, errno %d\n", t->id,
				       op, t->trail[i].what, t->trail[i].control, t->trail[i].err);
	}
}

/* Prints how far the run is each time it passes another tenth of it. */
static void report_progress(unsigned long *reported, const struct timespec *start,
			    const struct timespec *now_ts)
{
	unsigned long total = 0, want = nr_ops * nr_threads;
	int i;

	if (!want)
		return;
	for (i = 0; i < nr_threads; i++)
		total += atomic_load(&threads[i].done);
	if (total * FUZZ_PROGRESS_STEPS / want <= *reported * FUZZ_PROGRESS_STEPS / want)
		return;
	*reported = total;
	ksft_print_msg("fuzz progress: %lu of %lu operations after %ld s\n", total, want,
		       (long)(now_ts->tv_sec - start->tv_sec));
	fflush(stdout);
}

/*
 * Fails the run, with what reproduces it, when a thread stops moving,
 * and reports the run's progress on the way.
 */
static void *watchdog(void *arg)
{
	unsigned long last[FUZZ_MAX_THREADS] = { 0 }, reported = 0;
	struct timespec since[FUZZ_MAX_THREADS], start, now_ts;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < nr_threads; i++)
		since[i] = start;
	for (;;) {
		usleep(200000);
		clock_gettime(CLOCK_MONOTONIC, &now_ts);
		report_progress(&reported, &start, &now_ts);
		for (i = 0; i < nr_threads; i++) {
			unsigned long now = atomic_load(&threads[i].done);

			if (now == nr_ops || now != last[i]) {
				last[i] = now;
				since[i] = now_ts;
				continue;
			}
			if (now_ts.tv_sec - since[i].tv_sec >= FUZZ_HANG_SECONDS) {
				print_trail(&threads[i]);
				TEST_FAIL("seed %llu thread %d op %lu: %s (0x%x) stuck %d s",
					  (unsigned long long)seed, i, now, threads[i].doing,
					  threads[i].control, FUZZ_HANG_SECONDS);
			}
		}
	}
	return arg;
}

int main(int argc, char *argv[])
{
	unsigned long total = 0;
	pthread_t dog;
	int opt, i;

	while ((opt = getopt(argc, argv, "s:n:t:v")) != -1) {
		if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (opt == 'n')
			nr_ops = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			nr_threads = atoi(optarg);
		else if (opt == 'v')
			verbose = true;
		else
			exit(KSFT_FAIL);
	}
	if (verbose)
		setvbuf(stdout, NULL, _IONBF, 0);
	TEST_ASSERT(nr_threads >= 1 && nr_threads <= FUZZ_MAX_THREADS,
		    "-t takes 1 to %d threads", FUZZ_MAX_THREADS);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SET_GUEST_DEBUG));
	cap2 = kvm_check_cap(KVM_CAP_SET_GUEST_DEBUG2);
	TEST_REQUIRE(cap2);

#if defined(__x86_64__)
	/*
	 * The library caches KVM_GET_SUPPORTED_CPUID on first use, and makes
	 * the cache visible before the ioctl has filled it: a thread creating
	 * its VM meanwhile reads empty CPUID (a 32-bit address width).  Fill
	 * it before the threads start.
	 */
	kvm_get_supported_cpuid();
#endif
	ksft_print_header();
	ksft_set_plan(nr_threads);
	ksft_print_msg("seed %llu, %lu operations in each of %d threads, control mask 0x%x\n",
		       (unsigned long long)seed, nr_ops, nr_threads, cap2);
	pthread_create(&dog, NULL, watchdog, NULL);
	for (i = 0; i < nr_threads; i++) {
		threads[i].id = i;
		threads[i].rng = (seed + i) * 0x9e3779b97f4a7c15ull | 1;
		pthread_create(&threads[i].thread, NULL, fuzz_thread_main, &threads[i]);
	}
	for (i = 0; i < nr_threads; i++) {
		struct fuzz_thread *t = &threads[i];

		pthread_join(t->thread, NULL);
		total += nr_ops;
		ksft_print_msg("thread %d: %lu runs, %lu debug exits\n", i, t->runs,
			       t->debug_exits);
		ksft_print_msg("thread %d: %lu requests accepted, %lu refused, %lu VMs\n", i,
			       t->accepted, t->refused, t->recreated + 1);
		ksft_test_result_pass("thread %d: %lu operations\n", i, nr_ops);
	}
	ksft_print_msg("fuzz operations: %lu in all\n", total);
	ksft_finished();
}
