/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "progname.h"

/* The inode of the NETLINK_NETFILTER socket bound to @portid in the
 * netlink table @path (columns: sk Eth Pid Groups Rmem Wmem Dump Locks
 * Drops Inode), or 0. */
static unsigned long socket_inode(const char *path, uint32_t portid)
{
	unsigned long inode = 0;
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (!inode && fgets(line, sizeof(line), f)) {
		unsigned long proto, pid, ino;
		char *s = line, *end;
		int field = 0;

		/* Fields 1 (protocol), 2 (port id) and 9 (inode). */
		proto = pid = ino = 0;
		while (*s && field < 10) {
			s += strspn(s, " \t");
			if (field == 1 || field == 2 || field == 9) {
				unsigned long v = strtoul(s, &end, 10);

				if (end == s)
					break;
				if (field == 1)
					proto = v;
				else if (field == 2)
					pid = v;
				else
					ino = v;
			}
			s += strcspn(s, " \t\n");
			field++;
		}
		if (field == 10 && proto == NETLINK_NETFILTER && pid == portid)
			inode = ino;
	}
	fclose(f);
	return inode;
}

/* Whether process @pid has socket @inode open. */
static int holds_socket(unsigned long pid, unsigned long inode)
{
	char dir_path[64], link_path[64 + 256 + 2], target[64], want[64];
	struct dirent *ent;
	DIR *dir;
	int found = 0;

	snprintf(dir_path, sizeof(dir_path), "/proc/%lu/fd", pid);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	dir = opendir(dir_path);
	if (!dir)
		return 0;
	while (!found && (ent = readdir(dir)) != NULL) {
		ssize_t n;

		if (ent->d_name[0] == '.')
			continue;
		snprintf(link_path, sizeof(link_path), "%s/%s", dir_path,
			 ent->d_name);
		n = readlink(link_path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, want) == 0;
	}
	closedir(dir);
	return found;
}

/* The command name of @pid, between the parentheses of its stat line
 * (the last ')' ends it: the name may hold one). */
static int command_name(unsigned long pid, char *out, size_t size)
{
	char path[64], line[512], *open, *close;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lu/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	open = strchr(line, '(');
	close = strrchr(line, ')');
	if (!open || !close || close < open)
		return -1;
	snprintf(out, size, "%.*s", (int)(close - open - 1), open + 1);
	return 0;
}

/* The process holding socket @inode: most likely the one whose pid is
 * the port id, else any. */
static long socket_holder(uint32_t portid, unsigned long inode)
{
	struct dirent *ent;
	long holder = -1;
	DIR *proc;

	if (holds_socket(portid, inode))
		return (long)portid;
	proc = opendir("/proc");
	if (!proc)
		return -1;
	while (holder < 0 && (ent = readdir(proc)) != NULL) {
		char *end;
		unsigned long pid = strtoul(ent->d_name, &end, 10);

		if (*end || pid <= 1 || pid == portid)
			continue;
		if (holds_socket(pid, inode))
			holder = (long)pid;
	}
	closedir(proc);
	return holder;
}

static int64_t coarse_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *progname_of(uint32_t portid, struct progname_cache *cache)
{
	int64_t now = coarse_ms();
	char path[64];
	unsigned long inode;
	long pid;

	/* A burst of events from one program: /proc is read once. */
	if (cache->portid == portid && cache->inode &&
	    now - cache->checked_ms < 1000)
		return cache->name[0] ? cache->name : NULL;
	cache->checked_ms = now;
	inode = socket_inode("/proc/net/netlink", portid);
	if (!inode) {
		/* The socket may live in another namespace (--netns). */
		snprintf(path, sizeof(path), "/proc/%u/net/netlink", portid);
		inode = socket_inode(path, portid);
	}
	if (!inode)
		return NULL;
	if (cache->portid == portid && cache->inode == inode)
		return cache->name[0] ? cache->name : NULL;
	cache->portid = portid;
	cache->inode = inode;
	cache->name[0] = '\0';
	pid = socket_holder(portid, inode);
	if (pid < 0 ||
	    command_name((unsigned long)pid, cache->name, sizeof(cache->name)))
		cache->name[0] = '\0';
	return cache->name[0] ? cache->name : NULL;
}
