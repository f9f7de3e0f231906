// SPDX-License-Identifier: GPL-2.0
/*
 * xld's domain registry without guests: names, actions, configs refused
 * with a message, and records of guests that died while xld was away
 * (the policy applied on load, damaged records ignored).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "xld/dom/dom.h"
#include "xld/store/xs.h"
#include "tests/hvt_check.h"

/* ---- names and actions ---- */

static const struct {
	const char *name;
	int ok;
} names[] = {
    {"web", 1},
    {"web-01.example", 1},
    {"a_b+c:d@e", 1},
    {"0x1", 1},
    {"", 0},
    {"12", 0},
    {"a/b", 0},
    {"a b", 0},
    {"a\"b", 0},
    {"tab\there", 0},
    {"\xc3\xa9t\xc3\xa9", 0},
    {"Domain-0", 0},
};

START_TEST(test_name)
{
	ck_assert_int_eq(xld_dom_name_check(names[_i].name),
			 names[_i].ok ? 0 : -EINVAL);
}
END_TEST

START_TEST(test_name_length)
{
	char buf[XLD_DOM_NAME_MAX + 2];

	memset(buf, 'a', sizeof(buf) - 1);
	buf[XLD_DOM_NAME_MAX] = '\0';
	ck_assert_int_eq(xld_dom_name_check(buf), 0);
	buf[XLD_DOM_NAME_MAX] = 'a';
	buf[XLD_DOM_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(xld_dom_name_check(buf), -EINVAL);
}
END_TEST

START_TEST(test_actions)
{
	static const char *const all[] = {
	    "destroy",	"restart",	    "rename-restart",
	    "preserve", "coredump-destroy", "coredump-restart"};
	enum xld_action a;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		ck_assert_int_eq(xld_action_parse(all[i], &a), 0);
		ck_assert_str_eq(xld_action_name(a), all[i]);
	}
	ck_assert_int_eq(xld_action_parse("Destroy", &a), -EINVAL);
	ck_assert_int_eq(xld_action_parse("", &a), -EINVAL);
	ck_assert_ptr_null(xld_reason_name(DC_SHUTDOWN_NONE));
	ck_assert_str_eq(xld_reason_name(DC_SHUTDOWN_CRASH), "crash");
	ck_assert_str_eq(xld_state_name(DC_STATE_PAUSED), "paused");
}
END_TEST

START_TEST(test_dom0)
{
	uint64_t kib = 0, ns = 0;
	uint32_t cpus = 0;

	xld_dom0_info(&kib, &cpus, &ns);
	ck_assert_uint_gt(kib, 0);
	ck_assert_uint_gt(cpus, 0);
	ck_assert(xld_dom_is_dom0("0"));
	ck_assert(xld_dom_is_dom0("Domain-0"));
	ck_assert(!xld_dom_is_dom0("00"));
}
END_TEST

/* ---- a registry on temporary directories ---- */

static char dir[1024], run[PATH_MAX], state[PATH_MAX], logd[PATH_MAX];
static char recdir[PATH_MAX + 16];
static struct xld_loop *loop;
static struct xs_server *srv;
static struct xs_store *st;

static void setup(void)
{
	char xsdom[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/check_xld_dom.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(run, sizeof(run), "%s/run", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(logd, sizeof(logd), "%s/log", dir);
	snprintf(recdir, sizeof(recdir), "%s/domains", state);
	snprintf(xsdom, sizeof(xsdom), "%s/xs-dom", run);
	ck_assert_int_eq(mkdir(run, 0700), 0);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	ck_assert_int_eq(mkdir(logd, 0700), 0);
	ck_assert_int_eq(mkdir(recdir, 0700), 0);
	ck_assert_int_eq(mkdir(xsdom, 0700), 0);
	/* no monitor can start: creates fail where they must */
	setenv("XLD_XLHV", "/nonexistent/xlhv", 1);
	loop = xld_loop_new();
	ck_assert_ptr_nonnull(loop);
	srv = xs_server_new(loop, NULL, xsdom);
	ck_assert_ptr_nonnull(srv);
	st = xs_store_new(xs_server_event, srv);
	ck_assert_ptr_nonnull(st);
	xs_server_set_store(srv, st);
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	xs_server_free(srv);
	xs_store_free(st);
	xld_loop_free(loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", recdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static int file_exists(const char *name)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", recdir, name);
	return access(path, F_OK) == 0;
}

static int count(struct xld_doms *doms)
{
	return (int)xld_doms_count(doms);
}

static const struct {
	const char *config;
	const char *why; /* in the message */
} bad[] = {
    {"[]", "JSON object"},
    {"{\"kernel\":\"/k\"}", "no name"},
    {"{\"name\":\"a/b\",\"kernel\":\"/k\"}", "invalid domain name"},
    {"{\"name\":\"ok\"}", "no kernel"},
    {"{\"name\":\"ok\",\"kernel\":\"\"}", "no kernel"},
    {"{\"name\":\"ok\",\"kernel\":\"/k\",\"memory\":0}", "memory"},
    {"{\"name\":\"ok\",\"kernel\":\"/k\",\"memory\":\"64\"}", "memory"},
    {"{\"name\":\"ok\",\"kernel\":\"/k\",\"vcpus\":100000}", "vcpus"},
    {"{\"name\":\"ok\",\"kernel\":\"/k\",\"uuid\":\"xyz\"}", "uuid"},
    {"{\"name\":\"ok\",\"kernel\":\"/k\",\"on_crash\":\"boom\"}", "on_crash"},
    {"{\"name\":\"ok\",\"kernel\":\"/k\",\"on_reboot\":7}", "on_reboot"},
};

START_TEST(test_create_refused)
{
	struct xld_doms *doms = xld_doms_new(loop, st, srv, run, state, logd);
	json_object *cfg = json_tokener_parse(bad[_i].config);
	struct xld_dom *d = NULL;
	char err[256];

	ck_assert_ptr_nonnull(doms);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(xld_dom_create(doms, cfg, &d, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad[_i].why), "message '%s' lacks '%s'", err,
		      bad[_i].why);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(count(doms), 0);
	json_object_put(cfg);
	xld_doms_free(doms);
}
END_TEST

/* A monitor that cannot start: an error, no domain, no record. */
START_TEST(test_create_no_monitor)
{
	struct xld_doms *doms = xld_doms_new(loop, st, srv, run, state, logd);
	json_object *cfg =
	    json_tokener_parse("{\"name\":\"g\",\"kernel\":\"/k\"}");
	struct xld_dom *d = NULL;
	char err[256];

	ck_assert_ptr_nonnull(doms);
	ck_assert_int_ne(xld_dom_create(doms, cfg, &d, err, sizeof(err)), 0);
	ck_assert_msg(err[0], "no message");
	ck_assert_int_eq(count(doms), 0);
	ck_assert(!file_exists("1.json"));
	json_object_put(cfg);
	xld_doms_free(doms);
}
END_TEST

#define REC(id, name, extra)                                                   \
	"{\"domid\":" #id ",\"name\":\"" name "\",\"uuid\":"                   \
	"\"5f0c2a3e-8d4b-4c61-9e7a-00000000000" #id "\",\"start_time\":1,"     \
	"\"handled\":false,\"config\":{\"name\":\"" name "\","                 \
	"\"kernel\":\"/k\"" extra "}}"

/* Guests whose monitors died while xld was away get on_crash. */
START_TEST(test_load_dead)
{
	struct xld_doms *doms;
	struct xld_dom *d;
	struct xs_op op = {.priv = true};
	const char *val;
	uint8_t old[16];
	uint32_t len;

	write_file("3.json", REC(3, "gone", ",\"on_crash\":\"destroy\""));
	write_file("4.json", REC(4, "kept", ",\"on_crash\":\"preserve\""));
	write_file("5.json", "{\"domid\": 5, \"name\": trunc");
	write_file("6.json", REC(6, "a/b", ""));
	write_file("next-domid", "7\n");
	doms = xld_doms_new(loop, st, srv, run, state, logd);
	ck_assert_ptr_nonnull(doms);
	xld_doms_load(doms);
	/* destroyed: gone, record removed; damaged records ignored */
	ck_assert_ptr_null(xld_dom_by_id(doms, 3));
	ck_assert(!file_exists("3.json"));
	ck_assert_ptr_null(xld_dom_by_id(doms, 5));
	ck_assert_ptr_null(xld_dom_by_id(doms, 6));
	/* preserved: listed as crashed, renamed, with a new UUID */
	d = xld_dom_by_id(doms, 4);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(count(doms), 1);
	ck_assert_int_eq(d->state, DC_STATE_SHUTDOWN);
	ck_assert_int_eq(d->reason, DC_SHUTDOWN_CRASH);
	ck_assert(d->handled);
	ck_assert_msg(!strncmp(d->name, "kept-", 5), "name %s", d->name);
	ck_assert_int_eq(
	    uuid_parse("5f0c2a3e-8d4b-4c61-9e7a-000000000004", old), 0);
	ck_assert_int_ne(memcmp(d->uuid, old, 16), 0);
	ck_assert(file_exists("4.json"));
	/* its store home names it; Domain-0 is there */
	op.st = st;
	ck_assert_int_eq(xs_node_read(&op, "/local/domain/4/name", &val, &len),
			 0);
	ck_assert_int_eq(strncmp(val, d->name, len), 0);
	ck_assert_int_eq(xs_node_read(&op, "/local/domain/0/name", &val, &len),
			 0);
	ck_assert_int_eq(len, 8);
	ck_assert_int_eq(xs_node_read(&op, "/local/domain/3/name", &val, &len),
			 -ENOENT);
	/* find by name and id */
	ck_assert_ptr_eq(xld_dom_find(doms, "4"), d);
	ck_assert_ptr_eq(xld_dom_find(doms, d->name), d);
	errno = 0;
	ck_assert_ptr_null(xld_dom_find(doms, "kept"));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(xld_dom_find(doms, "3"));
	ck_assert_int_eq(errno, ESRCH);
	/* renaming follows into the store and the record */
	ck_assert_int_eq(xld_dom_rename(doms, d, "again"), 0);
	ck_assert_int_eq(xs_node_read(&op, "/local/domain/4/name", &val, &len),
			 0);
	ck_assert_int_eq(strncmp(val, "again", len), 0);
	ck_assert_int_eq(xld_dom_rename(doms, d, "bad name"), -EINVAL);
	xld_doms_free(doms);

	/* a second load: the preserved one again, not handled twice */
	doms = xld_doms_new(loop, st, srv, run, state, logd);
	ck_assert_ptr_nonnull(doms);
	xld_doms_load(doms);
	d = xld_dom_by_id(doms, 4);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->name, "again");
	ck_assert_int_eq(count(doms), 1);
	ck_assert_int_eq(xld_dom_destroy(doms, d), 0);
	ck_assert_int_eq(count(doms), 0);
	ck_assert(!file_exists("4.json"));
	ck_assert_int_eq(xs_node_read(&op, "/local/domain/4/name", &val, &len),
			 -ENOENT);
	xld_doms_free(doms);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xld_dom");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_loop_test(tc, test_name, 0, sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, test_name_length);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_dom0);
	suite_add_tcase(s, tc);
	tc = tcase_create("registry");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_create_refused, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_create_no_monitor);
	tcase_add_test(tc, test_load_dead);
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
