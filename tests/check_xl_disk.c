// SPDX-License-Identifier: GPL-2.0
/*
 * Disk specification strings: every form of xl-disk-configuration(5),
 * resolved to JSON, and the errors.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_disk.h"
#include "tests/hvt_check.h"

static const struct {
	const char *spec;
	const char *want; /* compact JSON, or "E:" and the message */
} cases[] = {
    /* the man page's equivalent strings */
    {"/dev/vg/guest-volume,,hda", "{\"vdev\":\"hda\",\"target\":\"/dev/vg/"
				  "guest-volume\",\"format\":\"raw\","
				  "\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"/dev/vg/guest-volume,raw,hda,rw",
     "{\"vdev\":\"hda\",\"target\":\"/dev/vg/"
     "guest-volume\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":"
     "\"disk\"}"},
    {"format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
     "{\"vdev\":\"hda\",\"target\":\"/dev/vg/"
     "guest-volume\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":"
     "\"disk\"}"},
    {"raw:/dev/vg/guest-volume,hda,w",
     "{\"vdev\":\"hda\",\"target\":\"/dev/vg/"
     "guest-volume\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":"
     "\"disk\"}"},
    {"/root/image.iso,,hdc,cdrom",
     "{\"vdev\":\"hdc\",\"target\":\"/root/"
     "image.iso\",\"format\":\"raw\",\"access\":\"ro\",\"devtype\":\"cdrom\"}"},
    {"/root/image.iso,,hdc,,cdrom",
     "{\"vdev\":\"hdc\",\"target\":\"/root/"
     "image.iso\",\"format\":\"raw\",\"access\":\"ro\",\"devtype\":\"cdrom\"}"},
    {"/root/image.iso,raw,hdc,devtype=cdrom",
     "{\"vdev\":\"hdc\",\"target\":\"/root/"
     "image.iso\",\"format\":\"raw\",\"access\":\"ro\",\"devtype\":\"cdrom\"}"},
    {"format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso",
     "{\"vdev\":\"hdc\",\"target\":\"/root/"
     "image.iso\",\"format\":\"raw\",\"access\":\"ro\",\"devtype\":\"cdrom\"}"},
    {"raw:/root/image.iso,hdc:cdrom,ro",
     "{\"vdev\":\"hdc\",\"target\":\"/root/"
     "image.iso\",\"format\":\"raw\",\"access\":\"ro\",\"devtype\":\"cdrom\"}"},
    /* Xen's example configs */
    {"/dev/vg/guest-volume,raw,xvda,rw",
     "{\"vdev\":\"xvda\",\"target\":\"/dev/vg/"
     "guest-volume\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":"
     "\"disk\"}"},
    /* deprecated prefixes real configs carry */
    {"phy:/dev/sdb1,xvda1,w",
     "{\"vdev\":\"xvda1\",\"target\":\"/dev/"
     "sdb1\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"file:/srv/xen/guest.img,xvda,r",
     "{\"vdev\":\"xvda\",\"target\":\"/srv/xen/"
     "guest.img\",\"format\":\"raw\",\"access\":\"ro\",\"devtype\":\"disk\"}"},
    {"tap:aio:/srv/xen/guest.img,xvda,w",
     "{\"vdev\":\"xvda\",\"target\":\"/srv/xen/"
     "guest.img\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"tap:qcow2:/srv/xen/guest.qcow2,xvda,w",
     "{\"vdev\":\"xvda\",\"target\":\"/srv/xen/"
     "guest.qcow2\",\"format\":\"qcow2\",\"access\":\"rw\",\"devtype\":"
     "\"disk\"}"},
    {"tap2:vhd:/srv/guest.vhd,xvdb,w",
     "{\"vdev\":\"xvdb\",\"target\":\"/srv/"
     "guest.vhd\",\"format\":\"vhd\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"iscsi:iqn.2001-05.com.example:disk1,xvda,w",
     "{\"vdev\":\"xvda\",\"target\":\"iqn.2001-05.com.example:disk1\","
     "\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\",\"script\":"
     "\"block-iscsi\"}"},
    {"drbd:resource0,xvda,w",
     "{\"vdev\":\"xvda\",\"target\":\"resource0\",\"format\":\"raw\","
     "\"access\":\"rw\",\"devtype\":\"disk\",\"script\":\"block-drbd\"}"},
    /* xend's empty cdrom */
    {",hdc:cdrom,r", "{\"vdev\":\"hdc\",\"target\":null,\"format\":\"empty\","
		     "\"access\":\"ro\",\"devtype\":\"cdrom\"}"},
    {"vdev=hdc,devtype=cdrom",
     "{\"vdev\":\"hdc\",\"target\":null,\"format\":\"empty\",\"access\":\"ro\","
     "\"devtype\":\"cdrom\"}"},
    /* formats, options and flags */
    {"/img.qcow2,qcow2,xvda", "{\"vdev\":\"xvda\",\"target\":\"/"
			      "img.qcow2\",\"format\":\"qcow2\",\"access\":"
			      "\"rw\",\"devtype\":\"disk\"}"},
    {"/img,qed,xvda",
     "{\"vdev\":\"xvda\",\"target\":\"/"
     "img\",\"format\":\"qed\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"vdev=xvdb, format=qcow, backendtype=qdisk, backend=drv0, "
     "script=block-foo, specification=virtio, direct-io-safe, no-discard, "
     "untrusted, grant_usage=0, target=/a,b:c d,",
     "{\"vdev\":\"xvdb\",\"target\":\"/a,b:c "
     "d\",\"format\":\"qcow\",\"access\":\"rw\",\"devtype\":\"disk\","
     "\"backend\":\"drv0\",\"backendtype\":\"qdisk\",\"specification\":"
     "\"virtio\",\"script\":\"block-foo\",\"direct_io_safe\":true,\"discard\":"
     "false,\"trusted\":false,\"grant_usage\":false}"},
    {"/img,raw,xvda,rw,discard,trusted,backendtype=phy",
     "{\"vdev\":\"xvda\",\"target\":\"/"
     "img\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\","
     "\"backendtype\":\"phy\",\"discard\":true,\"trusted\":true}"},
    {"/img,,xvda,,colo,colo-host=10.0.0.2,colo-port=9000,colo-export=e1,active-"
     "disk=/a,hidden-disk=/h",
     "{\"vdev\":\"xvda\",\"target\":\"/"
     "img\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\",\"colo\":"
     "true,\"colo_host\":\"10.0.0.2\",\"colo_port\":9000,\"colo_export\":"
     "\"e1\",\"active_disk\":\"/a\",\"hidden_disk\":\"/h\"}"},
    /* target= takes the rest and may override an empty positional */
    {",,xvda,target=/x",
     "{\"vdev\":\"xvda\",\"target\":\"/"
     "x\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"  /img ,raw,xvda",
     "{\"vdev\":\"xvda\",\"target\":\"/img "
     "\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"/img,,d0p1",
     "{\"vdev\":\"d0p1\",\"target\":\"/"
     "img\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"/img,,sdaa3",
     "{\"vdev\":\"sdaa3\",\"target\":\"/"
     "img\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    {"/img,,51712",
     "{\"vdev\":\"51712\",\"target\":\"/"
     "img\",\"format\":\"raw\",\"access\":\"rw\",\"devtype\":\"disk\"}"},
    /* errors */
    {"/img,qcow3,xvda", "E:config parsing error in disk specification: unknown "
			"value for format: near `qcow3' in `/img,qcow3,xvda'"},
    {"/img,raw,xvda,rx",
     "E:config parsing error in disk specification: unknown value for access: "
     "near `rx' in `/img,raw,xvda,rx'"},
    {"/img,raw,xvda,rw,extra",
     "E:config parsing error in disk specification: too many positional "
     "parameters: near `extra' in `/img,raw,xvda,rw,extra'"},
    {"/img,raw", "E:config parsing error in disk specification: no vdev "
		 "specified in `/img,raw'"},
    {"",
     "E:config parsing error in disk specification: no vdev specified in `'"},
    {"vdev=xvda,vdev=xvdb,target=/x",
     "E:config parsing error in disk specification: vdev respecified: near "
     "`xvdb' in `vdev=xvda,vdev=xvdb,target=/x'"},
    {"/img,qcow2,xvda,format=raw",
     "E:config parsing error in disk specification: format respecified: near "
     "`raw' in `/img,qcow2,xvda,format=raw'"},
    {"/img,,xvda,colour=red",
     "E:config parsing error in disk specification: unknown parameter: near "
     "`colour=red' in `/img,,xvda,colour=red'"},
    {"/img,,xvda,devtype=floppy",
     "E:config parsing error in disk specification: unknown value for type: "
     "near `devtype=floppy' in `/img,,xvda,devtype=floppy'"},
    {"/img,,xvda,backendtype=blktap",
     "E:config parsing error in disk specification: unknown value for "
     "backendtype: near `blktap' in `/img,,xvda,backendtype=blktap'"},
    {"foo:/img,xvda,w",
     "E:config parsing error in disk specification: unknown deprecated disk "
     "prefix: near `foo:' in `foo:/img,xvda,w'"},
    {",hdc:floppy,r", "E:config parsing error in disk specification: unknown "
		      "deprecated type: near `floppy' in `,hdc:floppy,r'"},
    {"/img,,xvda,=x", "E:config parsing error in disk specification: bad disk "
		      "syntax: near `=x' in `/img,,xvda,=x'"},
    {"/img,,eth0", "E:config parsing error in disk specification: invalid "
		   "vdev: near `eth0' in `/img,,eth0'"},
    {",,xvda", "E:config parsing error in disk specification: no target "
	       "specified (only a cdrom may be empty) in `,,xvda'"},
    {"/img,,xvda,colo-port=0",
     "E:config parsing error in disk specification: unknown value for "
     "colo-port: near `0' in `/img,,xvda,colo-port=0'"},
};

START_TEST(test_spec)
{
	struct xl_disk d;
	char *err = NULL;
	json_object *j;
	int rc;

	rc = xl_disk_parse(cases[_i].spec, &d, &err);
	if (!strncmp(cases[_i].want, "E:", 2)) {
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_ptr_nonnull(err);
		ck_assert_str_eq(err, cases[_i].want + 2);
		free(err);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", cases[_i].spec, err ? err : "");
	j = xl_disk_to_json(&d);
	ck_assert_str_eq(
	    json_object_to_json_string_ext(
		j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    cases[_i].want);
	json_object_put(j);
	xl_disk_dispose(&d);
	xl_disk_dispose(&d); /* idempotent */
}
END_TEST

/* Every prefix of every case must parse or fail cleanly (no crash). */
START_TEST(test_prefixes)
{
	const char *spec = cases[_i].spec;
	size_t n, len = strlen(spec);

	for (n = 0; n <= len; n++) {
		char *s = strndup(spec, n), *err = NULL;
		struct xl_disk d;
		int rc = xl_disk_parse(s, &d, &err);

		ck_assert(rc == 0 || rc == -EINVAL);
		if (rc)
			ck_assert_ptr_nonnull(err);
		else
			xl_disk_dispose(&d);
		free(err);
		free(s);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xl_disk");
	TCase *tc = tcase_create("spec");

	tcase_add_loop_test(tc, test_spec, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_loop_test(tc, test_prefixes, 0,
			    sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
