/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C headers whose types and functions the livepatch API binds.
 *
 * scripts/gen-bindings.sh runs bindgen on this file with the exact command
 * line and C flags the configured kernel used for its own rust/bindings, so
 * every layout below is the configured kernel's.
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/printk.h>
#include <linux/ptrace.h>
