// SPDX-License-Identifier: GPL-2.0
/* The xl command table: one row per command that works. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xlcli/xl.h"
#include "xlcli/xl_domxml_cmds.h"

const struct xl_cmd xl_cmdtable[] = {
    {"create", main_create, XL_MODIFIES | XL_DRYRUN,
     "Create a domain from a config file",
     "[options] <ConfigFile> [options] [vars]",
     "-h, --help          Print this help.\n"
     "-n, --dryrun        Dry run: print the resolved configuration as\n"
     "                    JSON and create nothing.\n"
     "-p, --paused        Leave the domain paused after it is created.\n"
     "-c                  Connect to the console after the domain is\n"
     "                    created (detach with Ctrl-]).\n"
     "-q, --quiet         Do not print \"Parsing config from\".\n"
     "-v, --verbose       Also report keys that are ignored.\n"
     "-f FILE, --defconfig=FILE\n"
     "                    Use the given configuration file.\n"
     "-d                  Print the resolved configuration as JSON, then\n"
     "                    create the domain.\n"
     "-F                  Stay in the foreground until the domain stops.\n"
     "-e                  Accepted for compatibility: xld, not xl, waits\n"
     "                    for every domain's death.\n"
     "-V, --vncviewer, -A, --vncviewer-autopass\n"
     "                    Refused: guests have no VNC display here.\n"
     "key=value           Set a config key, after the file, in xl.cfg\n"
     "                    syntax: 'memory=256' 'name=\"guest2\"'."},
    {"config-update", main_config_update, XL_MODIFIES | XL_DRYRUN,
     "Update a running domain's saved configuration, used when rebuilding "
     "the domain after reboot.\n"
     "WARNING: xl now has better capability to manage domain "
     "configuration, avoid using this command when possible",
     "<Domain> <ConfigFile> [options] [vars]",
     "-h, --help          Print this help.\n"
     "-f FILE, --defconfig=FILE\n"
     "                    Use the given configuration file.\n"
     "-d                  Print the resolved configuration as JSON.\n"
     "key=value           Set a config key, after the file.\n"
     "The running guest is not changed: the domain is rebuilt from the\n"
     "new configuration when it next restarts (reboot, on_* restart)."},
    {"list", main_list, 0, "List information about all/some domains",
     "[options] [Domain]",
     "-h, --help          Print this help.\n"
     "-v, --verbose       Also print each domain's UUID and reason code.\n"
     "-j, --json          Print the status of each domain as JSON.\n"
     "-l, --long          Print each guest's configuration as JSON."},
    {"console", main_console, 0, "Attach to domain's console",
     "[options] <Domain>",
     "-h, --help          Print this help.\n"
     "-t TYPE             pv or serial: the same one console here.\n"
     "-n NUMBER           Only 0: each domain has one console.\n"
     "Detach with Ctrl-]."},
    {"destroy", main_destroy, XL_MODIFIES, "Terminate a domain immediately",
     "<Domain>", "-h, --help          Print this help."},
    {"shutdown", main_shutdown, XL_MODIFIES,
     "Issue a shutdown signal to a domain", "[options] <-a|Domain>",
     "-h, --help          Print this help.\n"
     "-a, --all           Every guest domain.\n"
     "-w, --wait          Wait for the guest to shut down.\n"
     "-F                  Accepted for compatibility (always ACPI)."},
    {"reboot", main_reboot, XL_MODIFIES, "Issue a reboot signal to a domain",
     "[options] <-a|Domain>",
     "-h, --help          Print this help.\n"
     "-a, --all           Every guest domain.\n"
     "-w, --wait          Wait for the guest to shut down for the reboot.\n"
     "-F                  Accepted for compatibility (always ACPI)."},
    {"pause", main_pause, XL_MODIFIES, "Pause execution of a domain",
     "<Domain>", "-h, --help          Print this help."},
    {"unpause", main_unpause, XL_MODIFIES, "Unpause a paused domain",
     "<Domain>", "-h, --help          Print this help."},
    {"rename", main_rename, XL_MODIFIES, "Rename a domain",
     "<Domain> <NewDomainName>", "-h, --help          Print this help."},
    {"dump-core", main_dump_core, XL_MODIFIES, "Core dump a domain",
     "<Domain> <filename>",
     "-h, --help          Print this help.\n"
     "The guest is paused while its memory and vCPU state are written\n"
     "(xlhv(8), STATE FILE FORMAT) and runs on afterwards."},
    {"save", main_save, XL_MODIFIES, "Save a domain state to restore later",
     "[options] <Domain> <CheckpointFile> [<ConfigFile>]",
     "-h  Print this help.\n"
     "-c  Leave domain running after creating the snapshot.\n"
     "-p  Leave domain paused after creating the snapshot.\n"
     "-D  Store the domain id in the configuration."},
    {"restore", main_restore, XL_MODIFIES,
     "Restore a domain from a saved state",
     "[options] [<ConfigFile>] <CheckpointFile>",
     "-h                       Print this help.\n"
     "-p                       Do not unpause domain after restoring it.\n"
     "-e                       Do not wait in the background for the death "
     "of the domain.\n"
     "-d                       Enable debug messages.\n"
     "-V, --vncviewer          Connect to the VNC display after the domain "
     "is created.\n"
     "-A, --vncviewer-autopass Pass VNC password to viewer via stdin."},
    {"migrate", main_migrate, XL_MODIFIES, "Migrate a domain to another host",
     "[options] <Domain> <host>",
     "-h              Print this help.\n"
     "-C <config>     Send <config> instead of config file from creation.\n"
     "-s <sshcommand> Use <sshcommand> instead of ssh.  String will be "
     "passed\n"
     "                to sh. If empty, run <host> instead of ssh <host> xl\n"
     "                migrate-receive [-d -e]\n"
     "-e              Do not wait in the background (on <host>) for the "
     "death\n"
     "                of the domain.\n"
     "--debug         Print huge (!) amount of debug during the migration "
     "process.\n"
     "-p              Do not unpause domain after migrating it.\n"
     "-D              Preserve the domain id\n"
     "-T              Pass -T (timestamps) to the receiving xl.\n"
     "--max-downtime MS\n"
     "                The pause's budget in milliseconds (default 300).\n"
     "--bandwidth MiB/s\n"
     "                Send at most this many MiB a second (default: no "
     "cap)."},
    {"migrate-receive", main_migrate_receive, XL_MODIFIES,
     "Restore a domain from a saved state", "- for internal use only", ""},
    {"domid", main_domid, 0, "Convert a domain name to domain id",
     "<DomainName>", "-h, --help          Print this help."},
    {"domname", main_domname, 0, "Convert a domain id to domain name",
     "<DomainId>", "-h, --help          Print this help."},
    {"uptime", main_uptime, 0, "Print uptime for all/some domains",
     "[-s] [Domain]",
     "-h, --help          Print this help.\n"
     "-s                  Print a short uptime."},
    {"mem-set", main_mem_set, XL_MODIFIES,
     "Set the current memory usage for a domain",
     "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>",
     "-h, --help          Print this help.\n"
     "The guest's virtio balloon driver gives back or takes memory;\n"
     "at most its maxmem (see xl mem-max)."},
    {"mem-max", main_mem_max, XL_MODIFIES,
     "Set the maximum amount reservation for a domain",
     "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>",
     "-h, --help          Print this help.\n"
     "At least its current target, at most the RAM it was built with\n"
     "(its config's maxmem)."},
    {"vcpu-list", main_vcpu_list, 0, "List the VCPUs for all/some domains",
     "[Domain, ...]", "-h, --help          Print this help."},
    {"vcpu-pin", main_vcpu_pin, XL_MODIFIES, "Set which CPUs a VCPU can use",
     "[option] <Domain> <VCPU|all> <Hard affinity|-|all> "
     "<Soft affinity|-|all>",
     "-h, --help          Print this help.\n"
     "-f, --force         Accepted for compatibility.\n"
     "Soft affinity can only be - or all: Linux has none."},
    {"vcpu-set", main_vcpu_set, XL_MODIFIES,
     "Set the number of active VCPUs allowed for the domain",
     "[option] <Domain> <vCPUs>",
     "-h, --help          Print this help.\n"
     "-i, --ignore-host   Don't limit the vCPU based on the host CPU "
     "count.\n"
     "At most the domain's maxvcpus; the guest brings new vCPUs up and\n"
     "ejects removed ones itself (ACPI CPU hotplug)."},
    {"sched-credit", main_sched_credit, XL_MODIFIES,
     "Get/set credit scheduler parameters",
     "[-d <Domain> [-w WEIGHT] [-c CAP]] [-s] [-p CPUPOOL]",
     "-h, --help          Print this help.\n"
     "-d DOMAIN, --domain=DOMAIN\n"
     "                    Domain to get or set the parameters of.\n"
     "-w WEIGHT, --weight=WEIGHT\n"
     "                    Relative CPU share, 1 to 65535 (default 256).\n"
     "-c CAP, --cap=CAP   Most CPU the domain may use, in percent of one\n"
     "                    CPU (0: no cap).\n"
     "-p CPUPOOL, --cpupool=CPUPOOL\n"
     "                    Only Pool-0, the one pool.\n"
     "-s, --schedparam    Print the pool's scheduler parameters.\n"
     "Realised with cgroup CPU weights and quotas on each domain's\n"
     "monitor: see xld(8)."},
    {"block-list", main_block_list, 0,
     "List virtual block devices for a domain", "<Domain(s)>",
     "-h, --help          Print this help."},
    {"network-list", main_network_list, 0,
     "List virtual network interfaces for a domain", "<Domain(s)>",
     "-h, --help          Print this help."},
    {"dmesg", main_dmesg, 0, "Read and/or clear dmesg buffer",
     "[-c]",
     "-h, --help          Print this help.\n"
     "-c, --clear         Clear the buffer after reading it.\n"
     "The buffer is xld's log, $XLD_LOGDIR/xld.log."},
    {"top", main_top, 0, "Monitor a host and the domains in real time",
     "[options]",
     "-h, --help          Print this help.\n"
     "-b, --batch         Plain text for scripts: no summary, no keys.\n"
     "-d SECONDS, --delay=SECONDS\n"
     "                    Seconds between updates (default 3; 0.5 works).\n"
     "-i N, --iterations=N\n"
     "                    Stop after N updates.\n"
     "-n, --networks      Show each vif's counters.\n"
     "-v, --vcpus         Show each vCPU's CPU time.\n"
     "-r, --repeat-header Repeat the table header before each domain.\n"
     "-f, --full-name     Do not cut domain names to 10 characters.\n"
     "Keys: q quit, d delay, s sort column, n networks, v vCPUs,\n"
     "r repeat header, arrows scroll."},
    {"info", main_info, 0, "Get information about the host", "",
     "-h, --help          Print this help."},
    /* run by the program xl-domxml: xl itself does not link libxml2 */
    XL_DOMXML_ROWS(main_domxml_run, main_domxml_run),
    {"shell", main_shell, 0, "Run xl commands interactively", "",
     "-h, --help          Print this help."},
    {"help", main_help, 0, "Display help information", "[-h] [command]",
     "-h, --help          Print this help."},
};

const size_t xl_cmdtable_len = sizeof(xl_cmdtable) / sizeof(xl_cmdtable[0]);

const struct xl_cmd *xl_cmd_find(const char *name)
{
	return xl_cmd_lookup(xl_cmdtable, xl_cmdtable_len, name);
}
