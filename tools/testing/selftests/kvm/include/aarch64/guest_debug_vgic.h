/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel vGIC of an arm64 guest-debug test's VM: a GICv3 where the
 * host can give one, else a GICv2, whose frames sit where a GICv3 would.
 */
#ifndef SELFTEST_KVM_AARCH64_GUEST_DEBUG_VGIC_H
#define SELFTEST_KVM_AARCH64_GUEST_DEBUG_VGIC_H

#include "kvm_util.h"
#include "vgic.h"

#define GD_GICV2_DIST	0x8000000ULL
#define GD_GICV2_CPU	0x8010000ULL

static inline int gd_vgic_v2_setup(struct kvm_vm *vm)
{
	uint64_t dist = GD_GICV2_DIST, cpu = GD_GICV2_CPU;
	int fd = __kvm_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_V2);

	if (fd < 0)
		return fd;
	kvm_device_attr_set(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &dist);
	kvm_device_attr_set(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &cpu);
	kvm_device_attr_set(fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	virt_map(vm, dist, dist, 1);
	virt_map(vm, cpu, cpu, 2);
	return fd;
}

/*
 * The vGIC for a VM with one vCPU: @want is 3 or 2 to insist on that
 * version, 0 for either.  Returns the device's fd, or a negative value
 * if there is none, and the version in @version.
 */
static inline int gd_vgic_setup(struct kvm_vm *vm, int want, int *version)
{
	int fd = -1;

	if (want != 2) {
		fd = vgic_v3_setup(vm, 1, 64);
		*version = 3;
	}
	if (fd < 0 && want != 3) {
		fd = gd_vgic_v2_setup(vm);
		*version = 2;
	}
	return fd;
}

#endif /* SELFTEST_KVM_AARCH64_GUEST_DEBUG_VGIC_H */
