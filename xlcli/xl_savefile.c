// SPDX-License-Identifier: GPL-2.0
/* Xen's xl save-file header, written and read (see xl_savefile.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcli/xl_savefile.h"

_Static_assert(sizeof(struct xl_savefile_header) == 48,
	       "Xen's header is 48 bytes");
_Static_assert(sizeof(XL_SAVEFILE_MAGIC) == 33, "32 bytes of magic");

/* More than this much optional data is not a config: refused. */
#define OPTDATA_MAX (16u << 20)

int xl_write_exactly(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int xl_read_exactly(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t r;

	while (len) {
		r = read(fd, p, len);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPROTO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int xl_savefile_write(int fd, const char *source, json_object *config)
{
	struct xl_savefile_header h;
	const char *json;
	uint32_t clen;
	char *buf;
	size_t len;
	int rc;

	json = json_object_to_json_string_ext(
	    config, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!json)
		return -ENOMEM;
	clen = (uint32_t)strlen(json) + 1; /* with its NUL, as Xen's */
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, XL_SAVEFILE_MAGIC, sizeof(h.magic));
	h.byteorder = XL_SAVEFILE_BYTEORDER;
	h.mandatory_flags = XL_MANDATORY_FLAG_ALL;
	h.optional_flags = 0;
	h.optional_data_len = 4 + clen;
	len = sizeof(h) + h.optional_data_len;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &clen, 4);
	memcpy(buf + sizeof(h) + 4, json, clen);
	rc = xl_write_exactly(fd, buf, len);
	free(buf);
	if (rc)
		return rc;
	fprintf(stderr, "Saving to %s new xl format (info 0x%x/0x%x/%u)\n",
		source, h.mandatory_flags, h.optional_flags,
		h.optional_data_len);
	return 0;
}

/* Xen's libxl_read_exactly failing, and xl's CHK_ERRNOVAL after it. */
static int read_failed(const char *source, const char *what, int rc)
{
	if (rc == -EPROTO)
		fprintf(stderr, "file/stream truncated reading %s from %s\n",
			what, source);
	else
		fprintf(stderr, "failed to read %s from %s: %s\n", what,
			source, strerror(-rc));
	fprintf(stderr, "xl: fatal error: reading the %s of %s: %s\n", what,
		source, strerror(rc == -EPROTO ? EPROTO : -rc));
	return -EPROTO;
}

int xl_savefile_read(int fd, const char *source, char **config)
{
	struct xl_savefile_header h;
	uint32_t bad, clen;
	char *opt = NULL, *cfg = NULL;
	int rc;

	*config = NULL;
	rc = xl_read_exactly(fd, &h, sizeof(h));
	if (rc)
		return read_failed(source, "header", rc);
	if (memcmp(h.magic, XL_SAVEFILE_MAGIC, sizeof(h.magic))) {
		fprintf(stderr, "File has wrong magic number -"
				" corrupt or for a different tool?\n");
		return -EINVAL;
	}
	if (h.byteorder != XL_SAVEFILE_BYTEORDER) {
		fprintf(stderr, "File has wrong byte order\n");
		return -EINVAL;
	}
	fprintf(stderr,
		"Loading new save file %s (new xl fmt info 0x%x/0x%x/%u)\n",
		source, h.mandatory_flags, h.optional_flags,
		h.optional_data_len);
	bad = h.mandatory_flags & ~XL_MANDATORY_FLAG_ALL;
	if (bad) {
		fprintf(stderr,
			"Savefile has mandatory flag(s) 0x%x which are not "
			"supported; need newer xl\n",
			bad);
		return -EINVAL;
	}
	if (!(h.mandatory_flags & XL_MANDATORY_FLAG_KVM)) {
		fprintf(stderr,
			"Savefile %s holds a Xen (libxc) domain stream, not an "
			"xlhv one (mandatory flag 0x%x is not set): this KVM "
			"host cannot run a domain saved by Xen\n",
			source, XL_MANDATORY_FLAG_KVM);
		return -EINVAL;
	}
	if (h.optional_data_len > OPTDATA_MAX) {
		fprintf(stderr, "Savefile has %u bytes of optional data: more "
				"than a domain config; corrupt?\n",
			h.optional_data_len);
		return -EINVAL;
	}
	if (h.optional_data_len) {
		opt = malloc(h.optional_data_len);
		if (!opt) {
			fprintf(stderr, "xl: out of memory\n");
			return -ENOMEM;
		}
		rc = xl_read_exactly(fd, opt, h.optional_data_len);
		if (rc) {
			free(opt);
			return read_failed(source, "optdata", rc);
		}
		fprintf(stderr, " Savefile contains xl domain config%s\n",
			h.mandatory_flags & XL_MANDATORY_FLAG_JSON
			    ? " in JSON format"
			    : "");
		if (h.optional_data_len < 4)
			goto truncated;
		memcpy(&clen, opt, 4);
		if (clen > h.optional_data_len - 4)
			goto truncated;
		if (!clen) {
			/* as Xen's: an empty config is none */
			free(opt);
			return 0;
		}
		if (!(h.mandatory_flags & XL_MANDATORY_FLAG_JSON)) {
			fprintf(stderr, "Savefile's domain config is not in "
					"JSON format: only JSON is read here\n");
			free(opt);
			return -EINVAL;
		}
		cfg = malloc((size_t)clen + 1);
		if (!cfg) {
			free(opt);
			fprintf(stderr, "xl: out of memory\n");
			return -ENOMEM;
		}
		memcpy(cfg, opt + 4, clen);
		cfg[clen] = '\0';
		free(opt);
	}
	*config = cfg;
	return 0;
truncated:
	fprintf(stderr, "Savefile truncated.\n");
	free(opt);
	return -EINVAL;
}
