// SPDX-License-Identifier: GPL-2.0
/*
 * xld's disks (xld/dom/vbd.c) without guests: Xen's vdev numbers, config
 * entries refused with a message naming them, targets checked on real
 * files, the sharing rule by file identity, and the vbd nodes on a real
 * store.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xld/dom/vbd.h"
#include "tests/hvt_check.h"

/* ---- vdev numbers (docs/misc/vbd-interface.txt) ---- */

static const struct {
	const char *vdev;
	long devid;
} vdevs[] = {
    {"xvda", 51712},	 {"xvdb", 51728},
    {"xvda1", 51713},	 {"xvdp15", 51967},
    {"xvdq", 268439552}, {"xvdaa", 268442112},
    {"hda", 768},	 {"hdb", 832},
    {"hdc", 5632},	 {"hdd1", 5697},
    {"sda", 2048},	 {"sdb1", 2065},
    {"51712", 51712},	 {"0", 0},
    {"vda", -1},	 {"xvd", -1},
    {"xvd1", -1},	 {"xvda+1", -1},
    {"xvda1x", -1},	 {"hdi", -1},
    {"hda64", -1},	 {"", -1},
    {"12a", -1},	 {"99999999999", -1},
};

START_TEST(test_devid)
{
	ck_assert_msg(xld_vbd_devid(vdevs[_i].vdev) == vdevs[_i].devid,
		      "%s: %ld, want %ld", vdevs[_i].vdev,
		      xld_vbd_devid(vdevs[_i].vdev), vdevs[_i].devid);
}
END_TEST

/* ---- config entries ---- */

static char dir[64];
static char file_a[128], link_a[128], file_b[128];

static void files_setup(void)
{
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/check_xld_vbd.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file_a, sizeof(file_a), "%s/a.img", dir);
	snprintf(link_a, sizeof(link_a), "%s/a-link.img", dir);
	snprintf(file_b, sizeof(file_b), "%s/b.img", dir);
	fd = open(file_a, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 8192 + 100), 0);
	close(fd);
	fd = open(file_b, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(link(file_a, link_a), 0);
}

static void files_teardown(void)
{
	unlink(file_a);
	unlink(link_a);
	unlink(file_b);
	rmdir(dir);
}

/* A config of one disk: @disk is the JSON of its entry. */
static int parse(const char *disk, struct xld_vbds **out, char *err, size_t len)
{
	char buf[XLD_VBD_TARGET_MAX + 1024];
	json_object *cfg;
	int rc;

	snprintf(buf, sizeof(buf), "{\"disks\": [%s]}", disk);
	cfg = json_tokener_parse(buf);
	ck_assert_msg(cfg != NULL, "bad JSON in the test: %s", buf);
	err[0] = '\0';
	rc = xld_vbds_parse(cfg, 7, out, err, len);
	json_object_put(cfg);
	return rc;
}

static const struct {
	const char *json, *msg;
} bad[] = {
    {"1", "disk 0: not a JSON object"},
    {"{\"target\": \"/a\"}", "disk 0: no vdev"},
    {"{\"vdev\": \"vda\", \"target\": \"/a\"}", "disk 0: invalid vdev 'vda'"},
    {"{\"vdev\": \"xvda\"}", "disk xvda: no target"},
    {"{\"vdev\": \"xvda\", \"target\": 3}", "disk xvda: no target"},
    {"{\"vdev\": \"hdc\", \"target\": null, \"devtype\": \"cdrom\"}",
     "disk hdc: an empty CD-ROM drive is not supported"},
    {"{\"vdev\": \"xvda\", \"target\": \"a.img\"}",
     "disk xvda: target 'a.img' is not an absolute path"},
    {"{\"vdev\": \"xvda\", \"target\": \"/a\", \"format\": \"qcow2\"}",
     "disk xvda: /a: format qcow2 is not supported"},
    {"{\"vdev\": \"xvda\", \"target\": \"/a\", \"format\": \"empty\"}",
     "format empty is not supported"},
    {"{\"vdev\": \"xvda\", \"target\": \"/a\", \"access\": \"x\"}",
     "disk xvda: invalid access 'x'"},
    {"{\"vdev\": \"xvda\", \"target\": \"/a\", \"access\": 1}",
     "disk xvda: invalid access '?'"},
    {"{\"vdev\": \"xvda\", \"target\": \"/a\", \"devtype\": \"tape\"}",
     "disk xvda: invalid devtype"},
    {"{\"vdev\": \"hdc\", \"target\": \"/a\", \"devtype\": \"cdrom\", "
     "\"access\": \"rw\"}",
     "disk hdc: a CD-ROM is read-only"},
    {"{\"vdev\": \"xvda\", \"target\": \"/a\", \"script\": \"block-drbd\"}",
     "disk xvda: script=block-drbd: block hotplug scripts are not"},
    {"{\"vdev\": \"xvda\", \"target\": \"/a\", \"backend\": \"dd\"}",
     "disk xvda: backend=dd: only Domain-0 serves disks"},
#define DISK(x) "{\"vdev\": \"xvd" x "\", \"target\": \"/" x "\"}"
    {DISK("a") "," DISK("b") "," DISK("c") "," DISK("d") "," DISK("e") ","
     DISK("f") "," DISK("g") "," DISK("h") "," DISK("i"),
     "9 disks: a domain has at most 8"},
    {DISK("a") ", {\"vdev\": \"51712\", \"target\": \"/b\"}",
     "disk 51712: device 51712 is also disk xvda's"},
#undef DISK
};

START_TEST(test_parse_bad)
{
	struct xld_vbds *vbds = NULL;
	char err[512];

	ck_assert_int_eq(parse(bad[_i].json, &vbds, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(vbds);
	ck_assert_msg(strstr(err, bad[_i].msg), "%s: got '%s', want '%s'",
		      bad[_i].json, err, bad[_i].msg);
}
END_TEST

START_TEST(test_parse_long_target)
{
	char json[XLD_VBD_TARGET_MAX + 100], err[512];
	struct xld_vbds *vbds = NULL;
	int n;

	n = snprintf(json, sizeof(json),
		     "{\"vdev\": \"xvda\", \"target\": \"/");
	memset(json + n, 'x', XLD_VBD_TARGET_MAX);
	snprintf(json + n + XLD_VBD_TARGET_MAX, 8, "\"}");
	ck_assert_int_eq(parse(json, &vbds, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is longer than 1024 bytes"));
}
END_TEST

START_TEST(test_parse_ok)
{
	struct xld_vbds *vbds = NULL;
	struct dc_disk disks[XLD_VBD_MAX];
	char err[512];

	/* no disks at all */
	ck_assert_int_eq(parse("", &vbds, err, sizeof(err)), 0);
	ck_assert_uint_eq(vbds->n, 0);
	xld_vbds_free(vbds);

	/* as xl sends it; access rw by default */
	ck_assert_int_eq(parse("{\"vdev\": \"xvda\", \"target\": \"/a\", "
			       "\"format\": \"raw\", \"devtype\": \"disk\"}",
			       &vbds, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(vbds->n, 1);
	ck_assert_uint_eq(vbds->domid, 7);
	ck_assert_uint_eq(vbds->v[0].devid, 51712);
	ck_assert_str_eq(vbds->v[0].target, "/a");
	ck_assert(!vbds->v[0].readonly);
	ck_assert_uint_eq(xld_vbds_disks(vbds, disks), 1);
	ck_assert_str_eq(disks[0].path, "/a");
	ck_assert_int_eq(disks[0].readonly, 0);
	xld_vbds_free(vbds);

	/* a CD-ROM is read-only without saying so */
	ck_assert_int_eq(parse("{\"vdev\": \"hdc\", \"target\": \"/i.iso\", "
			       "\"devtype\": \"cdrom\"}",
			       &vbds, err, sizeof(err)),
			 0);
	ck_assert(vbds->v[0].readonly && vbds->v[0].cdrom);
	ck_assert_uint_eq(vbds->v[0].devid, 5632);
	xld_vbds_disks(vbds, disks);
	ck_assert_int_ne(disks[0].readonly, 0);
	xld_vbds_free(vbds);
	xld_vbds_free(NULL);
}
END_TEST

/* The guest's order is devid order, not the config's. */
START_TEST(test_parse_order)
{
	static const char *const want[] = {"/hda", "/xvdb", "/xvdc", "/xvdaa"};
	struct xld_vbds *vbds = NULL;
	struct dc_disk disks[XLD_VBD_MAX];
	char err[512];

	ck_assert_int_eq(
	    parse("{\"vdev\": \"xvdc\", \"target\": \"/xvdc\"},"
		  "{\"vdev\": \"xvdaa\", \"target\": \"/xvdaa\"},"
		  "{\"vdev\": \"xvdb\", \"target\": \"/xvdb\", "
		  "\"access\": \"ro\"},"
		  "{\"vdev\": \"hda\", \"target\": \"/hda\"}",
		  &vbds, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(xld_vbds_disks(vbds, disks), 4);
	for (unsigned int i = 0; i < 4; i++)
		ck_assert_str_eq(disks[i].path, want[i]);
	ck_assert_uint_eq(vbds->v[0].devid, 768);
	ck_assert_str_eq(vbds->v[1].vdev, "xvdb");
	ck_assert(disks[1].readonly);
	ck_assert(!disks[0].readonly && !disks[2].readonly);
	xld_vbds_free(vbds);
}
END_TEST

/* ---- targets and sharing ---- */

/* One checked disk of domain @domid on @path with @access. */
static struct xld_vbds *checked(uint32_t domid, const char *path,
				const char *access)
{
	struct xld_vbds *vbds = NULL;
	char json[512], err[512];

	snprintf(json, sizeof(json),
		 "{\"vdev\": \"xvda\", \"target\": \"%s\", \"access\": \"%s\"}",
		 path, access);
	ck_assert_int_eq(parse(json, &vbds, err, sizeof(err)), 0);
	vbds->domid = domid;
	ck_assert_msg(xld_vbds_check(vbds, err, sizeof(err)) == 0, "%s", err);
	return vbds;
}

START_TEST(test_check)
{
	struct xld_vbds *vbds = NULL;
	char json[512], err[512];

	vbds = checked(3, file_a, "rw");
	ck_assert(vbds->v[0].found && !vbds->v[0].blockdev);
	ck_assert_uint_eq(vbds->v[0].sectors, 16); /* the 100 bytes left */
	xld_vbds_free(vbds);

	snprintf(json, sizeof(json),
		 "{\"vdev\": \"xvdb\", \"target\": \"%s/none.img\"}", dir);
	ck_assert_int_eq(parse(json, &vbds, err, sizeof(err)), 0);
	ck_assert_int_eq(xld_vbds_check(vbds, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "disk xvdb: target "));
	ck_assert_ptr_nonnull(strstr(err, "/none.img: No such file"));
	xld_vbds_free(vbds);

	snprintf(json, sizeof(json), "{\"vdev\": \"xvdb\", \"target\": \"%s\"}",
		 dir);
	ck_assert_int_eq(parse(json, &vbds, err, sizeof(err)), 0);
	ck_assert_int_eq(xld_vbds_check(vbds, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(
	    strstr(err, "is not a regular file or a block device"));
	xld_vbds_free(vbds);
}
END_TEST

START_TEST(test_conflict)
{
	struct xld_vbds *a_rw = checked(1, file_a, "rw");
	struct xld_vbds *a_ro = checked(2, file_a, "ro");
	struct xld_vbds *l_ro = checked(3, link_a, "ro");
	struct xld_vbds *l_rw = checked(4, link_a, "rw");
	struct xld_vbds *b_rw = checked(5, file_b, "rw");
	char err[512];

	/* read-only by both: shared, whatever the path */
	ck_assert_int_eq(xld_vbds_conflict(l_ro, a_ro, "r", err, sizeof(err)),
			 0);
	/* another path to a file written elsewhere */
	ck_assert_int_eq(xld_vbds_conflict(l_ro, a_rw, "web", err, sizeof(err)),
			 -EBUSY);
	ck_assert_msg(strstr(err, "is in use by domain 1 (web) as its "
				  "writable disk xvda"),
		      "%s", err);
	ck_assert_ptr_nonnull(strstr(err, link_a));
	/* writable where another only reads */
	ck_assert_int_eq(xld_vbds_conflict(l_rw, a_ro, "r", err, sizeof(err)),
			 -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "domain 2 (r) as its read-only"));
	/* different files */
	ck_assert_int_eq(xld_vbds_conflict(b_rw, a_rw, "w", err, sizeof(err)),
			 0);
	/* a domain with no disks */
	a_ro->n = 0;
	ck_assert_int_eq(xld_vbds_conflict(a_rw, a_ro, "r", err, sizeof(err)),
			 0);
	a_ro->n = 1;
	/* with itself: one disk is no conflict */
	ck_assert_int_eq(xld_vbds_conflict(a_rw, a_rw, "w", err, sizeof(err)),
			 0);
	/* a target not found (xld restarted, file gone) is not counted */
	a_rw->v[0].found = false;
	ck_assert_int_eq(xld_vbds_conflict(l_rw, a_rw, "w", err, sizeof(err)),
			 0);
	xld_vbds_free(a_rw);
	xld_vbds_free(a_ro);
	xld_vbds_free(l_ro);
	xld_vbds_free(l_rw);
	xld_vbds_free(b_rw);
}
END_TEST

START_TEST(test_recover)
{
	struct xld_vbds *w = checked(1, file_a, "rw"), *r = NULL;
	char json[512], err[512];

	snprintf(json, sizeof(json),
		 "{\"vdev\": \"xvda\", \"target\": \"%s\", \"access\": \"r\"}",
		 link_a);
	ck_assert_int_eq(parse(json, &r, err, sizeof(err)), 0);
	/* what a restarted xld knows of a running guest's disk */
	xld_vbds_recover(r);
	ck_assert(r->v[0].found);
	ck_assert_int_eq(xld_vbds_conflict(w, r, "r", err, sizeof(err)),
			 -EBUSY);
	xld_vbds_free(w);
	xld_vbds_free(r);
}
END_TEST

/* ---- the store ---- */

static void read_node(struct xs_store *st, const char *path, const char *want)
{
	struct xs_op op = {.st = st, .priv = true};
	const char *val;
	uint32_t len;

	ck_assert_msg(xs_node_read(&op, path, &val, &len) == 0, "%s missing",
		      path);
	ck_assert_msg(len == strlen(want) && !memcmp(val, want, len),
		      "%s: '%.*s', want '%s'", path, (int)len, val, want);
}

static bool exists(struct xs_store *st, const char *path)
{
	struct xs_op op = {.st = st, .priv = true};
	const char *val;
	uint32_t len;

	return xs_node_read(&op, path, &val, &len) == 0;
}

START_TEST(test_store)
{
	struct xs_store *st = xs_store_new(NULL, NULL);
	struct xld_vbds *vbds;
	json_object *arr, *o, *v;
	char err[512];

	ck_assert_ptr_nonnull(st);
	vbds = checked(9, file_a, "ro");
	ck_assert_int_eq(xld_vbds_publish(st, vbds, err, sizeof(err)), 0);
	read_node(st, "/local/domain/0/backend/vbd/9/51712/state", "2");
	read_node(st, "/local/domain/9/device/vbd/51712/state", "1");
	xld_vbds_connected(st, vbds);
	read_node(st, "/local/domain/0/backend/vbd/9/51712/frontend",
		  "/local/domain/9/device/vbd/51712");
	read_node(st, "/local/domain/0/backend/vbd/9/51712/params", file_a);
	read_node(st, "/local/domain/0/backend/vbd/9/51712/mode", "r");
	read_node(st, "/local/domain/0/backend/vbd/9/51712/dev", "xvda");
	read_node(st, "/local/domain/0/backend/vbd/9/51712/sectors", "16");
	read_node(st, "/local/domain/0/backend/vbd/9/51712/info", "4");
	read_node(st, "/local/domain/0/backend/vbd/9/51712/state", "4");
	read_node(st, "/local/domain/9/device/vbd/51712/backend",
		  "/local/domain/0/backend/vbd/9/51712");
	read_node(st, "/local/domain/9/device/vbd/51712/virtual-device",
		  "51712");
	read_node(st, "/local/domain/9/device/vbd/51712/state", "4");

	arr = xld_vbds_json(st, 9);
	ck_assert_ptr_nonnull(arr);
	ck_assert_uint_eq(json_object_array_length(arr), 1);
	o = json_object_array_get_idx(arr, 0);
	ck_assert(json_object_object_get_ex(o, "devid", &v));
	ck_assert_int_eq(json_object_get_int(v), 51712);
	ck_assert(json_object_object_get_ex(o, "state", &v));
	ck_assert_int_eq(json_object_get_int(v), 4);
	ck_assert(json_object_object_get_ex(o, "target", &v));
	ck_assert_str_eq(json_object_get_string(v), file_a);
	json_object_put(arr);

	xld_vbds_unpublish(st, 9);
	ck_assert(!exists(st, "/local/domain/0/backend/vbd/9"));
	ck_assert(!exists(st, "/local/domain/9/device/vbd"));
	arr = xld_vbds_json(st, 9);
	ck_assert_uint_eq(json_object_array_length(arr), 0);
	json_object_put(arr);
	/* again, after a preserve */
	xld_vbds_republish(st, vbds);
	read_node(st, "/local/domain/9/device/vbd/51712/state", "4");
	xld_vbds_unpublish(st, 9);
	xld_vbds_unpublish(st, 9); /* nothing left to remove: quiet */
	xld_vbds_free(vbds);
	xs_store_free(st);
}
END_TEST

static Suite *vbd_suite(void)
{
	Suite *s = suite_create("xld_vbd");
	TCase *tc;

	tc = tcase_create("devid");
	tcase_add_loop_test(tc, test_devid, 0,
			    sizeof(vdevs) / sizeof(vdevs[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_bad, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_parse_long_target);
	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("targets");
	tcase_add_checked_fixture(tc, files_setup, files_teardown);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_conflict);
	tcase_add_test(tc, test_recover);
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, files_setup, files_teardown);
	tcase_add_test(tc, test_store);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(vbd_suite());
}
