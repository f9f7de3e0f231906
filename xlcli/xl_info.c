// SPDX-License-Identifier: GPL-2.0
/*
 * xl info: the host, in Xen's "key : value" layout.  The host's own facts
 * come from uname(2), /proc and /sys; the KVM flavour (virt_caps) and
 * KVM's limits from `xlhv info', the monitor that uses them; the guests
 * and xld's version from xld when it runs (and say so when it does not).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libdomctl/dc_hvinfo.h"
#include "libdomctl/dc_path.h"
#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_util.h"

/* `xlhv info' prints a few lines; more than this is not xlhv. */
#define XLHV_OUT_MAX 65536


static void kv(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%-23s: ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The first line of @path, newline stripped, into @buf. */
static int read_line_of(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char *nl;
	int rc = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		rc = -EIO;
	fclose(f);
	if (!rc && (nl = strchr(buf, '\n')))
		*nl = '\0';
	return rc;
}

/* "KEY : VALUE" of /proc/cpuinfo (first CPU) or KEY: N kB of meminfo. */
static int proc_field(const char *path, const char *key, char *val, size_t len)
{
	char line[512], *p;
	size_t klen = strlen(key);
	FILE *f = fopen(path, "re");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) ||
		    (line[klen] != ' ' && line[klen] != '\t' &&
		     line[klen] != ':'))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		p += strspn(p, " \t");
		p[strcspn(p, "\n")] = '\0';
		snprintf(val, len, "%s", p);
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

static unsigned long meminfo_mib(const char *key)
{
	char v[64];

	if (proc_field("/proc/meminfo", key, v, sizeof(v)))
		return 0;
	return strtoul(v, NULL, 10) / 1024;
}

static unsigned int nr_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	unsigned int n = 0;

	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' &&
		    e->d_name[4] <= '9')
			n++;
	closedir(d);
	return n ? n : 1;
}

static long max_cpu_id(void)
{
	char buf[256], *p;

	if (!read_line_of("/sys/devices/system/cpu/possible", buf,
			  sizeof(buf))) {
		p = strrchr(buf, '-');
		p = p ? p + 1 : strrchr(buf, ',') ? strrchr(buf, ',') + 1 : buf;
		return strtol(p, NULL, 10);
	}
	return sysconf(_SC_NPROCESSORS_CONF) - 1;
}

static void print_kvm(void)
{
	struct xl_buf caps = {0};
	char xlhv[PATH_MAX], v[128], why[512];
	static char out[XLHV_OUT_MAX + 1];
	const char *how;
	int rc, st = 0;

	rc = dc_path_find(DC_PATH_XLHV, xlhv, sizeof(xlhv), &how);
	if (rc) {
		kv("virt_caps", "unknown (the path of xlhv in $XLD_XLHV: %s)",
		   strerror(-rc));
		goto out;
	}
	rc = dc_hvinfo_run(xlhv, out, sizeof(out), &st);
	if (rc) {
		kv("virt_caps", "unknown (cannot run %s: %s; %s)", xlhv,
		   strerror(-rc), how);
		goto out;
	}
	kv("virt_caps", "%s",
	   dc_hvinfo_value(out, "virt_caps", v, sizeof(v))
	       ?: "unknown (xlhv info did not say)");
	if (st) {
		/* xlhv says why (e.g. /dev/kvm is missing) */
		kv("kvm", "unavailable (%s)",
		   dc_hvinfo_reason(out, why, sizeof(why)));
		goto out;
	}
	if (dc_hvinfo_value(out, "runs_linux", v, sizeof(v)))
		kv("runs_linux", "%s", v);
	if (dc_hvinfo_value(out, "kvm_api_version", v, sizeof(v)))
		kv("kvm_api_version", "%s", v);
	if (dc_hvinfo_value(out, "max_vcpus", v, sizeof(v)))
		kv("max_vcpus", "%s", v);
	if (dc_hvinfo_value(out, "irqchip", v, sizeof(v)) &&
	    !strcmp(v, "yes"))
		xl_buf_printf(&caps, "%sirqchip", caps.len ? " " : "");
	if (dc_hvinfo_value(out, "pit", v, sizeof(v)) &&
	    !strcmp(v, "yes"))
		xl_buf_printf(&caps, "%spit", caps.len ? " " : "");
	if (dc_hvinfo_value(out, "tsc_control", v, sizeof(v)) &&
	    !strcmp(v, "yes"))
		xl_buf_printf(&caps, "%stsc_control", caps.len ? " " : "");
	kv("kvm_caps", "%s", xl_buf_str(&caps));
out:
	xl_buf_dispose(&caps);
}

static void print_xld(void)
{
	json_object *res = NULL, *v, *doms;
	struct xl_ctl_err err;
	unsigned long guests = 0, kib = 0;
	size_t i, n;
	int rc;

	rc = xl_ctl_call("hello", NULL, &res, &err);
	if (rc) {
		kv("xld_version", "unavailable (%s)",
		   err.message[0] ? err.message : strerror(-rc));
		return;
	}
	kv("xld_version", "%s",
	   json_object_object_get_ex(res, "xld", &v) ? json_object_get_string(v)
						     : "unknown");
	json_object_put(res);
	res = NULL;
	rc = xl_ctl_call("list", NULL, &res, &err);
	if (rc || !json_object_object_get_ex(res, "domains", &doms) ||
	    !json_object_is_type(doms, json_type_array)) {
		json_object_put(res);
		return;
	}
	n = json_object_array_length(doms);
	for (i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(doms, i);

		if (json_object_object_get_ex(d, "domid", &v) &&
		    json_object_get_int64(v) == 0)
			continue;
		guests++;
		if (json_object_object_get_ex(d, "memory_kib", &v))
			kib += (unsigned long)json_object_get_int64(v);
	}
	kv("nr_guests", "%lu", guests);
	kv("guest_memory", "%lu", kib / 1024);
	json_object_put(res);
}

int main_info(int argc, char **argv)
{
	struct utsname u;
	char v[256], cores[32], sib[32], cmdline[4096];
	unsigned long c = 0, s = 0;
	int rc;

	rc = xl_operands(argc, argv, "info", 0, 0);
	if (rc >= 0)
		return rc;
	if (uname(&u)) {
		fprintf(stderr, "xl info: uname: %s\n", strerror(errno));
		return 1;
	}
	kv("host", "%s", u.nodename);
	kv("release", "%s", u.release);
	kv("version", "%s", u.version);
	kv("machine", "%s", u.machine);
	kv("nr_cpus", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	kv("max_cpu_id", "%ld", max_cpu_id());
	kv("nr_nodes", "%u", nr_nodes());
	if (!proc_field("/proc/cpuinfo", "cpu cores", cores, sizeof(cores)))
		c = strtoul(cores, NULL, 10);
	if (!proc_field("/proc/cpuinfo", "siblings", sib, sizeof(sib)))
		s = strtoul(sib, NULL, 10);
	kv("cores_per_socket", "%lu", c ? c : 1);
	kv("threads_per_core", "%lu", c && s >= c ? s / c : 1);
	if (!proc_field("/proc/cpuinfo", "cpu MHz", v, sizeof(v)))
		kv("cpu_mhz", "%s", v);
	else
		kv("cpu_mhz", "unknown");
	print_kvm();
	kv("total_memory", "%lu", meminfo_mib("MemTotal"));
	kv("free_memory", "%lu", meminfo_mib("MemAvailable"));
	print_xld();
	kv("xl_version", "%s", PACKAGE_VERSION);
	kv("pagesize", "%ld", sysconf(_SC_PAGESIZE));
	if (!read_line_of("/proc/cmdline", cmdline, sizeof(cmdline)))
		kv("host_commandline", "%s", cmdline);
#if defined(__GNUC__) && !defined(__clang__)
	kv("cc_compiler", "gcc %s", __VERSION__);
#else
	kv("cc_compiler", "%s", __VERSION__);
#endif
	kv("xend_config_format", "4");
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "xl info: writing: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
