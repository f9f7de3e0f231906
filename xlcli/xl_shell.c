// SPDX-License-Identifier: GPL-2.0
/*
 * xl shell: an interactive xl.  Each line is split as a shell would
 * (blanks, '...', "...", backslash) and runs as `xl LINE' in a child
 * process, so a command behaves exactly as it does from the shell and its
 * exit status is kept: the prompt shows a non-zero one, and `exit' with
 * no argument returns the last.  Tab completes command names, a command's
 * options, domain names (from xld, when it runs) and file names.  History
 * is kept in $HOME/.xl_history.  EOF, `exit' and `quit' leave.  The
 * global options given before `shell' (-v -N -f -q) apply to every line.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_util.h"

#define SHELL_MAX_ARGS 256
#define SHELL_HISTORY 1000

/* What the completion generators work from (readline's API has no
 * context pointer, so this lives here for the life of the shell). */
static struct {
	char **words; /* candidates of the current completion */
	size_t n, next;
} comp;

static char self_exe[PATH_MAX];

/* ---- splitting a line ---- */

/*
 * Splits @line into *@argv (each malloc'd, NULL-terminated).  Returns the
 * count, or -EINVAL with *@why for an unterminated quote or too many
 * words, or -ENOMEM.
 */
static int split_line(const char *line, char ***argv, const char **why)
{
	struct xl_buf w = {0};
	char **v = NULL;
	int n = 0, inword = 0, rc;
	const char *p = line;
	char q = 0;

	v = calloc(SHELL_MAX_ARGS + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (;; p++) {
		char c = *p;

		if (q) {
			if (!c) {
				*why = "unterminated quote";
				rc = -EINVAL;
				goto fail;
			}
			if (c == q) {
				q = 0;
			} else if (c == '\\' && q == '"' && p[1] &&
				   strchr("\"\\$`", p[1])) {
				xl_buf_add(&w, ++p, 1);
			} else {
				xl_buf_add(&w, p, 1);
			}
			continue;
		}
		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (inword) {
				if (n == SHELL_MAX_ARGS) {
					*why = "too many words";
					rc = -EINVAL;
					goto fail;
				}
				if (w.oom) {
					rc = -ENOMEM;
					goto fail;
				}
				v[n] = xl_buf_steal(&w);
				if (!v[n]) {
					rc = -ENOMEM;
					goto fail;
				}
				n++;
				inword = 0;
			}
			if (!c)
				break;
			continue;
		}
		inword = 1;
		if (c == '\'' || c == '"') {
			q = c;
			xl_buf_add(&w, "", 0); /* "" is a word */
		} else if (c == '\\' && p[1]) {
			xl_buf_add(&w, ++p, 1);
		} else {
			xl_buf_add(&w, p, 1);
		}
	}
	xl_buf_dispose(&w);
	*argv = v;
	return n;
fail:
	xl_buf_dispose(&w);
	while (n--)
		free(v[n]);
	free(v);
	return rc;
}

static void free_argv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* ---- completion ---- */

static void comp_reset(void)
{
	size_t i;

	for (i = 0; i < comp.n; i++)
		free(comp.words[i]);
	free(comp.words);
	comp.words = NULL;
	comp.n = comp.next = 0;
}

static void comp_add(const char *w, size_t len)
{
	char **nw;

	nw = realloc(comp.words, (comp.n + 1) * sizeof(*nw));
	if (!nw)
		return;
	comp.words = nw;
	comp.words[comp.n] = strndup(w, len);
	if (comp.words[comp.n])
		comp.n++;
}

/* The readline generator over comp.words. */
static char *comp_gen(const char *text, int state)
{
	size_t len = strlen(text);

	if (!state)
		comp.next = 0;
	while (comp.next < comp.n) {
		const char *w = comp.words[comp.next++];

		if (!strncmp(w, text, len))
			return strdup(w);
	}
	return NULL;
}

static void add_commands(void)
{
	size_t i;

	for (i = 0; i < xl_cmdtable_len; i++)
		comp_add(xl_cmdtable[i].name, strlen(xl_cmdtable[i].name));
	comp_add("exit", 4);
	comp_add("quit", 4);
}

/* The option names in a command's help text ("-f FILE, --defconfig=FILE"
 * gives "-f" and "--defconfig="). */
static void add_options(const struct xl_cmd *c)
{
	const char *p = c->options;

	while (p && *p) {
		const char *eol = strchr(p, '\n');

		if (!eol)
			eol = p + strlen(p);
		p += strspn(p, " ");
		while (p < eol && *p == '-') {
			size_t n = strcspn(p, " ,=\n");

			if (p[n] == '=')
				n++;
			comp_add(p, n);
			p += strcspn(p, ",\n");
			if (p >= eol || *p != ',')
				break;
			p += 1 + strspn(p + 1, " ");
		}
		p = *eol ? eol + 1 : eol;
	}
}

/* Domain names from xld; nothing when it does not run. */
static void add_domains(void)
{
	struct xl_ctl_err err;
	json_object *res = NULL, *doms, *d, *v;
	size_t i, n;

	if (xl_ctl_call("list", NULL, &res, &err))
		return;
	if (json_object_object_get_ex(res, "domains", &doms) &&
	    json_object_is_type(doms, json_type_array)) {
		n = json_object_array_length(doms);
		for (i = 0; i < n; i++) {
			d = json_object_array_get_idx(doms, i);
			if (json_object_object_get_ex(d, "name", &v) &&
			    json_object_is_type(v, json_type_string))
				comp_add(json_object_get_string(v),
					 strlen(json_object_get_string(v)));
		}
	}
	json_object_put(res);
}

static char **shell_complete(const char *text, int start, int end)
{
	const struct xl_cmd *c;
	char **words = NULL, **m;
	const char *why;
	char *head;
	int n;

	(void)end;
	comp_reset();
	rl_attempted_completion_over = 1;
	head = strndup(rl_line_buffer, (size_t)start);
	if (!head)
		return NULL;
	n = split_line(head, &words, &why);
	free(head);
	if (n < 0)
		return NULL; /* inside a quote: leave it */
	if (n == 0) {
		add_commands();
	} else if (!strcmp(words[0], "help")) {
		add_commands();
	} else if ((c = xl_cmd_find(words[0])) && *text == '-') {
		add_options(c);
	} else if (c && strstr(c->usage, "Domain")) {
		add_domains();
	} else {
		free_argv(words);
		/* a config file, an XML file: readline's file names */
		rl_attempted_completion_over = 0;
		return rl_completion_matches(text,
					     rl_filename_completion_function);
	}
	free_argv(words);
	m = rl_completion_matches(text, comp_gen);
	return m;
}

/* ---- running a line ---- */

static int run_xl(char **argv, int argc)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, prev;
	char **v;
	pid_t pid;
	int st, i, g;

	v = calloc((size_t)argc + 2 + 4, sizeof(*v));
	if (!v) {
		fprintf(stderr, "xl shell: out of memory\n");
		return 1;
	}
	v[0] = (char *)"xl";
	/* the global options `xl shell' was given apply to every line */
	g = 1;
	if (xl_globals.verbose)
		v[g++] = (char *)(xl_globals.verbose > 1 ? "-vv" : "-v");
	if (xl_globals.dryrun)
		v[g++] = (char *)"-N";
	if (xl_globals.force)
		v[g++] = (char *)"-f";
	if (xl_globals.quiet)
		v[g++] = (char *)"-q";
	for (i = 0; i < argc; i++)
		v[g + i] = argv[i];
	fflush(stdout);
	/* ^C goes to the command, not to the shell's prompt handler */
	sigaction(SIGINT, &ign, &prev);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "xl shell: fork: %s\n", strerror(errno));
		sigaction(SIGINT, &prev, NULL);
		free(v);
		return 1;
	}
	if (!pid) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execv(self_exe, v);
		fprintf(stderr, "xl shell: running %s: %s\n", self_exe,
			strerror(errno));
		_exit(127);
	}
	free(v);
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "xl shell: waitpid: %s\n",
				strerror(errno));
			sigaction(SIGINT, &prev, NULL);
			return 1;
		}
	}
	sigaction(SIGINT, &prev, NULL);
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "xl shell: `%s' killed by signal %d\n", argv[0],
			WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

/*
 * Runs one line.  Returns 1 when the shell should end (exit, quit),
 * else 0; *@status is the line's exit status.
 */
static int run_line(const char *line, int *status)
{
	char **argv = NULL;
	const char *why = NULL;
	unsigned long v;
	int n, done = 0;

	n = split_line(line, &argv, &why);
	if (n == -ENOMEM) {
		fprintf(stderr, "xl shell: out of memory\n");
		*status = 1;
		return 0;
	}
	if (n < 0) {
		fprintf(stderr, "xl shell: %s\n", why);
		*status = 2;
		return 0;
	}
	if (!n)
		goto out;
	if (!strcmp(argv[0], "exit") || !strcmp(argv[0], "quit")) {
		done = 1;
		if (n > 1) {
			if (xl_parse_ulong(argv[1], 10, &v) || v > 255) {
				fprintf(stderr,
					"xl shell: exit: `%s' is not a status "
					"(0-255)\n",
					argv[1]);
				*status = 2;
				done = 0;
			} else {
				*status = (int)v;
			}
		}
		goto out;
	}
	if (!strcmp(argv[0], "shell")) {
		fprintf(stderr, "xl shell: already in the xl shell\n");
		*status = 2;
		goto out;
	}
	*status = run_xl(argv, n);
out:
	free_argv(argv);
	return done;
}

static void on_sigint(int sig)
{
	(void)sig;
	/* a fresh prompt, as bash does */
	if (write(STDOUT_FILENO, "\n", 1) < 0)
		return;
	rl_on_new_line();
	rl_replace_line("", 0);
	rl_redisplay();
}

static int shell_noninteractive(void)
{
	char *line = NULL;
	size_t cap = 0;
	int status = 0;

	while (getline(&line, &cap, stdin) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		if (run_line(line, &status))
			break;
	}
	free(line);
	return status;
}

int main_shell(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_sigint}, old_int;
	char prompt[32], *hist = NULL, *line;
	const char *home = getenv("HOME");
	int status;
	ssize_t r;

	status = xl_operands(argc, argv, "shell", 0, 0);
	if (status >= 0)
		return status;
	status = 0;
	r = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (r <= 0) {
		fprintf(stderr, "xl shell: cannot find the xl binary: %s\n",
			strerror(errno));
		return 1;
	}
	self_exe[r] = '\0';
	if (!isatty(STDIN_FILENO))
		return shell_noninteractive();

	rl_readline_name = "xl";
	rl_attempted_completion_function = shell_complete;
	rl_completer_quote_characters = "\"'";
	rl_catch_signals = 0;
	sigaction(SIGINT, &sa, &old_int);
	signal(SIGQUIT, SIG_IGN);
	stifle_history(SHELL_HISTORY);
	if (home && *home && asprintf(&hist, "%s/.xl_history", home) < 0)
		hist = NULL;
	if (hist)
		read_history(hist);

	for (;;) {
		if (status)
			snprintf(prompt, sizeof(prompt), "xl [%d]> ", status);
		else
			snprintf(prompt, sizeof(prompt), "xl> ");
		line = readline(prompt);
		if (!line) {
			putchar('\n');
			break;
		}
		if (line[strspn(line, " \t")])
			add_history(line);
		if (run_line(line, &status)) {
			free(line);
			break;
		}
		free(line);
	}
	if (hist && write_history(hist))
		fprintf(stderr, "xl shell: saving history to %s failed\n",
			hist);
	free(hist);
	comp_reset();
	sigaction(SIGINT, &old_int, NULL);
	return status;
}
