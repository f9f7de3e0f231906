/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The resolved domain configuration: what a parsed xl.cfg asks for, with
 * defaults applied and every semantic check made (xl.cfg(5)).
 */
#ifndef XL_DOMCFG_H
#define XL_DOMCFG_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "xlcli/xl_cfg.h"
#include "xlcli/xl_disk.h"
#include "xlcli/xl_vif.h"

enum xl_action {
	XL_ACTION_DESTROY,
	XL_ACTION_RESTART,
	XL_ACTION_RENAME_RESTART,
	XL_ACTION_PRESERVE,
	XL_ACTION_COREDUMP_DESTROY,
	XL_ACTION_COREDUMP_RESTART,
};

struct xl_domcfg {
	char *name;
	int has_uuid;
	uint8_t uuid[16];
	const char *type;	/* "pvh" */
	const char *type_alias; /* "pv" when given so, else NULL */
	char *builder;
	unsigned long memory; /* MiB */
	unsigned long maxmem; /* MiB */
	unsigned int vcpus;
	unsigned int maxvcpus;
	/* cpus: one normalized CPULIST for all vCPUs, or one per vCPU */
	char **cpus;
	size_t ncpus;
	int cpus_per_vcpu;
	unsigned int cpu_weight;
	unsigned int cap;
	char *kernel;
	char *ramdisk;
	char *cmdline; /* resolved from cmdline/root/extra */
	char *root;
	char *extra;
	struct xl_disk *disks;
	size_t ndisks;
	struct xl_vif *vifs;
	size_t nvifs;
	enum xl_action on_poweroff;
	enum xl_action on_reboot;
	enum xl_action on_crash;
	enum xl_action on_watchdog;
	char **serial;
	size_t nserial;
};

/*
 * Resolves @cfg into @dc (initialised here).  Errors and warnings go to
 * @diag, naming the file and line ("guest.cfg:7: ...") and the key and
 * value.  @rnd supplies randomness for generated MACs.  Returns 0,
 * -EINVAL (see @diag) or -ENOMEM; on failure @dc holds nothing.
 */
int xl_domcfg_resolve(const struct xl_cfg *cfg, struct xl_domcfg *dc,
		      struct xl_diag *diag, uint32_t (*rnd)(void *arg),
		      void *arg);
void xl_domcfg_dispose(struct xl_domcfg *dc);

const char *xl_action_name(enum xl_action a);

/*
 * Parses a CPULIST ("all", "0-3,5,^1", "nodes:0-1,^node:2") and puts its
 * normalized form in *@out (malloc'd): plain CPU sets as sorted ranges
 * ("0,2-3,5"), lists using all/node as written.  Returns 0, -EINVAL
 * with *@why set, or -ENOMEM.
 */
int xl_cpulist_parse(const char *s, char **out, const char **why);

/* The resolved configuration as JSON (the `xl create -n' output). */
json_object *xl_domcfg_to_json(const struct xl_domcfg *dc);

#endif
