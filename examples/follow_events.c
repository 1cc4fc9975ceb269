/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Follows the conntrack table and prints one line per event, the way
 * `conntrack -E` does. After an overflow (events lost) it says how many,
 * and re-reads the table through a second handle: the recovery a program
 * that keeps a view of the table makes (here it only counts the entries).
 *
 *   follow_events [-n COUNT] [-t SECONDS] [-f ipv4|ipv6] [-m MARK]
 *                 [-b BYTES] [-r] [-x]
 *
 *   -n COUNT    stop after COUNT events
 *   -t SECONDS  stop when no event came for SECONDS
 *   -f FAMILY   only IPv4 or IPv6 entries (filtered by the kernel)
 *   -m MARK     only entries with this mark (filtered by the kernel)
 *   -b BYTES    receive queue size (default: the system's)
 *   -r          reliable mode: no destroy event is ever lost
 *   -x          expectation events too
 *
 * Ctrl-C stops it.
 */
#define _POSIX_C_SOURCE 200809L	/* sigaction, getopt */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ctnl/ctnl.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct follower {
	unsigned long limit;	/* events to print; 0: no limit */
	unsigned long printed;
	unsigned long synced;
	bool lost;		/* an overflow since the last re-read */
};

static int print_event(const struct ctnl_event *ev, void *data)
{
	struct follower *fl = data;
	char line[512];

	switch (ev->type) {
	case CTNL_EVENT_OVERFLOW:
		printf("[OVERFLOW] %llu events lost\n",
		       (unsigned long long)ev->overflow.lost);
		fl->lost = true;
		return CTNL_CB_STOP;	/* re-read the table first */
	case CTNL_EVENT_SYNC_BEGIN:
		fl->synced = 0;
		return CTNL_CB_OK;
	case CTNL_EVENT_SYNC:
	case CTNL_EVENT_EXP_SYNC:
		fl->synced++;
		return CTNL_CB_OK;
	case CTNL_EVENT_SYNC_END:
		printf("[SYNC] %lu entries in the table\n", fl->synced);
		return CTNL_CB_OK;
	case CTNL_EVENT_EXP_NEW:
	case CTNL_EVENT_EXP_DESTROY:
		ctnl_expect_format(&ev->expect, line, sizeof(line));
		break;
	default:
		ctnl_flow_format(&ev->flow, line, sizeof(line));
		break;
	}
	printf("[%s] %s\n", ctnl_event_type_name(ev->type), line);
	fl->printed++;
	return fl->limit && fl->printed >= fl->limit ? CTNL_CB_STOP
						     : CTNL_CB_OK;
}

static int usage(void)
{
	fprintf(stderr, "usage: follow_events [-n COUNT] [-t SECONDS] "
			"[-f ipv4|ipv6] [-m MARK] [-b BYTES] [-r] [-x]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct ctnl_filter filter = { 0 };
	struct ctnl_events_config cfg = { .size = sizeof(cfg),
					  .events = CTNL_EVENT_CT_ALL,
					  .filter = &filter };
	struct sigaction sa = { .sa_handler = on_signal };
	struct follower fl = { 0 };
	struct ctnl_ct *ev = NULL, *req = NULL;
	int opt, ret, idle_ms = 500;
	long idle_s = 0;

	while ((opt = getopt(argc, argv, "n:t:f:m:b:rx")) != -1) {
		switch (opt) {
		case 'n':
			fl.limit = strtoul(optarg, NULL, 10);
			break;
		case 't':
			idle_s = strtol(optarg, NULL, 10);
			break;
		case 'f':
			if (strcmp(optarg, "ipv4") && strcmp(optarg, "ipv6"))
				return usage();
			filter.family = optarg[3] == '4' ? AF_INET : AF_INET6;
			break;
		case 'm':
			filter.match |= CTNL_MATCH_MARK;
			filter.mark = (uint32_t)strtoul(optarg, NULL, 0);
			filter.mark_mask = UINT32_MAX;
			break;
		case 'b':
			cfg.rcvbuf = atoi(optarg);
			break;
		case 'r':
			cfg.flags |= CTNL_EVENTS_RELIABLE;
			break;
		case 'x':
			cfg.events |= CTNL_EVENT_EXP_ALL;
			break;
		default:
			return usage();
		}
	}
	if (idle_s > 0)
		idle_ms = (int)(idle_s * 1000);

	/* No SA_RESTART: a signal ends the wait with -EINTR at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* One handle listens; a handle that listens makes no requests, so a
	 * second one re-reads the table when events were lost. */
	ret = ctnl_ct_open(NULL, NULL, &ev);
	if (ret == 0)
		ret = ctnl_ct_open(NULL, NULL, &req);
	if (ret == 0)
		ret = ctnl_ct_subscribe_config(ev, &cfg);
	if (ret < 0) {
		fprintf(stderr, "follow_events: %s\n", strerror(-ret));
		goto out;
	}
	printf("# following conntrack events%s\n",
	       fl.limit ? "" : " (Ctrl-C to stop)");

	while (!stop) {
		ret = ctnl_ct_event_loop(ev, print_event, &fl, idle_ms);
		if (ret == -EINTR)
			continue;	/* the loop's condition decides */
		if (ret < 0) {
			fprintf(stderr, "follow_events: %s\n", strerror(-ret));
			break;
		}
		if (fl.lost) {
			fl.lost = false;
			ret = ctnl_ct_resync(ev, req, print_event, &fl);
			if (ret < 0) {
				fprintf(stderr, "follow_events: re-read: %s\n",
					strerror(-ret));
				break;
			}
			continue;
		}
		if (fl.limit && fl.printed >= fl.limit)
			break;
		/* Otherwise the loop returned because nothing came. */
		if (idle_s > 0)
			break;
	}
	/* The loss no read has reported yet, if any, before leaving. */
	ctnl_ct_unsubscribe(ev, print_event, &fl);
out:
	ctnl_ct_close(req);
	ctnl_ct_close(ev);
	return ret < 0 && ret != -EINTR ? 1 : 0;
}
