// SPDX-License-Identifier: LGPL-2.1
/*
 * libFuzzer target: libdomctl's client side of the monitor protocol,
 * with the fuzz input as a hostile monitor's answers.
 *
 * A fake monitor thread listens on the control sockets of domains 1, 2
 * and 3 in a temporary run directory.  For each connection the library
 * makes, it reads the request and sends back the next chunk of the input
 * verbatim (replies, events, progress, garbage), then closes.  Meanwhile
 * the real library call runs: dc_domain_info, _pause, _unpause,
 * _shutdown, _set_memory, _set_vcpus, _save, _list, _watch and
 * _watch_start with dc_watch_read until it fails, _send_start with
 * dc_op_step/dc_op_send_progress/dc_op_send_result, _destroy_start (the
 * op freed unstepped: its pid would be ours), _create_start and _restore
 * (they stop after the HELLO of domid_free: $XLD_XLHV does not exist),
 * _console (the input's first chunk as the console link's target) and
 * _crash_note (the same chunk as the note the monitor left).
 * That reaches dc_wire.c's decoders and what dc_call.c, dc_watch.c,
 * dc_op.c, dc_send.c and dc_domain.c do with them.
 *
 * The input: byte 0 picks the call, byte 1 is its argument (flags, a
 * buffer length), then chunks, each a little-endian u16 length and that
 * many bytes, one per connection in order.  Sequence numbers restart at
 * 1 for each input, so a seed can answer correctly.
 *
 * A failure is a crash or sanitizer report, a hang, or an inconsistency
 * abort()ed on here: a result that is neither 0 nor a -errno in
 * -4095..-1, an info with a state or shutdown reason out of range or the
 * wrong domid, a list longer than there are sockets or not sorted, a
 * console path or crash note not NUL-terminated within its buffer (or
 * written past it), a console path that is not the link's target, a send
 * result given for a send that failed (or none for one that succeeded).
 *
 * Not covered: the monitor's ready pipe of a start (start_step, verdict),
 * which needs a monitor process spawned; the destroy op's wait.
 * libdomctl/fuzz/make-seeds.py writes the seeds.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dc_internal.h"

#define NDOMS 3
#define CHUNKS_MAX 64

static char dir[64], emptydir[64];
static dc_ctx *ctx, *empty_ctx;
static int lfd[NDOMS], wake[2];

/* The current input's chunks, for the monitor thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static const uint8_t *chunk[CHUNKS_MAX];
static size_t chunk_len[CHUNKS_MAX], nchunks, next_chunk;
static int drain_req, drained;

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_dc_client: inconsistency: %s\n", what);
		abort();
	}
}

static void check_rc(int rc, const char *call)
{
	if (rc > 0 || rc < -4095) {
		fprintf(stderr, "fuzz_dc_client: %s returned %d\n", call, rc);
		abort();
	}
}

/* Read the request, then answer with the next chunk and close. */
static void serve(int fd)
{
	struct timeval tv = {.tv_sec = 1};
	uint8_t buf[DC_WIRE_BUF_SIZE];
	struct dc_wire_hdr hdr;
	const uint8_t *p = NULL;
	size_t len = 0, got = 0;
	ssize_t r;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < sizeof(hdr)) {
		r = read(fd, buf + got, sizeof(hdr) - got);
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.len > DC_WIRE_MAX_PAYLOAD)
		goto out;
	for (got = 0; got < hdr.len; got += (size_t)r) {
		r = read(fd, buf, hdr.len - got);
		if (r <= 0)
			goto out;
	}
	pthread_mutex_lock(&lock);
	if (next_chunk < nchunks) {
		p = chunk[next_chunk];
		len = chunk_len[next_chunk];
		next_chunk++;
	}
	pthread_mutex_unlock(&lock);
	while (len) {
		r = send(fd, p, len, MSG_NOSIGNAL);
		if (r <= 0)
			break;
		p += r;
		len -= (size_t)r;
	}
out:
	close(fd);
}

static void *monitor(void *arg)
{
	struct pollfd pf[NDOMS + 1];
	char c;

	(void)arg;
	for (;;) {
		for (int i = 0; i < NDOMS; i++)
			pf[i] = (struct pollfd){.fd = lfd[i], .events = POLLIN};
		pf[NDOMS] = (struct pollfd){.fd = wake[0], .events = POLLIN};
		if (poll(pf, NDOMS + 1, -1) < 0)
			continue;
		for (int i = 0; i < NDOMS; i++) {
			int fd;

			if (!(pf[i].revents & POLLIN))
				continue;
			fd = accept4(lfd[i], NULL, NULL, SOCK_CLOEXEC);
			/* blocking, with a time limit: serve() */
			if (fd >= 0)
				fcntl(fd, F_SETFL, 0);
			if (fd >= 0)
				serve(fd);
		}
		if (pf[NDOMS].revents & POLLIN && read(wake[0], &c, 1) == 1) {
			/* the call is over: drop what it left connected */
			for (int i = 0; i < NDOMS; i++) {
				int fd;

				while ((fd = accept4(lfd[i], NULL, NULL,
						     SOCK_NONBLOCK)) >= 0)
					close(fd);
			}
			pthread_mutex_lock(&lock);
			drained = drain_req;
			pthread_cond_signal(&idle_cond);
			pthread_mutex_unlock(&lock);
		}
	}
	return NULL;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* At exit: the run directories go, with everything in them. */
static void cleanup(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	nftw(emptydir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	char path[128];
	pthread_t t;

	signal(SIGPIPE, SIG_IGN);
	/* create and restore stop before spawning anything */
	setenv("XLD_XLHV", "/nonexistent/xlhv", 1);
	snprintf(dir, sizeof(dir), "/tmp/fuzz-dc-XXXXXX");
	snprintf(emptydir, sizeof(emptydir), "/tmp/fuzz-dc-empty-XXXXXX");
	if (!mkdtemp(dir) || !mkdtemp(emptydir))
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/dom", dir);
	mkdir(path, 0700);
	ctx = dc_ctx_new(dir, NULL, NULL);
	empty_ctx = dc_ctx_new(emptydir, NULL, NULL);
	if (!ctx || !empty_ctx || pipe2(wake, O_CLOEXEC) < 0)
		abort();
	for (int i = 0; i < NDOMS; i++) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom/%d.sock",
			 dir, i + 1);
		unlink(sa.sun_path);
		lfd[i] = socket(AF_UNIX,
				SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (lfd[i] < 0 ||
		    bind(lfd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(lfd[i], 16) < 0)
			abort();
	}
	if (pthread_create(&t, NULL, monitor, NULL))
		abort();
	pthread_detach(t);
}

/* Wait until the monitor thread has nothing of this input left. */
static void drain(void)
{
	pthread_mutex_lock(&lock);
	drain_req++;
	if (write(wake[1], "x", 1) != 1)
		abort();
	while (drained != drain_req)
		pthread_cond_wait(&idle_cond, &lock);
	nchunks = next_chunk = 0;
	pthread_mutex_unlock(&lock);
}

static void check_info(const struct dc_dominfo *info)
{
	check(info->state >= DC_STATE_RUNNING && info->state <= DC_STATE_DYING,
	      "info state out of range");
	check(info->shutdown_reason <= DC_SHUTDOWN_CRASH,
	      "info shutdown reason out of range");
}

static void do_info(void)
{
	struct dc_dominfo info;
	int rc = dc_domain_info(ctx, 1, &info);

	check_rc(rc, "dc_domain_info");
	if (!rc) {
		check_info(&info);
		check(info.domid == 1, "info of the wrong domid");
	}
}

static void do_list(uint8_t arg)
{
	struct dc_dominfo *infos = NULL;
	size_t n = 0;
	int rc = dc_domain_list(arg & 1 ? empty_ctx : ctx, &infos, &n);

	check_rc(rc, "dc_domain_list");
	if (rc)
		return;
	check(n <= (arg & 1 ? 0 : NDOMS), "list longer than the sockets");
	check(!n || infos, "list of n entries without an array");
	for (size_t i = 0; i < n; i++) {
		check_info(&infos[i]);
		check(infos[i].domid >= 1 && infos[i].domid <= NDOMS,
		      "list entry of a domid with no socket");
		check(!i || infos[i - 1].domid < infos[i].domid,
		      "list not sorted by domid");
	}
	free(infos);
}

static void do_watch(int start)
{
	struct dc_dominfo info;
	int fd, rc;

	fd = start ? dc_domain_watch_start(ctx, 1) : dc_domain_watch(ctx, 1);
	check_rc(fd < 0 ? fd : 0, "dc_domain_watch");
	if (fd < 0)
		return;
	for (int i = 0; i < 64; i++) {
		rc = dc_watch_read(fd, &info);
		check_rc(rc, "dc_watch_read");
		if (rc == 0)
			check_info(&info);
		else if (rc != -EAGAIN)
			break;
	}
	close(fd);
}

static void do_send(uint8_t arg)
{
	struct dc_send_opts opts = {.flags = arg & 0x7};
	struct dc_send_progress prog;
	struct dc_send_result res;
	struct dc_op *op;
	struct pollfd pf;
	int fd, rc, r;

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	rc = dc_domain_send_start(ctx, 1, fd, &opts, &op);
	close(fd);
	check_rc(rc, "dc_domain_send_start");
	if (rc)
		return;
	pf = (struct pollfd){.fd = dc_op_fd(op), .events = POLLIN};
	while ((rc = dc_op_step(op, NULL)) == -EAGAIN) {
		r = dc_op_send_progress(op, &prog);
		check(r == 0 || r == -EAGAIN, "progress neither 0 nor EAGAIN");
		check(dc_op_send_result(op, &res) == -EINVAL,
		      "a send result before the end");
		/* the monitor thread closes after its answer: never long */
		if (poll(&pf, 1, 5000) == 0)
			check(0,
			      "send op: no end 5 s after the monitor closed");
	}
	check_rc(rc, "dc_op_step (send)");
	check(dc_op_step(op, NULL) == rc, "a second step changed the end");
	r = dc_op_send_result(op, &res);
	check(rc ? r == -EINVAL : r == 0, "send result and status disagree");
	dc_op_free(op);
}

static void do_console(const uint8_t *target, size_t tlen, uint8_t arg)
{
	char link[128], want[256], tty[256];
	size_t len = (size_t)arg + 1;
	int rc;

	snprintf(link, sizeof(link), "%s/dom/1.tty", dir);
	unlink(link);
	tlen =
	    target ? strnlen((const char *)target, tlen < 255 ? tlen : 255) : 0;
	if (tlen)
		memcpy(want, target, tlen);
	want[tlen] = '\0';
	if (tlen && symlink(want, link) < 0)
		abort();
	memset(tty, 'X', sizeof(tty));
	rc = dc_domain_console(ctx, 1, tty, len);
	check_rc(rc, "dc_domain_console");
	if (!rc) {
		check(strnlen(tty, len) < len, "console path not terminated");
		check(strcmp(tty, want) == 0, "console path is not the link's");
	}
	for (size_t i = len; i < sizeof(tty); i++)
		check(tty[i] == 'X', "console wrote past its buffer");
	unlink(link);
}

/* The monitor's crash note: chunk 0 as the file it left. */
static void do_crash_note(const uint8_t *note, size_t nlen, uint8_t arg)
{
	char path[128], buf[256];
	size_t len = (size_t)arg + 1;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/dom/1.crash", dir);
	f = fopen(path, "we");
	if (!f || (nlen && fwrite(note, 1, nlen, f) != nlen) || fclose(f))
		abort();
	memset(buf, 'X', sizeof(buf));
	rc = dc_domain_crash_note(ctx, 1, buf, len);
	check_rc(rc, "dc_domain_crash_note");
	if (!rc)
		check(strnlen(buf, len) < len, "crash note not terminated");
	for (size_t i = len; i < sizeof(buf); i++)
		check(buf[i] == 'X', "crash note wrote past its buffer");
	unlink(path);
}

static void run(uint8_t call, uint8_t arg, const uint8_t *c0, size_t c0len)
{
	struct dc_save_result sres;
	struct dc_restore rst = {.domid = 1, .path = "/tmp/fuzz-dc.save"};
	struct dc_build b = {.domid = 1,
			     .kernel = "/nonexistent/kernel",
			     .memory_mib = 16,
			     .vcpus = 1};
	struct dc_op *op;
	int rc;

	switch (call % 16) {
	case 0:
		do_info();
		break;
	case 1:
		check_rc(dc_domain_pause(ctx, 1), "dc_domain_pause");
		break;
	case 2:
		check_rc(dc_domain_unpause(ctx, 1), "dc_domain_unpause");
		break;
	case 3:
		check_rc(dc_domain_shutdown(ctx, 1,
					    arg & 1 ? DC_SHUTDOWN_REBOOT
						    : DC_SHUTDOWN_POWEROFF),
			 "dc_domain_shutdown");
		break;
	case 4:
		check_rc(dc_domain_set_memory(ctx, 1, (uint64_t)arg << 10),
			 "dc_domain_set_memory");
		break;
	case 5:
		check_rc(dc_domain_set_vcpus(ctx, 1, arg | 1u),
			 "dc_domain_set_vcpus");
		break;
	case 6:
		check_rc(
		    dc_domain_save(ctx, 1, "/tmp/fuzz-dc.save", arg & 1, &sres),
		    "dc_domain_save");
		break;
	case 7:
		do_list(arg);
		break;
	case 8:
	case 9:
		do_watch(call % 16 == 9);
		break;
	case 10:
		do_send(arg);
		break;
	case 11:
		rc = dc_domain_destroy_start(ctx, 1, &op);
		check_rc(rc, "dc_domain_destroy_start");
		/* never stepped: the monitor's pid is ours */
		if (!rc)
			dc_op_free(op);
		break;
	case 12:
		rc = dc_domain_create_start(ctx, &b, &op);
		check_rc(rc, "dc_domain_create_start");
		check(rc != 0, "create started a monitor that does not exist");
		break;
	case 13:
		rc = dc_domain_restore(ctx, &rst, NULL);
		check_rc(rc, "dc_domain_restore");
		check(rc != 0, "restore started a monitor that does not exist");
		break;
	case 14:
		do_console(c0, c0len, arg);
		break;
	case 15:
		do_crash_note(c0, c0len, arg);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t call, arg;
	size_t off = 2;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 2)
		return 0;
	call = data[0];
	arg = data[1];
	pthread_mutex_lock(&lock);
	nchunks = next_chunk = 0;
	while (off + 2 <= size && nchunks < CHUNKS_MAX) {
		size_t len = (size_t)data[off] | (size_t)data[off + 1] << 8;

		off += 2;
		if (len > size - off)
			len = size - off;
		chunk[nchunks] = data + off;
		chunk_len[nchunks++] = len;
		off += len;
	}
	pthread_mutex_unlock(&lock);
	ctx->seq = 0;
	empty_ctx->seq = 0;
	run(call, arg, nchunks ? chunk[0] : NULL, nchunks ? chunk_len[0] : 0);
	drain();
	return 0;
}
