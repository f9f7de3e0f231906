// SPDX-License-Identifier: GPL-2.0
/* The control protocol codec: round trips, and every malformed message. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libdomctl/dc_wire.h"
#include "tests/hvt_check.h"

static uint8_t buf[DC_WIRE_BUF_SIZE];

START_TEST(test_request_round_trip)
{
	struct dc_wire_shutdown sd = { .reason = 7 };
	struct dc_wire_msg msg;
	int n;

	n = dc_wire_encode(buf, sizeof(buf), DC_WIRE_SHUTDOWN, 42, &sd,
			   sizeof(sd));
	ck_assert_int_eq(n, (int)(sizeof(struct dc_wire_hdr) + sizeof(sd)));
	ck_assert_int_eq(dc_wire_parse(buf, n, &msg), n);
	ck_assert_uint_eq(msg.hdr.type, DC_WIRE_SHUTDOWN);
	ck_assert_uint_eq(msg.hdr.seq, 42);
	ck_assert_uint_eq(msg.len, sizeof(sd));
	ck_assert_mem_eq(msg.payload, &sd, sizeof(sd));
}
END_TEST

START_TEST(test_reply_round_trip)
{
	struct dc_wire_info info = { .state = 2, .vcpus = 4,
				     .memory_kib = 1 << 20 };
	const uint8_t *body;
	struct dc_wire_msg msg;
	uint32_t body_len;
	int32_t status = 1;
	int n;

	n = dc_wire_encode_reply(buf, sizeof(buf), DC_WIRE_INFO, 9, 0, &info,
				 sizeof(info));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(dc_wire_parse(buf, n, &msg), n);
	ck_assert_uint_eq(msg.hdr.type, DC_WIRE_INFO | DC_WIRE_REPLY);
	ck_assert_int_eq(dc_wire_reply_status(&msg, &status, &body, &body_len), 0);
	ck_assert_int_eq(status, 0);
	ck_assert_uint_eq(body_len, sizeof(info));
	ck_assert_mem_eq(body, &info, sizeof(info));

	/* A failure is the status alone. */
	n = dc_wire_encode_reply(buf, sizeof(buf), DC_WIRE_INFO, 9, -ESRCH,
				 NULL, 0);
	ck_assert_int_eq(dc_wire_parse(buf, n, &msg), n);
	ck_assert_int_eq(dc_wire_reply_status(&msg, &status, &body, &body_len), 0);
	ck_assert_int_eq(status, -ESRCH);
	ck_assert_uint_eq(body_len, 0);
}
END_TEST

START_TEST(test_truncated)
{
	struct dc_wire_shutdown sd = { 1 };
	struct dc_wire_msg msg;
	int n = dc_wire_encode(buf, sizeof(buf), DC_WIRE_SHUTDOWN, 1, &sd,
			       sizeof(sd));

	/* Every proper prefix is "need more", never a message. */
	for (int cut = 0; cut < n; cut++)
		ck_assert_int_eq(dc_wire_parse(buf, cut, &msg), 0);
}
END_TEST

/* Header fields that must each be refused, with the errno expected. */
static const struct {
	const char *what;
	uint32_t magic;
	uint16_t version, type;
	uint32_t len;
	int want;
} bad[] = {
	{ "bad magic", 0x12345678, DC_WIRE_VERSION, DC_WIRE_INFO, 0, -EBADMSG },
	{ "future version", DC_WIRE_MAGIC, 2, DC_WIRE_INFO, 0, -EPROTONOSUPPORT },
	{ "type 0", DC_WIRE_MAGIC, DC_WIRE_VERSION, 0, 0, -EBADMSG },
	{ "unknown type", DC_WIRE_MAGIC, DC_WIRE_VERSION, DC_WIRE_TYPE_MAX, 0, -EBADMSG },
	{ "oversized", DC_WIRE_MAGIC, DC_WIRE_VERSION, DC_WIRE_INFO,
	  DC_WIRE_MAX_PAYLOAD + 1, -EMSGSIZE },
	{ "huge length", DC_WIRE_MAGIC, DC_WIRE_VERSION, DC_WIRE_INFO,
	  0xffffffff, -EMSGSIZE },
	{ "payload on INFO", DC_WIRE_MAGIC, DC_WIRE_VERSION, DC_WIRE_INFO, 4, -EBADMSG },
	{ "short SHUTDOWN", DC_WIRE_MAGIC, DC_WIRE_VERSION, DC_WIRE_SHUTDOWN, 2, -EBADMSG },
	{ "reply without status", DC_WIRE_MAGIC, DC_WIRE_VERSION,
	  DC_WIRE_PAUSE | DC_WIRE_REPLY, 0, -EBADMSG },
	{ "short INFO reply", DC_WIRE_MAGIC, DC_WIRE_VERSION,
	  DC_WIRE_INFO | DC_WIRE_REPLY, 8, -EBADMSG },
};

START_TEST(test_bad_header)
{
	struct dc_wire_hdr hdr = {
		.magic = bad[_i].magic, .version = bad[_i].version,
		.type = bad[_i].type, .seq = 1, .len = bad[_i].len,
	};
	struct dc_wire_msg msg;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &hdr, sizeof(hdr));
	/* Refused from the header alone, whatever follows. */
	ck_assert_msg(dc_wire_parse(buf, sizeof(hdr), &msg) == bad[_i].want,
		      "%s", bad[_i].what);
	ck_assert_msg(dc_wire_parse(buf, sizeof(buf), &msg) == bad[_i].want,
		      "%s", bad[_i].what);
}
END_TEST

START_TEST(test_bad_reply_status)
{
	struct dc_wire_msg msg;
	const uint8_t *body;
	uint32_t body_len;
	int32_t status;
	int n;

	/* A positive status is not an errno. */
	n = dc_wire_encode_reply(buf, sizeof(buf), DC_WIRE_PAUSE, 1, 5, NULL, 0);
	ck_assert_int_eq(dc_wire_parse(buf, n, &msg), n);
	ck_assert_int_eq(dc_wire_reply_status(&msg, &status, &body, &body_len),
			 -EBADMSG);
	/* An error that carries a body. */
	struct dc_wire_info info = { 0 };
	n = dc_wire_encode_reply(buf, sizeof(buf), DC_WIRE_INFO, 1, -EIO, &info,
				 sizeof(info));
	ck_assert_int_eq(dc_wire_parse(buf, n, &msg), n);
	ck_assert_int_eq(dc_wire_reply_status(&msg, &status, &body, &body_len),
			 -EBADMSG);
	/* A request is not a reply. */
	n = dc_wire_encode(buf, sizeof(buf), DC_WIRE_PAUSE, 1, NULL, 0);
	ck_assert_int_eq(dc_wire_parse(buf, n, &msg), n);
	ck_assert_int_eq(dc_wire_reply_status(&msg, &status, &body, &body_len),
			 -EBADMSG);
}
END_TEST

START_TEST(test_encode_limits)
{
	static uint8_t big[DC_WIRE_MAX_PAYLOAD + 1];

	ck_assert_int_eq(dc_wire_encode(buf, sizeof(buf), DC_WIRE_INFO, 0, big,
					sizeof(big)), -EMSGSIZE);
	ck_assert_int_eq(dc_wire_encode(buf, 8, DC_WIRE_INFO, 0, NULL, 0),
			 -EMSGSIZE);
	ck_assert_int_eq(dc_wire_encode_reply(buf, sizeof(buf), DC_WIRE_INFO, 0,
					      0, big, DC_WIRE_MAX_PAYLOAD),
			 -EMSGSIZE);
}
END_TEST

START_TEST(test_socket)
{
	struct dc_wire_shutdown sd = { 3 };
	struct dc_wire_msg msg;
	uint8_t out[64];
	int sv[2], n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	n = dc_wire_encode(out, sizeof(out), DC_WIRE_SHUTDOWN, 5, &sd,
			   sizeof(sd));
	/* A message split across writes arrives whole. */
	ck_assert_int_eq(dc_wire_send(sv[0], out, 7), 0);
	ck_assert_int_eq(dc_wire_send(sv[0], out + 7, n - 7), 0);
	ck_assert_int_eq(dc_wire_recv(sv[1], buf, sizeof(buf), &msg), 0);
	ck_assert_uint_eq(msg.hdr.seq, 5);
	ck_assert_mem_eq(msg.payload, &sd, sizeof(sd));

	/* A peer that hangs up mid-message: ECONNRESET, not a hang. */
	ck_assert_int_eq(dc_wire_send(sv[0], out, n - 1), 0);
	close(sv[0]);
	ck_assert_int_eq(dc_wire_recv(sv[1], buf, sizeof(buf), &msg),
			 -ECONNRESET);
	/* Sending to a closed peer is an error, not SIGPIPE. */
	ck_assert_int_eq(dc_wire_send(sv[1], out, n), -EPIPE);
	close(sv[1]);
}
END_TEST

START_TEST(test_socket_oversized)
{
	struct dc_wire_hdr hdr = { DC_WIRE_MAGIC, DC_WIRE_VERSION, DC_WIRE_INFO,
				   1, 1u << 30 };
	struct dc_wire_msg msg;
	int sv[2];

	/* The length is refused before any payload is read. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(dc_wire_send(sv[0], &hdr, sizeof(hdr)), 0);
	ck_assert_int_eq(dc_wire_recv(sv[1], buf, sizeof(buf), &msg), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dc_wire");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_request_round_trip);
	tcase_add_test(tc, test_reply_round_trip);
	tcase_add_test(tc, test_truncated);
	tcase_add_loop_test(tc, test_bad_header, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_bad_reply_status);
	tcase_add_test(tc, test_encode_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("socket");
	tcase_add_test(tc, test_socket);
	tcase_add_test(tc, test_socket_oversized);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
