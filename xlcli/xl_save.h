/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xl save, restore, migrate and migrate-receive share: a domain's
 * config from xld, its stream sent through xld, a domain received.
 */
#ifndef XL_SAVE_H
#define XL_SAVE_H

#include <signal.h>
#include <stdint.h>

#include <json-c/json.h>

#include "xlcli/xl_util.h"

/*
 * xl create's config parse (xl_create.c): @file and @overrides (NULL:
 * none) resolved into the config xld takes.  0 or the exit status.
 */
int xl_config_load(const char *cmd, const char *file,
		   const struct xl_buf *overrides, int quiet, int verbose,
		   json_object **out);

/*
 * @dom's id, name and the config to send: @cfgfile's (NULL: the one xld
 * keeps), with "domid" set to its domid when @keep_domid, else without
 * one.  Prints Xen's message on failure (@nocfg_msg when there is no
 * config); returns the exit status.
 */
int xl_dom_config(const char *cmd, const char *dom, const char *cfgfile,
		  int keep_domid, const char *nocfg_msg, int *domid,
		  char **name, json_object **cfg);

/*
 * Have xld write @domid's stream to @fd ("send"), @flags a
 * comma-separated list of live, debug, destroy, resume.  Progress on
 * stdout when it is a terminal.  0, or -errno with xld's reason printed
 * (-EINTR: *@stop was set by a signal, the send is cancelled).
 */
int xl_send(const char *cmd, int domid, int fd, const char *flags,
	    uint32_t max_downtime_ms, uint64_t max_bytes_per_s,
	    volatile sig_atomic_t *stop);

/*
 * xl restore and migrate-receive: the header from @fd (Xen's checks and
 * messages, @source naming it), the config (@cfgfile's if given, else
 * the saved one), renamed NAME@suffix if @suffix, and a domain built
 * paused by xld from the rest of the stream.  0 with *@domid and *@name
 * (malloc'd), or -errno after a message.  With @hold, xld destroys the
 * domain if the connection left in *@hold closes before it is renamed
 * (a receiver killed leaves no copy behind); the caller closes it.
 */
int xl_recv_domain(int fd, const char *source, const char *cfgfile,
		   const char *suffix, int quiet, int debug, int *domid,
		   char **name, int *hold);

/* @method ("unpause", "destroy") of domain @domid; 0 or -errno, quiet. */
int xl_dom_do(const char *method, int domid, const char *newname);

#endif
