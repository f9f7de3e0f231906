// SPDX-License-Identifier: GPL-2.0
/* The resolved domain config: defaults, semantic checks and messages. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_domcfg.h"
#include "tests/hvt_check.h"

#define BASE "name = 'g'\nkernel = '/k'\n"

static uint32_t counter_rnd(void *arg)
{
	unsigned int *n = arg;

	return 0x010203 + (*n)++;
}

struct result {
	int rc;
	char *err;
	char *warn;
	char *info;
	json_object *json;
};

static void resolve(const char *text, struct result *r)
{
	struct xl_diag d = {0};
	struct xl_domcfg dc;
	struct xl_cfg *cfg = xl_cfg_new();
	unsigned int n = 0;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(xl_cfg_parse(cfg, "g.cfg", text, strlen(text), &d), 0);
	r->rc = xl_domcfg_resolve(cfg, &dc, &d, counter_rnd, &n);
	if (!r->rc) {
		r->json = xl_domcfg_to_json(&dc);
		xl_domcfg_dispose(&dc);
		xl_domcfg_dispose(&dc);
	}
	r->err = xl_buf_steal(&d.err);
	r->warn = xl_buf_steal(&d.warn);
	r->info = xl_buf_steal(&d.info);
	xl_diag_dispose(&d);
	xl_cfg_free(cfg);
}

static void result_dispose(struct result *r)
{
	free(r->err);
	free(r->warn);
	free(r->info);
	json_object_put(r->json);
}

static const struct {
	const char *cfg;
	const char *key;  /* a key of the JSON output ... */
	const char *want; /* ... and its compact JSON value */
} good[] = {
    {BASE, "type", "\"pvh\""},
    {BASE, "memory", "128"},
    {BASE, "maxmem", "128"},
    {BASE, "vcpus", "1"},
    {BASE, "maxvcpus", "1"},
    {BASE, "cpus", "\"all\""},
    {BASE, "cpu_weight", "256"},
    {BASE, "cap", "0"},
    {BASE, "uuid", "null"},
    {BASE, "on_poweroff", "\"destroy\""},
    {BASE, "on_reboot", "\"restart\""},
    {BASE, "on_crash", "\"destroy\""},
    {BASE, "on_watchdog", "\"destroy\""},
    {BASE, "cmdline", "null"},
    {BASE "type = 'pv'\n", "type_given", "\"pv\""},
    {BASE "builder = 'generic'\n", "type_given", "\"pv\""},
    {BASE "memory = 512\nmaxmem = 1024\n", "maxmem", "1024"},
    {BASE "memory = '0x200'\n", "memory", "512"},
    {BASE "memory = 0400\n", "memory", "256"},
    {BASE "vcpus = 2\nmaxvcpus = 8\n", "maxvcpus", "8"},
    {BASE "vcpus = 4\n", "maxvcpus", "4"},
    {BASE "cpus = '0-3,5,^1'\n", "cpus", "\"0,2-3,5\""},
    {BASE "cpus = 'all,^7'\n", "cpus", "\"all,^7\""},
    {BASE "cpus = 'nodes:0-3,^node:2'\n", "cpus", "\"nodes:0-3,^node:2\""},
    {BASE "vcpus = 2\ncpus = ['2', '3-8,^5']\n", "cpus", "[\"2\",\"3-4,6-8\"]"},
    {BASE "cpu_weight = 512\ncap = 50\n", "cap", "50"},
    {BASE "uuid = '6E8F3B0E-1D2A-4C55-8B5B-0123456789AB'\n", "uuid",
     "\"6e8f3b0e-1d2a-4c55-8b5b-0123456789ab\""},
    {BASE "root = '/dev/xvda1 ro'\nextra = 'console=hvc0'\n", "cmdline",
     "\"root=/dev/xvda1 ro console=hvc0\""},
    {BASE "extra = 'quiet'\n", "cmdline", "\"quiet\""},
    {BASE "cmdline = 'console=ttyS0'\nroot = '/dev/x'\n", "cmdline",
     "\"console=ttyS0\""},
    {BASE "ramdisk = '/i'\n", "ramdisk", "\"/i\""},
    {BASE "on_poweroff = 'preserve'\non_reboot = 'rename-restart'\n"
	  "on_crash = 'coredump-restart'\non_watchdog = 'coredump-destroy'\n",
     "on_crash", "\"coredump-restart\""},
    {BASE "serial = 'pty'\n", "serial", "[\"pty\"]"},
    {BASE "serial = ['pty', 'file:/tmp/x']\n", "serial",
     "[\"pty\",\"file:/tmp/x\"]"},
    {BASE "disk = '/img,raw,xvda,rw'\n", "disks",
     "[{\"vdev\":\"xvda\",\"target\":\"/"
     "img\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}]"},
    {BASE "vif = ['', 'bridge=br1']\n", "vifs",
     "[{\"devid\":0,\"mac_generated\":true,\"mac\":\"00:16:3e:01:02:03\"},"
     "{\"devid\":1,\"mac_generated\":true,\"mac\":\"00:16:3e:01:02:04\","
     "\"bridge\":\"br1\"}]"},
    {BASE "vif = ['devid=5', '']\n", "vifs",
     "[{\"devid\":5,\"mac_generated\":true,\"mac\":\"00:16:3e:01:02:03\"},"
     "{\"devid\":1,\"mac_generated\":true,\"mac\":\"00:16:3e:01:02:04\"}]"},
};

START_TEST(test_good)
{
	struct result r;
	json_object *v;

	resolve(good[_i].cfg, &r);
	ck_assert_msg(r.rc == 0, "%s\n%s", good[_i].cfg, r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert(json_object_object_get_ex(r.json, good[_i].key, &v));
	ck_assert_str_eq(
	    json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    good[_i].want);
	result_dispose(&r);
}
END_TEST

static const struct {
	const char *cfg;
	const char *err; /* the whole error text */
} bad[] = {
    {"kernel = '/k'\n", "Domain name must be specified.\n"},
    {"name = 'g'\n",
     "kernel must be specified for a pvh guest (direct kernel boot)\n"},
    {"name = ''\nkernel = '/k'\n", "g.cfg:1: Domain name must not be empty\n"},
    {"name = '42'\nkernel = '/k'\n", "g.cfg:1: Domain name \"42\" is a number: "
				     "it would be taken for a domain id\n"},
    {"name = 'a/b'\nkernel = '/k'\n",
     "g.cfg:1: Domain name \"a/b\" contains '/' or a control character\n"},
    {"name = 'Domain-0'\nkernel = '/k'\n",
     "g.cfg:1: Domain name \"Domain-0\" is reserved\n"},
    {"name = ['a']\nkernel = '/k'\n",
     "g.cfg:1: parameter `name' is a list but should be a single value\n"},
    {BASE "type = 'hvm'\n",
     "g.cfg:3: HVM guests (type = \"hvm\") are not supported yet: use type = "
     "\"pvh\" with a kernel (direct kernel boot)\n"},
    {BASE "builder = 'hvm'\n",
     "g.cfg:3: HVM guests (type = \"hvm\") are not supported yet: use type = "
     "\"pvh\" with a kernel (direct kernel boot)\n"},
    {BASE "type = 'xen'\n",
     "g.cfg:3: Invalid domain type \"xen\" (pvh, pv or hvm)\n"},
    {BASE "builder = 'linux'\n",
     "g.cfg:3: Invalid builder \"linux\" (generic or hvm)\n"},
    {BASE "uuid = 'not-a-uuid'\n",
     "g.cfg:3: Failed to parse UUID: \"not-a-uuid\"\n"},
    {BASE "memory = 'lots'\n",
     "g.cfg:3: parameter `memory' is not a valid number: \"lots\"\n"},
    {BASE "memory = 0\n",
     "g.cfg:3: memory = 0 is out of range (1 to 4294967296)\n"},
    {BASE "memory = 99999999999999999999999\n",
     "g.cfg:3: parameter `memory' is not a valid number: "
     "\"99999999999999999999999\"\n"},
    {BASE "memory = 512\nmaxmem = 256\n",
     "g.cfg:4: maxmem (256) < memory (512)\n"},
    {BASE "vcpus = 4\nmaxvcpus = 2\n",
     "g.cfg:4: maxvcpus < vcpus (maxvcpus = 2, vcpus = 4)\n"},
    {BASE "vcpus = 0\n", "g.cfg:3: vcpus = 0 is out of range (1 to 4096)\n"},
    {BASE "cpus = '0-3,x'\n",
     "g.cfg:3: invalid cpus \"0-3,x\": invalid CPU range\n"},
    {BASE "cpus = '3-1'\n",
     "g.cfg:3: invalid cpus \"3-1\": invalid CPU range\n"},
    {BASE "cpus = '0,^0'\n",
     "g.cfg:3: invalid cpus \"0,^0\": the CPU list leaves no CPU\n"},
    {BASE "cpus = '0,,1'\n",
     "g.cfg:3: invalid cpus \"0,,1\": empty item in CPU list\n"},
    {BASE "cpus = '99999999'\n",
     "g.cfg:3: invalid cpus \"99999999\": CPU number too large\n"},
    {BASE "cpus = ['0', '1']\n",
     "g.cfg:3: cpus lists 2 vCPUs but the guest has maxvcpus = 1\n"},
    {BASE "cpu_weight = 0\n",
     "g.cfg:3: cpu_weight = 0 is out of range (1 to 65535)\n"},
    {BASE "on_poweroff = 'halt'\n",
     "g.cfg:3: Unknown on_poweroff action \"halt\" specified\n"},
    {BASE "on_crash = 'soft-reset'\n",
     "g.cfg:3: Unknown on_crash action \"soft-reset\" specified\n"},
    {BASE "kernel = ''\n", "g.cfg:3: kernel must not be empty\n"},
    {BASE "disk = ['/a,,xvda', '/b,,xvda']\n",
     "g.cfg:3: disk vdev `xvda' is used twice\n"},
    {BASE "disk = [\n'/a,,xvda',\n'/b,qcow9,xvdb']\n",
     "g.cfg:5: config parsing error in disk specification: unknown value for "
     "format: near `qcow9' in `/b,qcow9,xvdb'\n"},
    {BASE "disk = [['/a,,xvda']]\n",
     "g.cfg:3: disk: item 0 is a list but should be a string\n"},
    {BASE "vif = ['mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:01']\n",
     "g.cfg:3: vif mac 00:16:3e:00:00:01 is used twice\n"},
    {BASE "vif = ['devid=1', '']\n", "g.cfg:3: vif devid 1 is used twice\n"},
    {BASE "vif = ['bridge']\n",
     "g.cfg:3: config parsing error in vif specification: unrecognized "
     "argument `bridge' in `bridge'\n"},
    {BASE "serial = 'vc'\n", "g.cfg:3: serial device \"vc\" is not supported "
			     "(pty, none, null, file:PATH or unix:PATH)\n"},
    /* several errors are all reported */
    {"memory = 'x'\nvcpus = 'y'\n",
     "Domain name must be specified.\n"
     "g.cfg:1: parameter `memory' is not a valid number: \"x\"\n"
     "g.cfg:2: parameter `vcpus' is not a valid number: \"y\"\n"
     "kernel must be specified for a pvh guest (direct kernel boot)\n"},
};

START_TEST(test_bad)
{
	struct result r;

	resolve(bad[_i].cfg, &r);
	ck_assert_int_eq(r.rc, -EINVAL);
	ck_assert_ptr_null(r.json);
	ck_assert_str_eq(r.err, bad[_i].err);
	result_dispose(&r);
}
END_TEST

START_TEST(test_warnings)
{
	struct result r;

	resolve(BASE "vnc = 1\nsdl = 0\npci = ['01:00.0']\nfoo = 'x'\n"
		     "cmdline = 'a'\nextra = 'b'\n",
		&r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(
	    r.warn,
	    "g.cfg:3: warning: vnc (VNC console) is not supported yet: "
	    "ignored\n"
	    "g.cfg:4: warning: sdl (SDL console) is not supported yet: "
	    "ignored\n"
	    "g.cfg:5: warning: pci (PCI passthrough) is not supported yet: "
	    "ignored\n"
	    "g.cfg:7: warning: cmdline is set: ignoring root and extra\n");
	ck_assert_str_eq(r.info, "g.cfg:6: unknown key `foo' ignored\n");
	result_dispose(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xl_domcfg");
	TCase *tc = tcase_create("resolve");

	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_warnings);
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
