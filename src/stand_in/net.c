// SPDX-License-Identifier: GPL-2.0
/*
 * Inline functions of include/linux/netdevice.h that 6.12's Rust bindings
 * lack, for replacement functions of network drivers (src/stand_in/net.rs):
 * linked only into the modules that use them (klp_c_halves in Kbuild), as
 * the kernel's rust/helpers/ does for the kernel crate.
 */
#include <linux/netdevice.h>

void *klp_rust_netdev_priv(const struct net_device *dev);
bool klp_rust_netif_running(const struct net_device *dev);

void *klp_rust_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

bool klp_rust_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}
