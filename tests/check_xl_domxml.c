// SPDX-License-Identifier: GPL-2.0
/* libvirt domain XML <-> xl.cfg (xlcli/xl_domxml.c). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_cfg.h"
#include "xlcli/xl_domcfg.h"
#include "xlcli/xl_domxml.h"
#include "tests/hvt_check.h"

static uint32_t fixed_rnd(void *arg)
{
	unsigned int *n = arg;

	return 0x0a0b0c + (*n)++;
}

/* xl.cfg text -> resolved config; fails the test when it does not. */
static void resolve(const char *text, struct xl_domcfg *dc)
{
	struct xl_diag d = {0};
	struct xl_cfg *cfg = xl_cfg_new();
	unsigned int n = 0;
	int rc;

	ck_assert_ptr_nonnull(cfg);
	rc = xl_cfg_parse(cfg, "g.cfg", text, strlen(text), &d);
	ck_assert_msg(!rc, "parse: %s\n%s", xl_buf_str(&d.err), text);
	rc = xl_domcfg_resolve(cfg, dc, &d, fixed_rnd, &n);
	ck_assert_msg(!rc, "resolve: %s\n%s", xl_buf_str(&d.err), text);
	xl_diag_dispose(&d);
	xl_cfg_free(cfg);
}

static char *to_xml(const char *cfgtext, char **warn)
{
	struct xl_diag d = {0};
	struct xl_domcfg dc;
	char *xml = NULL;

	resolve(cfgtext, &dc);
	ck_assert_int_eq(xl_domxml_from_domcfg(&dc, "g.cfg", &xml, &d), 0);
	*warn = xl_buf_steal(&d.warn);
	xl_diag_dispose(&d);
	xl_domcfg_dispose(&dc);
	return xml;
}

/* XML -> cfg; returns rc, with the text and the diagnostics. */
static int from_xml(const char *xml, char **cfg, char **err, char **warn)
{
	struct xl_diag d = {0};
	int rc;

	*cfg = NULL;
	rc = xl_domxml_to_xlcfg("d.xml", xml, strlen(xml), cfg, &d);
	*err = xl_buf_steal(&d.err);
	*warn = xl_buf_steal(&d.warn);
	xl_diag_dispose(&d);
	return rc;
}

START_TEST(to_xml_maps)
{
	char *warn, *xml;

	xml =
	    to_xml("name = 'g'\nkernel = '/k'\nramdisk = '/i'\n"
		   "memory = 256\nmaxmem = 512\nvcpus = 2\nmaxvcpus = 3\n"
		   "extra = 'a <b> & c'\n"
		   "disk = [ '/d.img,qcow2,xvda,r' ]\n"
		   "vif = [ 'mac=00:16:3e:00:00:01,bridge=br0,model=e1000' ]\n"
		   "on_crash = 'coredump-restart'\n",
		   &warn);
	ck_assert_str_eq(warn, "");
	ck_assert_ptr_nonnull(strstr(xml, "<domain type=\"kvm\">"));
	ck_assert_ptr_nonnull(
	    strstr(xml, "<memory unit=\"KiB\">524288</memory>"));
	ck_assert_ptr_nonnull(
	    strstr(xml, "<currentMemory unit=\"KiB\">262144</currentMemory>"));
	ck_assert_ptr_nonnull(
	    strstr(xml, "<vcpu placement=\"static\" current=\"2\">3</vcpu>"));
	ck_assert_ptr_nonnull(strstr(xml, "<kernel>/k</kernel>"));
	ck_assert_ptr_nonnull(strstr(xml, "<initrd>/i</initrd>"));
	/* text is escaped */
	ck_assert_ptr_nonnull(
	    strstr(xml, "<cmdline>a &lt;b&gt; &amp; c</cmdline>"));
	ck_assert_ptr_nonnull(strstr(xml, "<source file=\"/d.img\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "type=\"qcow2\""));
	ck_assert_ptr_nonnull(strstr(xml, "<readonly/>"));
	ck_assert_ptr_nonnull(strstr(xml, "<source bridge=\"br0\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "<model type=\"e1000\"/>"));
	ck_assert_ptr_nonnull(
	    strstr(xml, "<on_crash>coredump-restart</on_crash>"));
	free(warn);
	free(xml);
}
END_TEST

START_TEST(to_xml_reports_what_does_not_map)
{
	char *warn, *xml;

	xml = to_xml("name = 'g'\nkernel = '/k'\n"
		     "on_poweroff = 'coredump-destroy'\n"
		     "on_watchdog = 'restart'\ncpus = 'nodes:0'\n"
		     "vif = [ 'rate=1Mb/s,vlan=5' ]\n",
		     &warn);
	ck_assert_ptr_nonnull(strstr(warn,
				     "g.cfg: warning: on_poweroff = "
				     "\"coredump-destroy\" has no libvirt"));
	ck_assert_ptr_nonnull(strstr(warn, "on_watchdog = \"restart\" is not"));
	ck_assert_ptr_nonnull(strstr(warn, "cpus = \"nodes:0\""));
	ck_assert_ptr_nonnull(strstr(warn, "vif 0: rate=1Mb/s"));
	ck_assert_ptr_nonnull(strstr(warn, "vif 0: vlan=5"));
	ck_assert_ptr_null(strstr(xml, "on_poweroff"));
	/* a generated MAC is left for libvirt to make up */
	ck_assert_ptr_null(strstr(xml, "<mac "));
	free(warn);
	free(xml);
}
END_TEST

START_TEST(from_xml_maps)
{
	static const char xml[] =
	    "<domain type='kvm'>\n"
	    "  <name>g&amp;h</name>\n"
	    "  <memory unit='MiB'>300</memory>\n"
	    "  <vcpu current='1'>2</vcpu>\n"
	    "  <os><type>hvm</type><kernel>/k</kernel>"
	    "<cmdline>x=\"1\"</cmdline></os>\n"
	    "  <on_reboot>destroy</on_reboot>\n"
	    "  <devices><disk type='file'><source file='/a b'/>"
	    "<target dev='xvda'/><readonly/></disk></devices>\n"
	    "</domain>\n";
	struct xl_domcfg dc;
	char *cfg, *err, *warn;

	ck_assert_int_eq(from_xml(xml, &cfg, &err, &warn), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(warn, "");
	ck_assert_ptr_nonnull(strstr(cfg, "name = \"g&h\"\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "cmdline = \"x=\\\"1\\\"\"\n"));
	resolve(cfg, &dc);
	ck_assert_str_eq(dc.name, "g&h");
	ck_assert_uint_eq(dc.memory, 300);
	ck_assert_uint_eq(dc.maxmem, 300);
	ck_assert_uint_eq(dc.vcpus, 1);
	ck_assert_uint_eq(dc.maxvcpus, 2);
	ck_assert_str_eq(dc.cmdline, "x=\"1\"");
	ck_assert_int_eq(dc.on_reboot, XL_ACTION_DESTROY);
	ck_assert_uint_eq(dc.ndisks, 1);
	ck_assert_str_eq(dc.disks[0].target, "/a b");
	ck_assert_str_eq(dc.disks[0].vdev, "xvda");
	ck_assert_int_eq(dc.disks[0].readwrite, 0);
	xl_domcfg_dispose(&dc);
	free(cfg);
	free(err);
	free(warn);
}
END_TEST

START_TEST(from_xml_warns_by_name)
{
	static const char xml[] = "<domain type='kvm'>\n"
				  "  <name>g</name><memory>1024</memory>\n"
				  "  <os><kernel>/k</kernel></os>\n"
				  "  <blkiotune/>\n"
				  "  <devices><sound model='ich9'/></devices>\n"
				  "</domain>\n";
	char *cfg, *err, *warn;

	ck_assert_int_eq(from_xml(xml, &cfg, &err, &warn), 0);
	ck_assert_str_eq(warn,
			 "d.xml:4: warning: <blkiotune> is not converted\n"
			 "d.xml:5: warning: <sound> in <devices> is not "
			 "converted\n");
	free(cfg);
	free(err);
	free(warn);
}
END_TEST

/* Refused input, with the message naming the file, line and element. */
static const struct {
	const char *xml;
	const char *err;
} bad[] = {
    {"", "d.xml:1: malformed XML: "},
    {"<domain>\n<name>a</name>\n<memory>1</memory", "d.xml:3: malformed XML"},
    {"<domain><name>a</nam></domain>", "d.xml:1: malformed XML: "},
    {"\n<vm/>", "d.xml:2: the root element is <vm>, not libvirt's <domain>"},
    {"<!DOCTYPE d [<!ENTITY e 'x'>]>\n<domain/>",
     "d.xml:1: <!DOCTYPE> is not accepted"},
    {"<domain><name>a</name></domain>", "d.xml:1: <domain> has no <memory>"},
    {"<domain><memory>1</memory></domain>", "d.xml:1: <domain> has no <name>"},
    {"<domain><name>a</name>\n<memory>18446744073709551616</memory>"
     "</domain>",
     "d.xml:2: <memory>: \"18446744073709551616\" is not a memory size "
     "(too large)"},
    {"<domain><name>a</name>\n<memory unit='TiB'>9999999</memory></domain>",
     "d.xml:2: <memory> 9999999 TiB is out of range"},
    {"<domain><name>a</name>\n<memory unit='EiB'>16</memory></domain>",
     "d.xml:2: <memory>: \"16\" is not a memory size (too large)"},
    {"<domain><name>a</name>\n<memory unit='TiB'>4097</memory></domain>",
     "d.xml:2: <memory> 4097 TiB is out of range"},
    {"<domain><name>a</name><memory>-5</memory></domain>",
     "d.xml:1: <memory>: \"-5\" is not a memory size"},
    {"<domain><name>a</name><memory>1024</memory>\n<vcpu>4097</vcpu>"
     "</domain>",
     "d.xml:2: <vcpu>: \"4097\" is not a number from 1 to 4096"},
    {"<domain><name>a</name><memory>1024</memory>\n"
     "<vcpu cpuset='3-1'>2</vcpu></domain>",
     "d.xml:2: <vcpu cpuset>: invalid CPU set \"3-1\""},
    {"<domain><name>a</name><memory>1024</memory>\n"
     "<on_poweroff>coredump-destroy</on_poweroff></domain>",
     "d.xml:2: <on_poweroff>coredump-destroy</on_poweroff>: unknown"},
    {"<domain><name>a</name><memory>1024</memory><devices>\n"
     "<disk type='file'><target dev='xvda'/></disk></devices></domain>",
     "d.xml:2: <disk> xvda has no <source file=...>"},
    {"<domain><name>a</name><memory>1024</memory><devices>\n"
     "<interface type='bridge'><source bridge='a=b'/></interface>"
     "</devices></domain>",
     "d.xml:2: <source bridge> \"a=b\" is empty or has a comma"},
    {"<domain><name>a</name><memory>1024</memory><devices>\n"
     "<serial type='file'/></devices></domain>",
     "d.xml:2: <serial type='file'> needs <source path=...>"},
    {"<domain><name>a\x01</name><memory>1024</memory></domain>",
     "d.xml:1: malformed XML"},
    {"<domain><name>a&#1;</name><memory>1024</memory></domain>",
     "d.xml:1: malformed XML"},
};

START_TEST(from_xml_refuses)
{
	char *cfg, *err, *warn;
	int rc;

	rc = from_xml(bad[_i].xml, &cfg, &err, &warn);
	ck_assert_msg(rc == -EINVAL, "case %d: rc %d, cfg %s", _i, rc,
		      cfg ? cfg : "-");
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, bad[_i].err), "case %d: want \"%s\" in: %s",
		      _i, bad[_i].err, err);
	free(err);
	free(warn);
}
END_TEST

START_TEST(from_xml_too_large)
{
	struct xl_diag d = {0};
	char *cfg = NULL;

	ck_assert_int_eq(xl_domxml_to_xlcfg("d.xml", "<domain/>",
					    XL_DOMXML_MAX + 1ul, &cfg, &d),
			 -EFBIG);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(xl_buf_str(&d.err), "d.xml: "));
	xl_diag_dispose(&d);
}
END_TEST

/* Random damage to a good document: an error or a config, never a
 * crash (CK_FORK turns one into a failure of this test only). */
START_TEST(from_xml_mutations)
{
	static const char good[] =
	    "<domain type='kvm'><name>g</name><uuid>"
	    "6a0b7c1d-2e3f-4051-8293-a4b5c6d7e8f9</uuid>"
	    "<memory unit='KiB'>1048576</memory><vcpu current='1'>2</vcpu>"
	    "<cputune><shares>5</shares><vcpupin vcpu='1' cpuset='1'/>"
	    "<quota>50000</quota></cputune><os><type>hvm</type>"
	    "<kernel>/k</kernel></os><devices><disk type='file'>"
	    "<source file='/a'/><target dev='xvda'/></disk>"
	    "<interface type='bridge'><mac address='00:16:3e:00:00:01'/>"
	    "<source bridge='br0'/><mtu size='1500'/></interface>"
	    "<serial type='unix'><source path='/s'/></serial></devices>"
	    "</domain>";
	static const char junk[] = "<>/='\"&;#x0 a9-:!?";
	unsigned int seed = 12345, i, j, ok = 0;
	char buf[sizeof(good)];

	for (i = 0; i < 3000; i++) {
		char *cfg = NULL, *err, *warn;

		memcpy(buf, good, sizeof(good));
		for (j = 0; j < 1 + i % 4; j++)
			buf[rand_r(&seed) % (sizeof(good) - 1)] =
			    junk[rand_r(&seed) % (sizeof(junk) - 1)];
		if (!from_xml(buf, &cfg, &err, &warn))
			ok++;
		else
			ck_assert_msg(*err, "an error without a message");
		free(cfg);
		free(err);
		free(warn);
	}
	ck_assert_uint_gt(ok, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xl_domxml");
	TCase *tc;

	tc = tcase_create("to_libvirt");
	tcase_add_test(tc, to_xml_maps);
	tcase_add_test(tc, to_xml_reports_what_does_not_map);
	suite_add_tcase(s, tc);
	tc = tcase_create("from_libvirt");
	tcase_add_test(tc, from_xml_maps);
	tcase_add_test(tc, from_xml_warns_by_name);
	tcase_add_loop_test(tc, from_xml_refuses, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, from_xml_too_large);
	suite_add_tcase(s, tc);
	tc = tcase_create("hostile");
	tcase_add_test(tc, from_xml_mutations);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
