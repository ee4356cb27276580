// SPDX-License-Identifier: GPL-2.0

//! Network devices and netlink attributes, for replacement functions of network drivers.
//!
//! Mainline's `kernel::net` has no `net_device` abstraction for drivers' `rtnl_link_ops`; these
//! are the inline functions such a replacement calls, on the raw pointers it receives.
//! `netdev_priv()` and `netif_running()` are C helpers (`net.c`), linked into the modules that
//! use them (`klp_c_halves` in `Kbuild`).
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/net/netlink.h`](srctree/include/net/netlink.h)

use crate::ctype::{CType, HasCType};
use core::ffi::c_void;
use kernel::bindings::{net_device, netlink_ext_ack, nlattr};

extern "C" {
    fn klp_rust_netdev_priv(dev: *const net_device) -> *mut c_void;
    fn klp_rust_netif_running(dev: *const net_device) -> bool;
}

// SAFETY: `struct net_device` (the kernel crate's opaque translation, only behind pointers).
unsafe impl HasCType for net_device {
    const C_TYPE: CType = CType::record("struct net_device");
}

// SAFETY: `struct nlattr`, as the kernel crate translates it.
unsafe impl HasCType for nlattr {
    const C_TYPE: CType = CType::record("struct nlattr");
}

// SAFETY: `struct netlink_ext_ack`, as the kernel crate translates it.
unsafe impl HasCType for netlink_ext_ack {
    const C_TYPE: CType = CType::record("struct netlink_ext_ack");
}

/// `netdev_priv()`: the private area of `dev`, which its driver allocated as a `T`.
///
/// # Safety
///
/// `dev` points to a live `struct net_device` whose driver's private data is a `T`.
pub unsafe fn netdev_priv<T>(dev: *const net_device) -> *mut T {
    // SAFETY: `dev` is a live net_device (the caller's guarantee); `netdev_priv()` only computes
    // an address inside it.
    unsafe { klp_rust_netdev_priv(dev) }.cast()
}

/// `netif_running()`: whether `dev` is up (`__LINK_STATE_START`).
///
/// # Safety
///
/// `dev` points to a live `struct net_device`.
pub unsafe fn netif_running(dev: *const net_device) -> bool {
    // SAFETY: `dev` is a live net_device (the caller's guarantee); `netif_running()` tests a bit of
    // its `state` atomically.
    unsafe { klp_rust_netif_running(dev) }
}

/// `NLA_HDRLEN`: the aligned size of an attribute's header, where its payload starts.
const NLA_HDRLEN: usize = (core::mem::size_of::<nlattr>() + 3) & !3;

macro_rules! nla_get {
    ($($name:ident -> $t:ty),*) => {
        $(
            #[doc = concat!("`", stringify!($name), "()`: the attribute's payload as a `", stringify!($t), "`.")]
            ///
            /// # Safety
            ///
            /// `nla` points to an attribute whose payload holds at least that many bytes, as the
            /// netlink policy of the attribute guarantees once the message is validated.
            pub unsafe fn $name(nla: *const nlattr) -> $t {
                // SAFETY: The payload starts `NLA_HDRLEN` bytes into the attribute and holds the
                // value (the caller's guarantee); netlink aligns it to 4 bytes only.
                unsafe { nla.cast::<u8>().add(NLA_HDRLEN).cast::<$t>().read_unaligned() }
            }
        )*
    };
}
nla_get!(nla_get_u16 -> u16, nla_get_u32 -> u32, nla_get_s32 -> i32);
