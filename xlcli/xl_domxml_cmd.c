// SPDX-License-Identifier: GPL-2.0
/*
 * xl domxml-to-libvirt CFG and xl domxml-from-libvirt XML: read a file,
 * convert it (xl_domxml.c), print the result on stdout and what does not
 * convert on stderr, one warning line each.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xlcli/xl.h"
#include "xlcli/xl_cfg.h"
#include "xlcli/xl_domcfg.h"
#include "xlcli/xl_domxml.h"

/* A vif without a MAC stays without one in the XML (libvirt makes
 * one up), so the generated value is never used. */
static uint32_t no_random(void *arg)
{
	static uint32_t x = 0x2545f491;

	(void)arg;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static int write_out(const char *cmd, const char *s)
{
	if (fputs(s, stdout) == EOF || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "xl %s: writing the result: %s\n", cmd,
			strerror(errno));
		return 1;
	}
	return 0;
}

/* Reads all of @path (at most @max bytes) into *@out, NUL-terminated. */
static int read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct xl_buf b = {0};
	char chunk[65536];
	ssize_t r;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (!r)
			break;
		if (b.len + (size_t)r > max) {
			rc = -EFBIG;
			goto out;
		}
		if (xl_buf_add(&b, chunk, (size_t)r)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	*len = b.len;
	*out = xl_buf_steal(&b);
	rc = *out ? 0 : -ENOMEM;
out:
	xl_buf_dispose(&b);
	close(fd);
	return rc;
}

static int one_file_arg(int argc, char **argv, const char *cmd,
			const char **file)
{
	int rc = xl_operands(argc, argv, cmd, 1, 1);

	if (rc >= 0)
		return rc;
	*file = argv[optind];
	return -1;
}

int main_domxml_to_libvirt(int argc, char **argv)
{
	const char *cmd = "domxml-to-libvirt", *file = NULL;
	struct xl_diag diag = {0};
	struct xl_domcfg dc = {0};
	struct xl_cfg *cfg = NULL;
	char *xml = NULL;
	int rc, ret, resolved = 0;

	ret = one_file_arg(argc, argv, cmd, &file);
	if (ret >= 0)
		return ret;
	cfg = xl_cfg_new();
	if (!cfg) {
		rc = -errno;
		goto fail;
	}
	rc = xl_cfg_parse_file(cfg, file, &diag);
	if (rc && rc != -EINVAL && rc != -ENOMEM) {
		fprintf(stderr, "xl %s: cannot read %s: %s\n", cmd, file,
			strerror(-rc));
		ret = 1;
		goto out;
	}
	if (rc)
		goto fail;
	rc = xl_domcfg_resolve(cfg, &dc, &diag, no_random, NULL);
	if (rc)
		goto fail;
	resolved = 1;
	rc = xl_domxml_from_domcfg(&dc, file, &xml, &diag);
	if (rc)
		goto fail;
	fputs(xl_buf_str(&diag.warn), stderr);
	ret = write_out(cmd, xml);
	goto out;
fail:
	fputs(xl_buf_str(&diag.warn), stderr);
	fputs(xl_buf_str(&diag.err), stderr);
	fprintf(stderr, "xl %s: %s: %s\n", cmd, file,
		rc == -ENOMEM ? "out of memory"
			      : "the config does not convert");
	ret = 1;
out:
	free(xml);
	if (resolved)
		xl_domcfg_dispose(&dc);
	xl_cfg_free(cfg);
	xl_diag_dispose(&diag);
	return ret;
}

int main_domxml_from_libvirt(int argc, char **argv)
{
	const char *cmd = "domxml-from-libvirt", *file = NULL;
	struct xl_diag diag = {0};
	char *data = NULL, *cfg = NULL;
	size_t len = 0;
	int rc, ret;

	ret = one_file_arg(argc, argv, cmd, &file);
	if (ret >= 0)
		return ret;
	rc = read_file(file, XL_DOMXML_MAX, &data, &len);
	if (rc == -EFBIG) {
		fprintf(stderr,
			"xl %s: %s: larger than %u bytes: not a domain XML\n",
			cmd, file, XL_DOMXML_MAX);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "xl %s: cannot read %s: %s\n", cmd, file,
			strerror(-rc));
		return 1;
	}
	rc = xl_domxml_to_xlcfg(file, data, len, &cfg, &diag);
	fputs(xl_buf_str(&diag.warn), stderr);
	if (rc) {
		fputs(xl_buf_str(&diag.err), stderr);
		fprintf(stderr, "xl %s: %s: %s\n", cmd, file,
			rc == -ENOMEM ? "out of memory"
				      : "the XML does not convert");
		ret = 1;
		goto out;
	}
	ret = write_out(cmd, cfg);
out:
	free(cfg);
	free(data);
	xl_diag_dispose(&diag);
	return ret;
}
