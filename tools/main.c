/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctnl: the conntrack table from the command line, over libctnl's
 * Conntrack interface. Parses, opens the handle (in another network
 * namespace if asked), runs, and turns the outcome into an exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ctnl/ctnl.h>

#include "cli.h"
#include "labelmap.h"
#include "run.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Ctrl-C ends `events` with its summary, like conntrack -E. No
 * SA_RESTART: the wait returns at once. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int usage_error(const struct cli *c, const char *msg)
{
	const char *cmd = cli_cmd_name(c->cmd);

	fprintf(stderr, "ctnl: %s\n", msg);
	/* conntrack's syntax: the one line alone. */
	if (c->syntax == SYNTAX_CONNTRACK)
		return CLI_EXIT_USAGE;
	fprintf(stderr, "Try 'ctnl %s%s--help'.\n", cmd ? cmd : "",
		cmd ? " " : "");
	return CLI_EXIT_USAGE;
}

static int open_handle(const struct cli *c, struct ctnl_ct **ct)
{
	struct ctnl_sock_config config = { .size = sizeof(config) };
	int ret;

	/* A name from `ip netns`, which the library finds; anything with a
	 * slash is a path. */
	if (c->netns && strchr(c->netns, '/'))
		config.netns_path = c->netns;
	else if (c->netns)
		config.netns_name = c->netns;
	if (c->cmd == CMD_EVENTS) {
		/* Room for bursts: a full queue loses events. */
		config.flags = CTNL_SOCK_NONBLOCK;
		config.rcvbuf = 8 << 20;
	}
	ret = ctnl_ct_open(NULL, &config, ct);
	if (ret == 0)
		return CLI_EXIT_OK;
	if (c->netns && (ret == -ENOENT || ret == -EINVAL || ret == -ENOTDIR)) {
		fprintf(stderr, "ctnl: --netns: no network namespace %s: %s\n",
			c->netns, strerror(-ret));
		return CLI_EXIT_USAGE;
	}
	fprintf(stderr, "ctnl: cannot open the conntrack netlink socket%s%s: "
		"%s%s\n", c->netns ? " in " : "", c->netns ? c->netns : "",
		strerror(-ret),
		ret == -EPERM || ret == -EACCES
			? " (root or CAP_NET_ADMIN is needed)" : "");
	return CLI_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct labelmap labels;
	struct run_env env = { .out = stdout, .err = stderr,
			       .labels = &labels, .stop = &stop_flag };
	struct ctnl_ct *ct = NULL;
	struct cli c;
	char err[512];
	int ret;

	ret = cli_parse(argc, argv, &c, err, sizeof(err));
	if (ret)
		return usage_error(&c, err);
	/* conntrack's words, so that a script that looks for them finds
	 * them. */
	if (c.given & G_NAT_RANGE)
		fprintf(stderr, "WARNING: ignoring -a, deprecated option.\n");
	if (c.ignored)
		fprintf(stderr, "ctnl: ignoring '%s': not an option, nor the "
			"table of a command (conntrack ignores it too)\n",
			c.ignored);
	if (c.help) {
		cli_help(stdout, &c);
		return CLI_EXIT_OK;
	}
	if (c.version) {
		printf("ctnl %s (libctnl %s)\n", ctnl_version(), ctnl_version());
		return CLI_EXIT_OK;
	}
	/* The library reads it when a handle is opened, and prints every
	 * netlink message sent and received to stderr. */
	if (c.trace)
		setenv("CTNL_TRACE", "1", 1);

	ret = labelmap_load(&labels, LABELMAP_PATH);
	env.have_labelmap = ret == 0;
	if (ret < 0 && ret != -ENOENT)
		fprintf(stderr, "ctnl: %s: %s; labels have no names\n",
			LABELMAP_PATH, strerror(-ret));

	ret = open_handle(&c, &ct);
	if (ret == CLI_EXIT_OK) {
		env.ct = ct;
		env.progress = isatty(STDERR_FILENO) == 1;
		catch_signals();
		ret = run(&c, &env);
		ctnl_ct_close(ct);
	}
	labelmap_free(&labels);
	if (fflush(stdout) != 0 && ret == CLI_EXIT_OK) {
		fprintf(stderr, "ctnl: writing the output: %s\n",
			strerror(errno));
		ret = CLI_EXIT_FAIL;
	}
	return ret;
}
