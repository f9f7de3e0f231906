// SPDX-License-Identifier: GPL-2.0
/*
 * xlhv: the per-guest monitor.  `xlhv run` turns argv into a struct
 * hv_config, builds the VM and waits for it to stop; `xlhv info` prints what
 * this host's KVM offers.  Exit status: enum hv_exit (man/xlhv.8).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "boot_elf.h"
#include "boot_linux.h"
#include "console.h"
#include "ctl.h"
#include "dev/vnet.h"
#include "guest_abi.h"
#include "hv.h"
#include "sandbox.h"
#include "state.h"

#define KVM_DEFAULT_PATH	"/dev/kvm"

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer's check at exit stops the world with calls the sandbox
 * refuses (prctl, ptrace): a sanitizer build's monitor checks all but
 * leaks. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static const char usage_text[] =
	"usage: xlhv run --kernel FILE [--memory MB] [--maxmem MB] [--vcpus N]\n"
	"                [--maxvcpus N] [--cmdline STR]\n"
	"                [--ramdisk FILE] [--disk FILE | --disk-ro FILE]...\n"
	"                [--net tap=NAME[,mac=MAC]]... [--console-ring BYTES]\n"
	"                [--crash-note FILE] [--uid UID --gid GID]\n"
	"                [--domid N --control SOCKET [--ready-fd FD]\n"
	"                 [--console-log FILE [--console-log-max BYTES]\n"
	"                  [--console-log-keep N]] [--console-tty LINK]\n"
	"                 [--name NAME]]\n"
	"       xlhv run [build options as above, --kernel not needed] --incoming FD\n"
	"       xlhv run --restore FILE [--disk FILE | --disk-ro FILE]...\n"
	"                [--console-ring BYTES] [--crash-note FILE]\n"
	"                [--uid UID --gid GID]\n"
	"                [--domid N --control SOCKET [--ready-fd FD]\n"
	"                 [--console-log FILE [--console-log-max BYTES]\n"
	"                  [--console-log-keep N]] [--console-tty LINK]\n"
	"                 [--name NAME]]\n"
	"       xlhv info\n"
	"       xlhv --help | --version\n";

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("xlhv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	return HV_EXIT_CONFIG;
}

static const char *kvm_path(void)
{
	const char *p = getenv("XLHV_KVM_DEVICE");

	return p && *p ? p : KVM_DEFAULT_PATH;
}

/* A decimal in [min, max], nothing else: "16", not "16M", "-1" or "0x10". */
static int parse_uint(const char *s, uint64_t min, uint64_t max,
		      uint64_t *out)
{
	char *end;
	uint64_t v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/*
 * Managed mode (libdomctl starts us): a control socket instead of a
 * terminal, a one-line verdict on the ready fd, and a guest that stays
 * "shut down" after it stops until it is destroyed, as in Xen.
 */
struct managed {
	uint64_t domid;
	const char *control;	/* NULL: foreground mode */
	int ready_fd;
	const char *console_log;
	uint64_t console_log_max;	/* 0: no cap */
	unsigned int console_log_keep;
	int console_log_opts;	/* either was given */
	uint64_t console_ring;
	const char *console_tty;	/* a symlink to make to the pty */
	const char *name;
	const char *restore;	/* a state file to resume, not a boot */
	int incoming;		/* a migration stream to receive, or -1 */
	const char *crash_note;	/* a forbidden call's report (sandbox.h) */
	uid_t uid;		/* the monitor's own, or 0 */
	gid_t gid;
};

/*
 * One more --disk or --disk-ro: the guest sees them in the order given.
 * A file given twice is refused if either may write it.
 */
static int disk_add(struct hv_config *cfg, const char *path, int ro,
		    const char **why)
{
	if (!*path) {
		*why = "empty file name";
		return -EINVAL;
	}
	if (cfg->nr_disks == HV_DISK_MAX) {
		*why = "a guest has at most 8 disks";
		return -E2BIG;
	}
	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		if (strcmp(cfg->disk[i].path, path) ||
		    (ro && cfg->disk[i].ro))
			continue;
		*why = "given twice, and a disk that may be written is "
		       "given once";
		return -EINVAL;
	}
	cfg->disk[cfg->nr_disks].path = path;
	cfg->disk[cfg->nr_disks].ro = ro;
	cfg->nr_disks++;
	return 0;
}

static int parse_run(int argc, char **argv, struct hv_config *cfg,
		     struct managed *mg)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "ramdisk", required_argument, NULL, 'i' },
		{ "memory", required_argument, NULL, 'm' },
		{ "maxmem", required_argument, NULL, 'X' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "maxvcpus", required_argument, NULL, 'P' },
		{ "cmdline", required_argument, NULL, 'a' },
		{ "disk", required_argument, NULL, 'd' },
		{ "disk-ro", required_argument, NULL, 'r' },
		{ "net", required_argument, NULL, 'n' },
		{ "domid", required_argument, NULL, 'D' },
		{ "control", required_argument, NULL, 'C' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "console-log", required_argument, NULL, 'L' },
		{ "console-tty", required_argument, NULL, 'T' },
		{ "console-log-max", required_argument, NULL, 'M' },
		{ "console-log-keep", required_argument, NULL, 'K' },
		{ "console-ring", required_argument, NULL, 'B' },
		{ "name", required_argument, NULL, 'N' },
		{ "restore", required_argument, NULL, 'S' },
		{ "incoming", required_argument, NULL, 'I' },
		{ "crash-note", required_argument, NULL, 'W' },
		{ "uid", required_argument, NULL, 'U' },
		{ "gid", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *why = NULL;
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+k:i:m:c:a:d:r:n:hD:C:R:L:T:N:S:P:M:K:B:I:", opts, 0)) != -1) {
		switch (c) {
		case 'k':
			cfg->kernel = optarg;
			break;
		case 'i':
			cfg->ramdisk = optarg;
			break;
		case 'm':
			if (parse_uint(optarg, HV_MEM_MIN_MB, HV_MEM_MAX_MB,
				       &v))
				return usage_error("--memory %s: want a whole "
						   "number of MiB from "
						   "4 to 3072", optarg);
			cfg->mem_mb = v;
			break;
		case 'X':
			if (parse_uint(optarg, HV_MEM_MIN_MB, HV_MEM_MAX_MB,
				       &v))
				return usage_error("--maxmem %s: want a whole "
						   "number of MiB from "
						   "4 to 3072", optarg);
			cfg->maxmem_mb = v;
			break;
		case 'c':
			if (parse_uint(optarg, 1, HV_ABI_MAX_VCPUS, &v))
				return usage_error("--vcpus %s: want a number "
						   "from 1 to 64", optarg);
			cfg->nr_vcpus = (unsigned int)v;
			break;
		case 'P':
			if (parse_uint(optarg, 1, HV_ABI_MAX_VCPUS, &v))
				return usage_error("--maxvcpus %s: want a "
						   "number from 1 to 64",
						   optarg);
			cfg->max_vcpus = (unsigned int)v;
			break;
		case 'a':
			if (strlen(optarg) >= HV_ABI_CMDLINE_MAX)
				return usage_error("--cmdline: %s", "longer "
						   "than 4095 bytes");
			cfg->cmdline = optarg;
			break;
		case 'd':
		case 'r':
			if (disk_add(cfg, optarg, c == 'r', &why))
				return usage_error("--disk%s %s: %s",
						   c == 'r' ? "-ro" : "",
						   optarg, why);
			break;
		case 'n':
			if (hv_net_add(cfg, optarg, &why))
				return usage_error("--net %s: %s", optarg,
						   why);
			break;
		case 'D':
			if (parse_uint(optarg, 1, 32751, &mg->domid))
				return usage_error("--domid %s: want a number "
						   "from 1 to 32751", optarg);
			break;
		case 'C':
			mg->control = optarg;
			break;
		case 'R':
			if (parse_uint(optarg, 3, 1023, &v) ||
			    fcntl((int)v, F_GETFD) < 0)
				return usage_error("--ready-fd %s: not an open "
						   "file descriptor", optarg);
			mg->ready_fd = (int)v;
			break;
		case 'L':
			mg->console_log = optarg;
			break;
		case 'T':
			mg->console_tty = optarg;
			break;
		case 'W':
			mg->crash_note = optarg;
			break;
		case 'U':
		case 'G':
			/* not 0: root is what the monitor gives up */
			if (parse_uint(optarg, 1, 0xfffffffeu, &v))
				return usage_error("--%s %s: want a number "
						   "from 1 to 4294967294",
						   c == 'U' ? "uid" : "gid",
						   optarg);
			if (c == 'U')
				mg->uid = (uid_t)v;
			else
				mg->gid = (gid_t)v;
			break;
		case 'M':
			if (parse_uint(optarg, 0, HV_CONLOG_MAX_MAX, &v) ||
			    (v && v < HV_CONLOG_MAX_MIN))
				return usage_error("--console-log-max %s: want "
						   "0 (no cap) or a number of "
						   "bytes from %u to %llu",
						   optarg, HV_CONLOG_MAX_MIN,
						   HV_CONLOG_MAX_MAX);
			mg->console_log_max = v;
			mg->console_log_opts = 1;
			break;
		case 'K':
			if (parse_uint(optarg, 0, HV_CONLOG_KEEP_MAX, &v))
				return usage_error("--console-log-keep %s: want "
						   "a number from 0 to %u",
						   optarg, HV_CONLOG_KEEP_MAX);
			mg->console_log_keep = (unsigned int)v;
			mg->console_log_opts = 1;
			break;
		case 'B':
			if (parse_uint(optarg, HV_RING_MIN, HV_RING_MAX, &v))
				return usage_error("--console-ring %s: want a "
						   "number of bytes from %u to "
						   "%u", optarg, HV_RING_MIN,
						   HV_RING_MAX);
			mg->console_ring = v;
			break;
		case 'N':
			mg->name = optarg;
			break;
		case 'S':
			mg->restore = optarg;
			break;
		case 'I':
			if (parse_uint(optarg, 0, 1023, &v) ||
			    fcntl((int)v, F_GETFD) < 0)
				return usage_error("--incoming %s: not an open "
						   "file descriptor", optarg);
			mg->incoming = (int)v;
			/* ours alone: nothing we start inherits it */
			fcntl(mg->incoming, F_SETFD, FD_CLOEXEC);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			return HV_EXIT_CONFIG;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (cfg->max_vcpus && cfg->max_vcpus < cfg->nr_vcpus)
		return usage_error("--maxvcpus %u: less than --vcpus %u",
				   cfg->max_vcpus, cfg->nr_vcpus);
	if (cfg->maxmem_mb && cfg->maxmem_mb < cfg->mem_mb)
		return usage_error("--maxmem %llu: less than --memory %llu",
				   (unsigned long long)cfg->maxmem_mb,
				   (unsigned long long)cfg->mem_mb);
	if (mg->restore && (cfg->kernel || cfg->ramdisk || cfg->cmdline ||
			    cfg->mem_mb != HV_MEM_DEFAULT_MB ||
			    cfg->maxmem_mb ||
			    cfg->nr_vcpus != 1 || cfg->max_vcpus))
		return usage_error("run: %s", "--restore takes the guest, its "
				   "memory and vCPUs from the state file");
	if (mg->restore && mg->incoming >= 0)
		return usage_error("run: %s", "--restore and --incoming exclude "
				   "each other");
	if (!cfg->kernel && !mg->restore && mg->incoming < 0)
		return usage_error("run: %s", "--kernel FILE is required");
	if (!mg->control != !mg->domid)
		return usage_error("run: %s", "--domid and --control go "
				   "together");
	if (!mg->control && (mg->ready_fd >= 0 || mg->console_log ||
			     mg->console_tty))
		return usage_error("run: %s", "--ready-fd, --console-log and "
				   "--console-tty need --control");
	if (mg->console_log_opts && !mg->console_log)
		return usage_error("run: %s", "--console-log-max and "
				   "--console-log-keep need --console-log");
	return 0;
}

/* Map a setup failure to an exit status: KVM or the image at fault = 2. */
static int setup_failed(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case EACCES:
	case EPERM:
	case ENOTSUP:
	case EISDIR:
	case ENOTBLK:
	case EROFS:
		return HV_EXIT_CONFIG;
	}
	return HV_EXIT_FAILURE;
}

static int signal_ignored(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

/*
 * The guest runs: tell libdomctl "ok" on the ready fd, then point stderr
 * (which libdomctl also joined to that pipe, so it heard our errors) at
 * the console log, through the console thread so the cap holds for our
 * messages too, and close the pipe: EOF ends libdomctl's wait.
 */
static void managed_ready(struct managed *mg, struct hv_vm *vm)
{
	int rc;

	if (mg->ready_fd < 0)
		return;
	dprintf(mg->ready_fd, "ok\n");
	close(mg->ready_fd);
	mg->ready_fd = -1;
	rc = hv_console_take_stderr(vm);
	if (rc)
		hv_err("stderr to the console log: %s", strerror(-rc));
}

/* The guest never ran: the verdict is an errno for libdomctl to return. */
static void managed_failed(struct managed *mg, int status)
{
	if (mg->ready_fd < 0)
		return;
	dprintf(mg->ready_fd, "err %d\n",
		status == HV_EXIT_CONFIG ? EINVAL : EIO);
	close(mg->ready_fd);
	mg->ready_fd = -1;
}

/*
 * Wait for the guest to stop, or a signal to stop it.  Managed (@ctl):
 * when the guest stops, its vCPUs end but the domain stays, shut down
 * with its reason, until DESTROY or a signal, as in Xen.
 */
static int wait_for_stop(struct hv_vm *vm, int sig_fd, struct hv_ctl *ctl)
{
	struct pollfd pfd[3] = {
		{ .fd = vm->stop_efd, .events = POLLIN },
		{ .fd = sig_fd, .events = POLLIN },
		{ .fd = ctl ? hv_ctl_destroy_fd(ctl) : -1, .events = POLLIN },
	};
	struct signalfd_siginfo si;

	for (;;) {
		if (hv_vm_stopped(vm) != HV_RUNNING && pfd[0].fd >= 0) {
			if (!ctl)
				break;
			pfd[0].fd = -1;
			hv_vcpus_stop(vm);
			hv_ctl_guest_stopped(ctl, hv_vm_stopped(vm));
		}
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			hv_err("poll: %s", strerror(errno));
			hv_vm_request_stop(vm, HV_STOP_ERROR);
			break;
		}
		if (pfd[1].revents & POLLIN &&
		    read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
			hv_err("received %s: stopping the guest",
			       strsignal((int)si.ssi_signo));
			hv_vm_request_stop(vm, HV_STOP_SIGNAL);
			break;
		}
		if (pfd[2].revents & POLLIN) {
			hv_vm_request_stop(vm, HV_STOP_SIGNAL);
			break;
		}
	}
	return hv_stop_exit_code(hv_vm_stopped(vm));
}

/*
 * The console, started before the vCPUs run; takes over @log.  Managed:
 * input from a pty (as Xen offers one), linked at --console-tty, and our
 * stderr into the log once the guest runs; foreground: output to stdout,
 * input from stdin if open.  A pty that fails is done without.
 */
static int start_console(struct hv_vm *vm, const struct managed *mg,
			 struct hv_conlog *log)
{
	struct hv_console_cfg cc = {
		.in_fd = -1,
		.ring_size = mg->console_ring,
		.pty = mg->control != NULL,
		.tty_link = mg->console_tty,
		.capture_stderr = mg->control != NULL,
	};
	char tty[64];
	int rc;

	if (!mg->control && fcntl(STDIN_FILENO, F_GETFD) == 0)
		cc.in_fd = STDIN_FILENO;
	rc = hv_console_start(vm, &cc, log, tty, sizeof(tty));
	if (rc)
		hv_err("console: %s", strerror(-rc));
	return rc;
}

/* The vCPU threads: the guest runs. */
static int run_vcpus(struct hv_vm *vm)
{
	int rc = hv_vcpus_start(vm);

	if (rc)
		hv_err("start vCPU threads: %s", strerror(-rc));
	return rc;
}

static int start_vcpus(struct hv_vm *vm, uint64_t entry)
{
	int rc;

	rc = hv_vcpus_create(vm);
	if (rc) {
		hv_err("create %u vCPUs: %s", vm->cfg->nr_vcpus,
		       strerror(-rc));
		return rc;
	}
	rc = hv_boot_setup(vm);
	if (rc) {
		hv_err("set up boot memory: %s", strerror(-rc));
		return rc;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		rc = hv_cpuid_setup(&vm->vcpus[i]);
		if (rc) {
			hv_err("vcpu%u: set CPUID: %s", i, strerror(-rc));
			return rc;
		}
		rc = hv_boot_vcpu(&vm->vcpus[i], entry);
		if (rc) {
			hv_err("vcpu%u: set entry state: %s", i,
			       strerror(-rc));
			return rc;
		}
	}
	return run_vcpus(vm);
}

/* The vCPUs of a guest resumed from saved state, with their CPUID. */
static int create_vcpus(struct hv_vm *vm)
{
	int rc = hv_vcpus_create(vm);

	if (rc) {
		hv_err("create %u vCPUs: %s", vm->cfg->nr_vcpus,
		       strerror(-rc));
		return rc;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		rc = hv_cpuid_setup(&vm->vcpus[i]);
		if (rc) {
			hv_err("vcpu%u: set CPUID: %s", i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/*
 * Resume a saved guest instead of booting one: vCPUs with their CPUID,
 * then the file's state over everything, then the threads.
 */
static int restore_vcpus(struct hv_vm *vm, int fd,
			 const struct hv_state_hdr *hdr, const char *path)
{
	int rc;

	rc = create_vcpus(vm);
	if (rc)
		return rc;
	rc = hv_state_load(vm, fd, hdr, path);
	if (rc)
		return rc;
	return run_vcpus(vm);
}

/*
 * Receive a migrated guest instead of booting one: vCPUs with their
 * CPUID, the stream's RAM and state over everything, then the threads,
 * which park at once when @paused (managed: it waits for UNPAUSE).
 */
static int incoming_vcpus(struct hv_vm *vm, int fd, int paused,
			  char *summary, size_t len)
{
	int rc;

	rc = create_vcpus(vm);
	if (rc)
		return rc;
	rc = hv_recv_stream(vm, fd, summary, len);
	if (rc)
		return rc;
	if (paused) {
		pthread_mutex_lock(&vm->stop_lock);
		vm->paused = 1;
		pthread_mutex_unlock(&vm->stop_lock);
	}
	return run_vcpus(vm);
}

/* Open @path and read its header: the VM to build for it. */
static int restore_open(const char *path, struct hv_state_hdr *hdr,
			struct hv_config *cfg)
{
	char err[256];
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hv_err("restore %s: %s", path, strerror(errno));
		return -1;
	}
	rc = hv_state_read_hdr(fd, hdr, err, sizeof(err));
	if (rc) {
		hv_err("restore %s: %s", path, err);
		close(fd);
		return -1;
	}
	cfg->mem_mb = hdr->ram_size >> 20;
	cfg->nr_vcpus = hdr->nr_vcpus;
	return fd;
}

static int main_run(int argc, char **argv)
{
	struct hv_config cfg = {
		.mem_mb = HV_MEM_DEFAULT_MB,
		.nr_vcpus = 1,
		.console_fd = STDOUT_FILENO,
		.kvm_path = kvm_path(),
	};
	const char *irqchip = getenv("XLHV_IRQCHIP");
	struct managed mg = {
		.ready_fd = -1,
		.console_log_max = HV_CONLOG_MAX_DEFAULT,
		.console_log_keep = HV_CONLOG_KEEP_DEFAULT,
		.console_ring = HV_CONSOLE_RING_DEFAULT,
		.incoming = -1,
	};
	struct hv_conlog *log = NULL;
	struct hv_ctl *ctl = NULL;
	struct hv_vm *vm = NULL;
	struct hv_state_hdr hdr;
	int rc, sig_fd = -1, status, restore_fd = -1;
	const char *why = NULL;
	sigset_t sigs;
	uint64_t entry = 0;
	char received[256] = "";

	status = parse_run(argc, argv, &cfg, &mg);
	if (status)
		goto out;
	/* before any thread: each takes the uid and namespaces from here;
	 * a vCPU thread each, and a few for devices, console, control */
	if (hv_sandbox_setup(mg.uid, mg.gid, hv_config_max_vcpus(&cfg) + 32)) {
		status = HV_EXIT_CONFIG;
		goto out;
	}
	/* managed without --console-log: the output is only in the ring */
	if (mg.control)
		cfg.console_fd = -1;
	if (mg.console_log) {
		log = hv_conlog_open(mg.console_log, mg.console_log_max,
				     mg.console_log_keep);
		/* its own uid may not rename in the log's directory */
		rc = log && mg.uid ? hv_conlog_hold_rotated(log) : 0;
		if (rc) {
			hv_conlog_free(log);
			log = NULL;
			errno = -rc;
		}
	}
	else if (!mg.control)
		log = hv_conlog_from_fd(STDOUT_FILENO);
	if (!log && (mg.console_log || !mg.control)) {
		hv_err("console log %s: %s",
		       mg.console_log ? mg.console_log : "(stdout)",
		       strerror(errno));
		status = mg.console_log ? HV_EXIT_CONFIG : HV_EXIT_FAILURE;
		goto out;
	}
	cfg.no_irqchip = irqchip && !strcmp(irqchip, "0");

	/*
	 * Signals become events on sig_fd; every thread inherits the mask.
	 * SIGINT and SIGHUP ignored by our parent stay ignored (nohup, a
	 * shell's background job); SIGTERM always stops the guest.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	if (!signal_ignored(SIGINT))
		sigaddset(&sigs, SIGINT);
	if (!signal_ignored(SIGHUP))
		sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sig_fd < 0) {
		hv_err("signalfd: %s", strerror(errno));
		status = HV_EXIT_FAILURE;
		goto out;
	}

	if (mg.restore) {
		restore_fd = restore_open(mg.restore, &hdr, &cfg);
		if (restore_fd < 0) {
			status = HV_EXIT_CONFIG;
			goto out;
		}
	}
	vm = hv_vm_new(&cfg, &why);
	if (!vm) {
		status = setup_failed(errno);
		if (why && errno == ENOENT && !strcmp(why, cfg.kvm_path) &&
		    hv_kvm_flavour_detect("") == HV_KVM_NONE)
			hv_err(HV_KVM_ABSENT_FMT, hv_kvm_absent_reason(""));
		else if (why)
			hv_err("%s: %s", why, strerror(errno));
		goto out;
	}
	if (hv_config_max_vcpus(&cfg) > (unsigned int)vm->caps.max_vcpus) {
		hv_err("--%svcpus %u: this KVM allows at most %d",
		       cfg.max_vcpus > cfg.nr_vcpus ? "max" : "",
		       hv_config_max_vcpus(&cfg), vm->caps.max_vcpus);
		status = HV_EXIT_CONFIG;
		goto out;
	}
	if (!vm->caps.irqchip)
		hv_err("note: KVM has no in-kernel irqchip; the guest gets "
		       "no interrupts");
	/*
	 * What needs the rights of the monitor's caller is done first: the
	 * kernel and ramdisk opened, the control socket and the console's
	 * link made.  With /dev/kvm, the disks and the TAPs open, what
	 * comes from the guest's side (the kernel's contents, a state file,
	 * a migration stream) is read in the sandbox, and so is all after.
	 */
	rc = mg.restore || mg.incoming >= 0 ? 0 : hv_boot_open(vm);
	if (rc) {
		status = HV_EXIT_CONFIG;
		goto out;
	}
	/* a guest being received answers no request until it is in */
	if (mg.control) {
		ctl = hv_ctl_start(vm, mg.control, mg.incoming >= 0);
		if (!ctl) {
			hv_err("control socket %s: %s", mg.control,
			       strerror(errno));
			status = errno == EADDRINUSE ? HV_EXIT_CONFIG :
						       HV_EXIT_FAILURE;
			goto out;
		}
	}
	rc = start_console(vm, &mg, log);
	log = NULL;
	if (rc) {
		status = HV_EXIT_FAILURE;
		goto out;
	}
	if (hv_sandbox_enter(mg.crash_note)) {
		status = HV_EXIT_FAILURE;
		goto out;
	}
	rc = mg.restore || mg.incoming >= 0 ? 0 : hv_boot_load(vm, &entry);
	/* A test guest starts every vCPU itself: none to hot-add. */
	if (!rc && !mg.restore && mg.incoming < 0 &&
	    vm->boot_kind == HV_BOOT_TEST &&
	    hv_config_max_vcpus(&cfg) > cfg.nr_vcpus) {
		hv_err("--maxvcpus %u: kernel %s is a test guest, which has no "
		       "ACPI CPU hotplug; give it --vcpus %u instead",
		       cfg.max_vcpus, cfg.kernel, cfg.max_vcpus);
		rc = -EINVAL;
	}
	if (rc) {
		status = rc == -ENOMEM || rc == -EIO ? HV_EXIT_FAILURE :
						      HV_EXIT_CONFIG;
		goto out;
	}
	if (mg.restore) {
		rc = restore_vcpus(vm, restore_fd, &hdr, mg.restore);
		/* A file that fails its checks is bad input, not a failure. */
		status = rc == -EINVAL || rc == -EPROTONOSUPPORT ?
				 HV_EXIT_CONFIG : HV_EXIT_FAILURE;
	} else if (mg.incoming >= 0) {
		rc = incoming_vcpus(vm, mg.incoming, mg.control != NULL,
				    received, sizeof(received));
		/* so is a bad stream, one cut short or stalled */
		status = rc == -EINVAL || rc == -EPROTONOSUPPORT ||
				 rc == -ECONNRESET || rc == -ETIMEDOUT ||
				 rc == -EBADMSG || rc == -EOPNOTSUPP ?
				 HV_EXIT_CONFIG : HV_EXIT_FAILURE;
		close(mg.incoming);
		mg.incoming = -1;
		if (!rc && ctl)
			hv_ctl_set_paused(ctl);
	} else {
		rc = start_vcpus(vm, entry);
		status = HV_EXIT_FAILURE;
	}
	if (rc)
		goto out;
	if (ctl) {
		managed_ready(&mg, vm);
		/* now that our stderr goes to the console log */
		if (*received)
			hv_err("%s", received);
		status = wait_for_stop(vm, sig_fd, ctl);
		goto out;
	}
	if (*received)
		hv_err("%s", received);
	status = wait_for_stop(vm, sig_fd, NULL);
out:
	managed_failed(&mg, status);
	hv_ctl_free(ctl);
	if (vm)
		hv_boot_close(vm);
	hv_vm_free(vm);
	if (restore_fd >= 0)
		close(restore_fd);
	if (sig_fd >= 0)
		close(sig_fd);
	hv_conlog_free(log);
	return status;
}

static int main_info(int argc, char **argv)
{
	enum hv_kvm_flavour f = hv_kvm_flavour_detect("");
	struct hv_caps caps;
	int rc;

	if (argc > 1)
		return usage_error("info: unexpected argument \"%s\"",
				   argv[1]);
	printf("virt_caps: %s\n", hv_kvm_flavour_name(f));
	rc = hv_caps_probe(kvm_path(), &caps);
	if (rc == -ENOENT && f == HV_KVM_NONE) {
		printf("runs_linux: no\n");
		fflush(stdout);
		hv_err(HV_KVM_ABSENT_FMT, hv_kvm_absent_reason(""));
		return HV_EXIT_CONFIG;
	}
	if (rc) {
		fflush(stdout);
		hv_err("%s: %s", kvm_path(), strerror(-rc));
		return HV_EXIT_CONFIG;
	}
	printf("runs_linux: %s\n", hv_kvm_flavour_runs_linux(f) ? "yes" : "no");
	printf("kvm_api_version: %d\n", caps.api_version);
	printf("nr_vcpus: %d\n", caps.nr_vcpus);
	printf("max_vcpus: %d\n", caps.max_vcpus);
	printf("irqchip: %s\n", caps.irqchip ? "yes" : "no");
	printf("pit: %s\n", caps.pit ? "yes" : "no");
	printf("tsc_control: %s\n", caps.tsc_control ? "yes" : "no");
	printf("test_guest_abi: %d\n", HV_ABI_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return HV_EXIT_CONFIG;
	}
	if (!strcmp(argv[1], "run"))
		return main_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return main_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("xlhv (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	return usage_error("unknown command \"%s\"", argv[1]);
}
