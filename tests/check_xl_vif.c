// SPDX-License-Identifier: GPL-2.0
/*
 * Network interface specification strings (xl-network-configuration(5)):
 * spec in, resolved JSON out; rates; generated MACs.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_vif.h"
#include "tests/hvt_check.h"

static const struct {
	const char *spec;
	const char *want; /* compact JSON, or "E:" and the message */
	const char *warn; /* expected warnings, or NULL */
} cases[] = {
    {"", "{\"devid\":-1,\"mac_generated\":false}", NULL},
    {"mac=00:16:3E:74:3d:76,model=rtl8139,bridge=xenbr0",
     "{\"devid\":-1,\"mac_generated\":false,\"mac\":\"00:16:3e:74:3d:76\","
     "\"bridge\":\"xenbr0\",\"model\":\"rtl8139\"}",
     NULL},
    {"mac=00:16:3E:74:34:32",
     "{\"devid\":-1,\"mac_generated\":false,\"mac\":\"00:16:3e:74:34:32\"}",
     NULL},
    {"mac=00:16:3e:5f:48:e4,bridge=xenbr1",
     "{\"devid\":-1,\"mac_generated\":false,\"mac\":\"00:16:3e:5f:48:e4\","
     "\"bridge\":\"xenbr1\"}",
     NULL},
    {" bridge=br0 , ip=192.0.2.10 ,script=vif-route, gatewaydev=eth0",
     "{\"devid\":-1,\"mac_generated\":false,\"bridge\":\"br0\",\"gatewaydev\":"
     "\"eth0\",\"script\":\"vif-route\",\"ip\":\"192.0.2.10\"}",
     NULL},
    {"type=vif,vifname=web0,backend=netdom,model=e1000",
     "{\"devid\":-1,\"mac_generated\":false,\"type\":\"vif\",\"model\":"
     "\"e1000\",\"vifname\":\"web0\",\"backend\":\"netdom\"}",
     NULL},
    {"type=ioemu", "{\"devid\":-1,\"mac_generated\":false,\"type\":\"ioemu\"}",
     NULL},
    {"rate=10Mb/s",
     "{\"devid\":-1,\"mac_generated\":false,\"rate\":\"10Mb/"
     "s\",\"rate_bytes_per_interval\":62500,\"rate_interval_usecs\":50000}",
     NULL},
    {"rate=250KB/s",
     "{\"devid\":-1,\"mac_generated\":false,\"rate\":\"250KB/"
     "s\",\"rate_bytes_per_interval\":12500,\"rate_interval_usecs\":50000}",
     NULL},
    {"rate=1MB/s@20ms",
     "{\"devid\":-1,\"mac_generated\":false,\"rate\":\"1MB/"
     "s@20ms\",\"rate_bytes_per_interval\":20000,\"rate_interval_usecs\":"
     "20000}",
     NULL},
    {"rate=8b/s@1s",
     "{\"devid\":-1,\"mac_generated\":false,\"rate\":\"8b/"
     "s@1s\",\"rate_bytes_per_interval\":1,\"rate_interval_usecs\":1000000}",
     NULL},
    {"devid=3,mtu=9000", "{\"devid\":3,\"mac_generated\":false,\"mtu\":9000}",
     NULL},
    {"vlan=10", "{\"devid\":-1,\"mac_generated\":false,\"vlan\":\"10\"}", NULL},
    {"vlan=10p/20",
     "{\"devid\":-1,\"mac_generated\":false,\"vlan\":\"10p/20\"}", NULL},
    {"vlan=10p/100+10x4",
     "{\"devid\":-1,\"mac_generated\":false,\"vlan\":\"10p/100+10x4\"}", NULL},
    {"vlan=10p/20-30u",
     "{\"devid\":-1,\"mac_generated\":false,\"vlan\":\"10p/20-30u\"}", NULL},
    {"trusted", "{\"devid\":-1,\"mac_generated\":false,\"trusted\":true}",
     NULL},
    {"untrusted,bridge=b",
     "{\"devid\":-1,\"mac_generated\":false,\"bridge\":\"b\",\"trusted\":"
     "false}",
     NULL},
    {",,bridge=b,,", "{\"devid\":-1,\"mac_generated\":false,\"bridge\":\"b\"}",
     NULL},
    {"netdev=eth1",
     "{\"devid\":-1,\"mac_generated\":false,\"gatewaydev\":\"eth1\"}",
     "the netdev parameter is deprecated, please use gatewaydev instead\n"},
    {"accel=x", "{\"devid\":-1,\"mac_generated\":false}",
     "the accel parameter for vifs is not supported: ignored\n"},
    {"colo_compare_out=x", "{\"devid\":-1,\"mac_generated\":false}",
     "vif parameter `colo_compare_out' (COLO) is not supported: ignored\n"},
    /* errors */
    {"colour=red",
     "E:config parsing error in vif specification: unrecognized argument "
     "`colour=red' in `colour=red'",
     NULL},
    {"bridge",
     "E:config parsing error in vif specification: unrecognized argument "
     "`bridge' in `bridge'",
     NULL},
    {"mac=00:16:3e:74:3d",
     "E:config parsing error in vif specification: invalid mac address "
     "`00:16:3e:74:3d' in `mac=00:16:3e:74:3d'",
     NULL},
    {"mac=00:16:3e:74:3d:7g",
     "E:config parsing error in vif specification: invalid mac address "
     "`00:16:3e:74:3d:7g' in `mac=00:16:3e:74:3d:7g'",
     NULL},
    {"mac=01:00:5e:00:00:01",
     "E:config parsing error in vif specification: mac address "
     "`01:00:5e:00:00:01' is multicast in `mac=01:00:5e:00:00:01'",
     NULL},
    {"type=tap",
     "E:config parsing error in vif specification: invalid type `tap' (vif or "
     "ioemu) in `type=tap'",
     NULL},
    {"rate=10Mb",
     "E:config parsing error in vif specification: invalid rate `10Mb' in "
     "`rate=10Mb'",
     NULL},
    {"rate=0MB/s",
     "E:config parsing error in vif specification: rate overflow `0MB/s' in "
     "`rate=0MB/s'",
     NULL},
    {"rate=1MB/s@20h",
     "E:config parsing error in vif specification: invalid replenishment "
     "interval `1MB/s@20h' in `rate=1MB/s@20h'",
     NULL},
    {"rate=@1s",
     "E:config parsing error in vif specification: no rate specified `@1s' in "
     "`rate=@1s'",
     NULL},
    {"mtu=20",
     "E:config parsing error in vif specification: invalid mtu `20' (68 to "
     "65535) in `mtu=20'",
     NULL},
    {"devid=x",
     "E:config parsing error in vif specification: invalid devid `x' in "
     "`devid=x'",
     NULL},
    {"vlan=10/20",
     "E:config parsing error in vif specification: invalid vlan `10/20' in "
     "`vlan=10/20'",
     NULL},
    {"vlan=4095",
     "E:config parsing error in vif specification: invalid vlan `4095' in "
     "`vlan=4095'",
     NULL},
    {"vlan=10p/4090+10x4",
     "E:config parsing error in vif specification: invalid vlan "
     "`10p/4090+10x4' in `vlan=10p/4090+10x4'",
     NULL},
    {"vifname=a/b",
     "E:config parsing error in vif specification: invalid vifname `a/b' in "
     "`vifname=a/b'",
     NULL},
    {"vifname=averyveryverylongname",
     "E:config parsing error in vif specification: invalid vifname "
     "`averyveryverylongname' in `vifname=averyveryverylongname'",
     NULL},
};

START_TEST(test_spec)
{
	struct xl_buf warn = {0};
	struct xl_vif v;
	char *err = NULL;
	json_object *j;
	int rc;

	rc = xl_vif_parse(cases[_i].spec, &v, &err, &warn);
	if (!strncmp(cases[_i].want, "E:", 2)) {
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_ptr_nonnull(err);
		ck_assert_str_eq(err, cases[_i].want + 2);
		free(err);
		xl_buf_dispose(&warn);
		return;
	}
	ck_assert_msg(rc == 0, "%s: %s", cases[_i].spec, err ? err : "");
	j = xl_vif_to_json(&v);
	ck_assert_str_eq(
	    json_object_to_json_string_ext(
		j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    cases[_i].want);
	ck_assert_str_eq(xl_buf_str(&warn),
			 cases[_i].warn ? cases[_i].warn : "");
	json_object_put(j);
	xl_vif_dispose(&v);
	xl_buf_dispose(&warn);
}
END_TEST

/* A "random" source that repeats itself, to force collisions. */
static uint32_t seq_rnd(void *arg)
{
	unsigned int *n = arg;
	static const uint32_t vals[] = {0x00aabbcc, 0x00aabbcc, 0x00aabbcc,
					0xff123456, 0x00aabbcc, 0x7f000001};

	return vals[(*n)++ % 6];
}

START_TEST(test_macs_unique)
{
	struct xl_vif v[3];
	struct xl_buf w = {0};
	unsigned int n = 0;
	char *err = NULL, mac[18];
	int i;

	ck_assert_int_eq(xl_vif_parse("", &v[0], &err, &w), 0);
	/* an explicit MAC equal to what the generator will offer first */
	ck_assert_int_eq(xl_vif_parse("mac=00:16:3e:2a:bb:cc", &v[1], &err, &w),
			 0);
	ck_assert_int_eq(xl_vif_parse("bridge=b", &v[2], &err, &w), 0);
	ck_assert_int_eq(xl_vif_assign_macs(v, 3, seq_rnd, &n), 0);

	xl_vif_mac_format(v[1].mac, mac);
	ck_assert_str_eq(mac, "00:16:3e:2a:bb:cc");
	ck_assert(!v[1].mac_generated);
	/* 0x00aabbcc would give 00:16:3e:2a:bb:cc: taken, so the next */
	xl_vif_mac_format(v[0].mac, mac);
	ck_assert_str_eq(mac, "00:16:3e:12:34:56");
	ck_assert(v[0].mac_generated);
	xl_vif_mac_format(v[2].mac, mac);
	ck_assert_str_eq(mac, "00:16:3e:00:00:01");
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(v[i].mac[0], 0x00);
		ck_assert_int_eq(v[i].mac[1], 0x16);
		ck_assert_int_eq(v[i].mac[2], 0x3e);
		ck_assert_int_eq(v[i].mac[3] & 0x80, 0);
		for (int k = 0; k < i; k++)
			ck_assert(memcmp(v[i].mac, v[k].mac, 6));
		xl_vif_dispose(&v[i]);
	}
	xl_buf_dispose(&w);
}
END_TEST

static uint32_t const_rnd(void *arg)
{
	return 7;
}

START_TEST(test_macs_exhausted)
{
	struct xl_vif v[2];
	struct xl_buf w = {0};
	char *err = NULL;

	ck_assert_int_eq(xl_vif_parse("", &v[0], &err, &w), 0);
	ck_assert_int_eq(xl_vif_parse("", &v[1], &err, &w), 0);
	/* a generator that never changes cannot give two distinct MACs */
	ck_assert_int_eq(xl_vif_assign_macs(v, 2, const_rnd, NULL), -EAGAIN);
	xl_vif_dispose(&v[0]);
	xl_vif_dispose(&v[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xl_vif");
	TCase *tc = tcase_create("spec");

	tcase_add_loop_test(tc, test_spec, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("mac");
	tcase_add_test(tc, test_macs_unique);
	tcase_add_test(tc, test_macs_exhausted);
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
