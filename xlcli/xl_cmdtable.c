// SPDX-License-Identifier: GPL-2.0
/* The xl command table: one row per command that works. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xlcli/xl.h"

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
     "key=value           Set a config key, after the file, in xl.cfg\n"
     "                    syntax: 'memory=256' 'name=\"guest2\"'."},
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
    {"domid", main_domid, 0, "Convert a domain name to domain id",
     "<DomainName>", "-h, --help          Print this help."},
    {"domname", main_domname, 0, "Convert a domain id to domain name",
     "<DomainId>", "-h, --help          Print this help."},
    {"uptime", main_uptime, 0, "Print uptime for all/some domains",
     "[-s] [Domain]",
     "-h, --help          Print this help.\n"
     "-s                  Print a short uptime."},
    {"vcpu-list", main_vcpu_list, 0, "List the VCPUs for all/some domains",
     "[Domain, ...]", "-h, --help          Print this help."},
    {"vcpu-pin", main_vcpu_pin, XL_MODIFIES, "Set which CPUs a VCPU can use",
     "[option] <Domain> <VCPU|all> <Hard affinity|-|all> "
     "<Soft affinity|-|all>",
     "-h, --help          Print this help.\n"
     "-f, --force         Accepted for compatibility.\n"
     "Soft affinity can only be - or all: Linux has none."},
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
    {"info", main_info, 0, "Get information about the host", "",
     "-h, --help          Print this help."},
    {"domxml-to-libvirt", main_domxml_to_libvirt, 0,
     "Convert an xl domain config to libvirt domain XML", "<ConfigFile>",
     "-h, --help          Print this help."},
    {"domxml-from-libvirt", main_domxml_from_libvirt, 0,
     "Convert libvirt domain XML to an xl domain config", "<XMLFile>",
     "-h, --help          Print this help."},
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
