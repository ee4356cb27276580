// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_shadow_vars.c`: exercises the shadow variable API.
//!
//! Prints every call with address-agnostic pointer ids (`PTR<n>`, numbered in order of first
//! use, `PTR0` for NULL), as the C module does, for `test-shadow-vars.sh`.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use core::{
    ffi::c_void,
    ptr,
    sync::atomic::{AtomicUsize, Ordering},
};
use kernel::{error::code::*, prelude::*};
use livepatch::{Gfp, NewShadow, Shadow, ShadowDtor};

module! {
    type: TestKlpShadowVars,
    name: "test_klp_shadow_vars",
    author: "Rust for Linux livepatch contributors",
    description: "Livepatch test: shadow variables",
    license: "GPL",
}

/// The pointers seen so far; a pointer's id is its index (the C module's `ptr_list`).
static PTRS: [AtomicUsize; 64] = [const { AtomicUsize::new(0) }; 64];
static NPTRS: AtomicUsize = AtomicUsize::new(0);

/// `ptr_id()`: the id of `p`, allocating the next one on first use; `-ENOMEM` when full.
fn ptr_id(p: usize) -> i32 {
    let n = NPTRS.load(Ordering::Relaxed);
    if let Some(i) = PTRS
        .iter()
        .take(n)
        .position(|s| s.load(Ordering::Relaxed) == p)
    {
        return i as i32;
    }
    match PTRS.get(n) {
        Some(slot) => {
            slot.store(p, Ordering::Relaxed);
            NPTRS.store(n + 1, Ordering::Relaxed);
            n as i32
        }
        None => ENOMEM.to_errno(),
    }
}

/// The address of `v`.
fn addr<T>(v: &T) -> usize {
    ptr::from_ref(v) as usize
}

/// A shadow variable: the address of a "new field" of an object (`char *` or `int *` in C).
type Field = usize;

/// The `char` fields added to the test objects.
// SAFETY: Ids 0x1234 and 0x1235 are used by this test module only (the C `test_klp_shadow_vars`
// is never loaded with it), for a `Field`.
static SV_ID1: Shadow<Field> = unsafe { Shadow::new(0x1234) };
/// The `int` fields added to the test objects.
// SAFETY: As above.
static SV_ID2: Shadow<Field> = unsafe { Shadow::new(0x1235) };

/// Number of objects we simulate that need shadow variables.
const NUM_OBJS: usize = 3;
const GFP: Gfp = Gfp::KERNEL;

/// `shadow_ctor()`: remembers the field's address.
fn shadow_ctor(new: &NewShadow<'_>, var: Option<usize>) -> Result<Field> {
    let var = var.ok_or(EINVAL)?;
    pr_info!(
        "shadow_ctor: PTR{} -> PTR{}\n",
        ptr_id(new.addr() as usize),
        ptr_id(var)
    );
    Ok(var)
}

/// The address printed as the C module's `ctor`.
fn ctor_addr() -> usize {
    shadow_ctor as *const () as usize
}

/// `shadow_dtor()`.
struct Dtor;

impl ShadowDtor<Field> for Dtor {
    fn destroy(obj: *const c_void, value: &Field) {
        pr_info!(
            "shadow_dtor(obj=PTR{}, shadow_data=PTR{})\n",
            ptr_id(obj as usize),
            ptr_id(addr(value))
        );
    }
}

/// The address printed as the C module's `dtor`.
fn dtor_addr() -> usize {
    <Dtor as ShadowDtor<Field>>::destroy as *const () as usize
}

fn obj_ptr(obj: usize) -> *const c_void {
    obj as *const c_void
}

/// `shadow_get()`: the variable's address and value.
fn shadow_get(obj: usize, sv: &Shadow<Field>) -> Option<(usize, Field)> {
    let r = sv.with(obj_ptr(obj), |v| (addr(v), *v));
    pr_info!(
        "klp_shadow_get(obj=PTR{}, id=0x{:x}) = PTR{}\n",
        ptr_id(obj),
        sv.id(),
        ptr_id(r.map_or(0, |r| r.0))
    );
    r
}

/// `shadow_alloc()` and `shadow_get_or_alloc()`: the variable's address.
fn shadow_alloc(obj: usize, sv: &Shadow<Field>, var: usize, or_get: bool) -> Option<usize> {
    let ctor = |new: NewShadow<'_>| shadow_ctor(&new, Some(var));
    let p = if or_get {
        sv.get_or_alloc(obj_ptr(obj), GFP, ctor, addr).ok()
    } else {
        sv.alloc(obj_ptr(obj), GFP, ctor)
            .ok()
            .and_then(|()| sv.with(obj_ptr(obj), addr))
    };
    pr_info!(
        "klp_shadow_{}(obj=PTR{}, id=0x{:x}, size={:x}, gfp_flags={}), ctor=PTR{}, ctor_data=PTR{} = PTR{}\n",
        if or_get { "get_or_alloc" } else { "alloc" },
        ptr_id(obj),
        sv.id(),
        core::mem::size_of::<Field>(),
        GFP,
        ptr_id(ctor_addr()),
        ptr_id(var),
        ptr_id(p.unwrap_or(0))
    );
    p
}

fn shadow_free(obj: usize, sv: &Shadow<Field>) {
    let _ = sv.free_with::<Dtor>(obj_ptr(obj));
    pr_info!(
        "klp_shadow_free(obj=PTR{}, id=0x{:x}, dtor=PTR{})\n",
        ptr_id(obj),
        sv.id(),
        ptr_id(dtor_addr())
    );
}

fn shadow_free_all(sv: &Shadow<Field>) {
    let _ = sv.free_all();
    pr_info!(
        "klp_shadow_free_all(id=0x{:x}, dtor=PTR{})\n",
        sv.id(),
        ptr_id(0)
    );
}

/// Prints the "got expected" line when `found` is the variable at `sv` pointing at `field`.
fn expect(found: Option<(usize, Field)>, sv: Option<usize>, field: usize) -> Result {
    let (p, v) = found.ok_or(EINVAL)?;
    if Some(p) == sv && v == field {
        pr_info!(
            "  got expected PTR{} -> PTR{} result\n",
            ptr_id(p),
            ptr_id(v)
        );
    }
    Ok(())
}

fn run(objs: &[usize; NUM_OBJS]) -> Result {
    let nfields1 = [0u8; NUM_OBJS];
    let nfields2 = [0i32; NUM_OBJS];
    let mut sv1 = [None; NUM_OBJS];
    let mut sv2 = [None; NUM_OBJS];

    // Pass 1: init & alloc a char+int pair of svars for each objs.
    for (i, (&obj, (f1, f2))) in objs.iter().zip(nfields1.iter().zip(&nfields2)).enumerate() {
        let (pf1, pf2) = (addr(f1), addr(f2));
        ptr_id(pf1);
        let s1 = shadow_alloc(obj, &SV_ID1, pf1, i % 2 == 0).ok_or(ENOMEM)?;
        ptr_id(pf2);
        let s2 = shadow_alloc(obj, &SV_ID2, pf2, false).ok_or(ENOMEM)?;
        if let (Some(a), Some(b)) = (sv1.get_mut(i), sv2.get_mut(i)) {
            (*a, *b) = (Some(s1), Some(s2));
        }
    }

    // Pass 2: verify we find allocated svars and where they point to.
    for (&obj, ((f1, f2), (&s1, &s2))) in objs
        .iter()
        .zip(nfields1.iter().zip(&nfields2).zip(sv1.iter().zip(&sv2)))
    {
        expect(shadow_get(obj, &SV_ID1), s1, addr(f1))?;
        expect(shadow_get(obj, &SV_ID2), s2, addr(f2))?;
    }

    // Pass 3: verify that 'get_or_alloc' returns already allocated svars.
    for (&obj, (f1, &s1)) in objs.iter().zip(nfields1.iter().zip(&sv1)) {
        let pndup = addr(f1);
        ptr_id(pndup);
        let p = shadow_alloc(obj, &SV_ID1, pndup, true).ok_or(EINVAL)?;
        if Some(p) == s1 && SV_ID1.with(obj_ptr(obj), |v| *v) == Some(addr(f1)) {
            pr_info!(
                "  got expected PTR{} -> PTR{} result\n",
                ptr_id(p),
                ptr_id(pndup)
            );
        }
    }

    // Pass 4: free <objs[*], SV_ID1> pairs of svars, verify removal.
    for &obj in objs {
        shadow_free(obj, &SV_ID1);
        if shadow_get(obj, &SV_ID1).is_none() {
            pr_info!("  got expected NULL result\n");
        }
    }

    // Pass 5: check we still find <objs[*], SV_ID2> svar pairs.
    for (&obj, (f2, &s2)) in objs.iter().zip(nfields2.iter().zip(&sv2)) {
        expect(shadow_get(obj, &SV_ID2), s2, addr(f2))?;
    }

    // Pass 6: free all the <objs[*], SV_ID2> svar pairs too.
    shadow_free_all(&SV_ID2);
    for &obj in objs {
        if shadow_get(obj, &SV_ID2).is_none() {
            pr_info!("  got expected NULL result\n");
        }
    }
    Ok(())
}

struct TestKlpShadowVars;

impl kernel::Module for TestKlpShadowVars {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        /// Stands for the C module's `struct test_object`.
        #[derive(Clone, Copy)]
        struct TestObject {
            _payload: [usize; 3],
        }
        let objs = [TestObject { _payload: [0; 3] }; NUM_OBJS];
        let objs = objs.each_ref().map(addr);

        ptr_id(0);

        // With an empty shadow variable hash table, expect not to find any matches.
        let [first, ..] = objs;
        if shadow_get(first, &SV_ID1).is_none() {
            pr_info!("  got expected NULL result\n");
        }

        let ret = run(&objs);
        if ret.is_err() {
            let _ = SV_ID1.free_all();
            let _ = SV_ID2.free_all();
        }
        NPTRS.store(0, Ordering::Relaxed);
        ret.map(|()| Self)
    }
}
