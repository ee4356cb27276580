// SPDX-License-Identifier: GPL-2.0

//! A real fix, shipped as a Rust livepatch: "macvlan: fix passthru promiscuity accounting while
//! down", the Linux 6.12.117 stable fix of `macvlan_changelink()` (`drivers/net/macvlan.c`), for
//! the `macvlan` module of Debian's 6.12.115.
//!
//! A passthru macvlan puts its lower device in promiscuous mode when it is opened (unless the
//! `NOPROMISC` flag is set) and takes that reference back when it is closed. Before the fix,
//! changing `NOPROMISC` with `changelink` took or dropped the reference even while the macvlan
//! was down, when it holds none: setting `NOPROMISC` on a down passthru macvlan underflowed the
//! lower device's promiscuity count and left it promiscuous. The fix only touches the count of a
//! running device. `tools/testing/selftests/livepatch/repro_macvlan_promisc.c` shows the bug.
//!
//! The replacement is the fixed function, whose body calls three `static` functions of the module
//! (livepatch relocations, resolved when `macvlan` loads) and one that the compiler inlined into
//! its callers, `update_port_bc_queue_len()`, which is ported here too.

use core::ffi::c_int;
use core::ptr::write_volatile;
use kernel::bindings::{net_device, netlink_ext_ack, nlattr};
use kernel::error::code::EINVAL;
use livepatch::stand_in::net::{netdev_priv, netif_running, nla_get_s32, nla_get_u16, nla_get_u32};
use livepatch::targets::macvlan::{
    macvlan_dev as MacvlanDev, macvlan_mode_MACVLAN_MODE_PASSTHRU as MODE_PASSTHRU,
    macvlan_mode_MACVLAN_MODE_SOURCE as MODE_SOURCE, macvlan_port as MacvlanPort,
    IFLA_MACVLAN_BC_CUTOFF, IFLA_MACVLAN_BC_QUEUE_LEN, IFLA_MACVLAN_FLAGS,
    IFLA_MACVLAN_MACADDR_MODE, IFLA_MACVLAN_MODE, MACVLAN_FLAG_NOPROMISC, MACVLAN_F_PASSTHRU,
};
use livepatch::{klp_extern, klp_func, module_livepatch};

module_livepatch! {
    name: "livepatch_macvlan_fix",
    description: "macvlan: fix passthru promiscuity accounting while down (Linux 6.12.117)",
    license: "GPL",
    objects: {
        MACVLAN: "macvlan" {
            macvlan_changelink => livepatch_macvlan_changelink,
        },
    },
}

klp_extern! {
    "macvlan" {
        fn macvlan_flush_sources(port: *mut MacvlanPort, vlan: *mut MacvlanDev);
        fn update_port_bc_cutoff(vlan: *mut MacvlanDev, cutoff: c_int);
        fn macvlan_changelink_sources(vlan: *mut MacvlanDev, mode: u32, data: *mut *mut nlattr)
            -> c_int;
    }
    vmlinux {
        /// Exported: checked, and linked as usual.
        fn dev_set_promiscuity(dev: *mut net_device, inc: c_int) -> c_int;
    }
}

klp_func! {
    /// Replaces `macvlan_changelink()`, the `changelink` of `macvlan_link_ops`.
    fn livepatch_macvlan_changelink(
        dev: *mut net_device,
        _tb: *mut *mut nlattr,
        data: *mut *mut nlattr,
        _extack: *mut netlink_ext_ack,
    ) -> c_int {
        // SAFETY: rtnetlink (`rtnl_changelink()`, `net/core/rtnetlink.c`) calls `changelink` of
        // `macvlan_link_ops` with the RTNL lock held, for a macvlan `dev`, with `data` NULL or the
        // `IFLA_MACVLAN_MAX + 1` attributes validated against `macvlan_policy`.
        unsafe { changelink(dev, data) }
    }
}

/// The body of the fixed `macvlan_changelink()`.
///
/// # Safety
///
/// The RTNL lock is held; `dev` is a macvlan device, whose private data is its `struct
/// macvlan_dev`; `data` is NULL or points to `IFLA_MACVLAN_MAX + 1` attribute pointers, each NULL
/// or validated against `macvlan_policy`.
unsafe fn changelink(dev: *mut net_device, data: *mut *mut nlattr) -> c_int {
    let attr = |i: u32| {
        // SAFETY: `data`, if not NULL, has `IFLA_MACVLAN_MAX + 1` entries (the caller's guarantee).
        (!data.is_null())
            .then(|| unsafe { *data.add(i as usize) })
            .filter(|a| !a.is_null())
    };
    // SAFETY: `dev` is a macvlan device (the caller's guarantee); its `port` is set at creation.
    let (vlan, port) = unsafe {
        let vlan = netdev_priv::<MacvlanDev>(dev);
        (vlan, (*vlan).port)
    };
    // SAFETY (for the attribute reads below): each attribute is validated against
    // `macvlan_policy`: MODE, MACADDR_MODE and BC_QUEUE_LEN are `NLA_U32`, FLAGS `NLA_U16`,
    // BC_CUTOFF `NLA_S32`. The fields of `vlan` and `port` are written under the RTNL lock, which
    // the caller holds, as the C function writes them.
    let mut set_mode = None;

    // Validate mode, but don't set yet: setting flags may fail.
    if let Some(a) = attr(IFLA_MACVLAN_MODE) {
        // SAFETY: See above.
        let (mode, current) = unsafe { (nla_get_u32(a), (*vlan).mode) };
        // Passthrough mode can't be set or cleared dynamically.
        if (mode == MODE_PASSTHRU) != (current == MODE_PASSTHRU) {
            return EINVAL.to_errno();
        }
        if current == MODE_SOURCE && current != mode {
            // SAFETY: RTNL held, `port` and `vlan` live, as `macvlan_flush_sources()` needs.
            unsafe { macvlan_flush_sources(port, vlan) };
        }
        set_mode = Some(mode);
    }

    if let Some(a) = attr(IFLA_MACVLAN_FLAGS) {
        // SAFETY: See above.
        let (flags, passthru) =
            unsafe { (nla_get_u16(a), (*port).flags & MACVLAN_F_PASSTHRU != 0) };
        // SAFETY: See above.
        let promisc = u32::from(flags ^ unsafe { (*vlan).flags }) & MACVLAN_FLAG_NOPROMISC != 0;
        // The fix: a macvlan that is down holds no promiscuity reference on its lower device.
        // SAFETY: `dev` is live (the caller's guarantee).
        if passthru && promisc && unsafe { netif_running(dev) } {
            let inc = if u32::from(flags) & MACVLAN_FLAG_NOPROMISC != 0 {
                -1
            } else {
                1
            };
            // SAFETY: RTNL held, as `dev_set_promiscuity()` requires; `lowerdev` is held by the
            // macvlan device.
            let err = unsafe { dev_set_promiscuity((*vlan).lowerdev, inc) };
            if err < 0 {
                return err;
            }
        }
        // SAFETY: See above.
        unsafe { (*vlan).flags = flags };
    }

    if let Some(a) = attr(IFLA_MACVLAN_BC_QUEUE_LEN) {
        // SAFETY: See above.
        unsafe {
            (*vlan).bc_queue_len_req = nla_get_u32(a);
            update_port_bc_queue_len(port);
        }
    }

    if let Some(a) = attr(IFLA_MACVLAN_BC_CUTOFF) {
        // SAFETY: See above; RTNL held, as `update_port_bc_cutoff()` needs.
        unsafe { update_port_bc_cutoff(vlan, nla_get_s32(a)) };
    }

    if let Some(mode) = set_mode {
        // SAFETY: See above.
        unsafe { (*vlan).mode = mode };
    }
    if let Some(a) = attr(IFLA_MACVLAN_MACADDR_MODE) {
        // SAFETY: See above.
        if unsafe { (*vlan).mode } != MODE_SOURCE {
            return EINVAL.to_errno();
        }
        // SAFETY: See above; RTNL held and `data` validated, as `macvlan_changelink_sources()`
        // needs.
        let ret = unsafe { macvlan_changelink_sources(vlan, nla_get_u32(a), data) };
        if ret != 0 {
            return ret;
        }
    }
    0
}

/// `update_port_bc_queue_len()` of `macvlan.c`, inlined into its callers there: no symbol.
///
/// # Safety
///
/// The RTNL lock is held (the list of `port`'s devices and their fields change under it), and
/// `port` is live.
unsafe fn update_port_bc_queue_len(port: *mut MacvlanPort) {
    let mut max = 0;
    // SAFETY: `vlans` lists the `struct macvlan_dev`s of the port by their `list` member, stable
    // under the RTNL lock, which the caller holds (`list_for_each_entry()`).
    unsafe {
        let head = &raw mut (*port).vlans;
        let mut pos = (*head).next;
        while pos != head {
            let vlan = pos
                .byte_sub(core::mem::offset_of!(MacvlanDev, list))
                .cast::<MacvlanDev>();
            max = max.max((*vlan).bc_queue_len_req);
            pos = (*pos).next;
        }
        write_volatile(&raw mut (*port).bc_queue_len_used, max);
    }
}
