// SPDX-License-Identifier: GPL-2.0
/*
 * The VM: one memory slot, the guest ELF loaded into it at its physical
 * addresses, and one vCPU whose first state the arch code sets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/elf.h>

#include "gdbstub.h"

/* The guest is an ELF of the stub's own class: 64-bit, or 32-bit on e500v2. */
#if UINTPTR_MAX > 0xffffffffu
#define GUEST_ELFCLASS	ELFCLASS64
#define guest_ehdr	elf64_hdr
#define guest_phdr	elf64_phdr
#else
#define GUEST_ELFCLASS	ELFCLASS32
#define guest_ehdr	elf32_hdr
#define guest_phdr	elf32_phdr
#endif

#define GUEST_MEM_SIZE	(64ull << 20)

void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < vm->mem_gpa || len > vm->mem_size ||
	    gpa - vm->mem_gpa > vm->mem_size - len)
		return NULL;
	return vm->mem + (gpa - vm->mem_gpa);
}

int vm_check_extension(struct vm *vm, long cap)
{
	return ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap);
}

/* Says whether [off, off + len) lies in a file of size bytes, without wrapping. */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int load_elf(struct vm *vm, const char *path)
{
	const struct guest_ehdr *eh;
	const struct guest_phdr *ph;
	struct stat st;
	void *image;
	int fd, i, ret = -1;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "kvm-gdbstub: %s: %s\n", path, strerror(errno));
		return -1;
	}
	image = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (image == MAP_FAILED) {
		fprintf(stderr, "kvm-gdbstub: mmap %s: %s\n", path, strerror(errno));
		return -1;
	}
	eh = image;
	if ((size_t)st.st_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != GUEST_ELFCLASS ||
	    !in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*ph), st.st_size)) {
		fprintf(stderr, "kvm-gdbstub: %s: not an ELF file of this architecture\n", path);
		goto out;
	}
	ph = (const void *)((const char *)image + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++, ph++) {
		void *dst;

		if (ph->p_type != PT_LOAD)
			continue;
		dst = vm_gpa(vm, ph->p_paddr, ph->p_memsz);
		if (!dst || ph->p_filesz > ph->p_memsz ||
		    !in_file(ph->p_offset, ph->p_filesz, st.st_size)) {
			fprintf(stderr,
				"kvm-gdbstub: %s: segment 0x%llx+0x%llx is not in the file, or not in memory 0x%llx+0x%llx\n",
				path,
				(unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz,
				(unsigned long long)vm->mem_gpa, (unsigned long long)vm->mem_size);
			goto out;
		}
		memcpy(dst, (const char *)image + ph->p_offset, ph->p_filesz);
		memset((char *)dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	vm->entry = eh->e_entry;
	ret = 0;
out:
	munmap(image, st.st_size);
	return ret;
}

int vm_create(struct vm *vm, const char *elf_path)
{
	struct kvm_userspace_memory_region region;
	int run_size;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		perror("kvm-gdbstub: /dev/kvm");
		return -1;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		perror("kvm-gdbstub: KVM_CREATE_VM");
		return -1;
	}
	vm->mem_gpa = arch_mem_gpa;
	vm->mem_size = GUEST_MEM_SIZE;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		perror("kvm-gdbstub: guest memory");
		return -1;
	}
	region = (struct kvm_userspace_memory_region) {
		.guest_phys_addr = vm->mem_gpa,
		.memory_size = vm->mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		perror("kvm-gdbstub: KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	if (load_elf(vm, elf_path))
		return -1;
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_fd < 0 || run_size <= 0) {
		perror("kvm-gdbstub: KVM_CREATE_VCPU");
		return -1;
	}
	vm->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		perror("kvm-gdbstub: mmap kvm_run");
		return -1;
	}
	return arch_vcpu_init(vm);
}
