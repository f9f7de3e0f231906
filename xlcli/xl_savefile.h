/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen's xl save-file header (tools/xl/xl.h): 32 bytes of magic, then in
 * host byte order the byte-order word, the mandatory and optional flags
 * and the optional data's length; the optional data is a u32 length and
 * the domain's config as JSON with its NUL.  Our own mandatory flag says
 * an xlhv migration stream follows (xlhv(8), MIGRATION STREAM FORMAT):
 * Xen's xl refuses our files, we refuse Xen's.
 */
#ifndef XL_SAVEFILE_H
#define XL_SAVEFILE_H

#include <stdint.h>

#include <json-c/json.h>

#define XL_SAVEFILE_MAGIC "Xen saved domain, xl format\n \0 \r"
#define XL_SAVEFILE_BYTEORDER 0x01020304u
#define XL_MANDATORY_FLAG_JSON (1u << 0)
#define XL_MANDATORY_FLAG_STREAMv2 (1u << 1)
#define XL_MANDATORY_FLAG_KVM (1u << 31) /* an xlhv stream follows */
#define XL_MANDATORY_FLAG_ALL                                                  \
	(XL_MANDATORY_FLAG_JSON | XL_MANDATORY_FLAG_STREAMv2 |                 \
	 XL_MANDATORY_FLAG_KVM)

struct xl_savefile_header {
	char magic[32];
	uint32_t byteorder;
	uint32_t mandatory_flags;
	uint32_t optional_flags;
	uint32_t optional_data_len;
};

/* The migration protocol's messages (Xen's xl.h), and their lengths on
 * the wire: the banner without its NUL, the others with it. */
#define XL_MIGRATE_BANNER "xl migration receiver ready, send binary domain data.\n"
#define XL_MIGRATE_READY "domain received, ready to unpause"
#define XL_MIGRATE_GO "domain is yours, you are cleared to unpause"
#define XL_MIGRATE_REPORT "my copy unpause results are as follows"

/*
 * Write the header and @config (JSON) to @fd, then print Xen's "Saving
 * to @source new xl format (info ...)".  0 or -errno (with nothing
 * printed: the caller says it failed).
 */
int xl_savefile_write(int fd, const char *source, json_object *config);

/*
 * Read the header and the optional data from @fd, checked as Xen's xl
 * does and with its messages; *@config is the saved config (malloc'd,
 * NUL-terminated) or NULL when the file has none.  0, or -EINVAL after
 * a message (-EPROTO: it ended in the header; the message is printed
 * too).  A Xen (libxc) stream, without our flag, is refused.
 */
int xl_savefile_read(int fd, const char *source, char **config);

/*
 * Exactly @len bytes to or from @fd: 0, -errno, or -EPROTO at EOF.  A
 * signal caught (xl migrate's, without SA_RESTART) ends it: -EINTR.
 */
int xl_write_exactly(int fd, const void *buf, size_t len);
int xl_read_exactly(int fd, void *buf, size_t len);

#endif
