/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <strings.h>

#include <ctnl/ctnl.h>

#include "cli.h"
#include "names.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "udplite", IPPROTO_UDPLITE }, { "sctp", IPPROTO_SCTP },
	{ "dccp", IPPROTO_DCCP }, { "gre", IPPROTO_GRE },
	{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
};

static const char *const tcp_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

static const char *const sctp_states[] = {
	"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT",
	"HEARTBEAT_SENT", "HEARTBEAT_ACKED",
};

const struct cli_status_name cli_status_names[] = {
	{ "EXPECTED", CTNL_STATUS_EXPECTED },
	{ "SEEN_REPLY", CTNL_STATUS_SEEN_REPLY },
	{ "ASSURED", CTNL_STATUS_ASSURED },
	{ "CONFIRMED", CTNL_STATUS_CONFIRMED },
	{ "SRC_NAT", CTNL_STATUS_SRC_NAT },
	{ "DST_NAT", CTNL_STATUS_DST_NAT },
	{ "SEQ_ADJUST", CTNL_STATUS_SEQ_ADJUST },
	{ "SRC_NAT_DONE", CTNL_STATUS_SRC_NAT_DONE },
	{ "DST_NAT_DONE", CTNL_STATUS_DST_NAT_DONE },
	{ "DYING", CTNL_STATUS_DYING },
	{ "FIXED_TIMEOUT", CTNL_STATUS_FIXED_TIMEOUT },
	{ "TEMPLATE", CTNL_STATUS_TEMPLATE },
	{ "UNTRACKED", CTNL_STATUS_UNTRACKED },
	{ "HELPER", CTNL_STATUS_HELPER },
	{ "OFFLOAD", CTNL_STATUS_OFFLOAD },
	{ "HW_OFFLOAD", CTNL_STATUS_HW_OFFLOAD },
	{ NULL, 0 },
};

const char *cli_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < COUNT(protos); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

int names_proto(const char *name)
{
	for (size_t i = 0; i < COUNT(protos); i++)
		if (strcasecmp(name, protos[i].name) == 0)
			return protos[i].num;
	if (strcasecmp(name, "ipv6-icmp") == 0)
		return IPPROTO_ICMPV6;
	return -1;
}

const char *cli_tcp_state_name(uint8_t state)
{
	return state < COUNT(tcp_states) ? tcp_states[state] : NULL;
}

const char *cli_sctp_state_name(uint8_t state)
{
	return state < COUNT(sctp_states) ? sctp_states[state] : NULL;
}

static const char *const dccp_states[] = {
	"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ",
	"CLOSING", "TIMEWAIT",
};

int names_state(uint8_t proto, const char *name)
{
	const char *const *names = proto == IPPROTO_TCP ? tcp_states
				   : proto == IPPROTO_SCTP ? sctp_states
				   : proto == IPPROTO_DCCP ? dccp_states
							   : NULL;
	size_t n = proto == IPPROTO_TCP ? COUNT(tcp_states)
		   : proto == IPPROTO_SCTP ? COUNT(sctp_states)
		   : proto == IPPROTO_DCCP ? COUNT(dccp_states)
					   : 0;

	/* What kernels before 2.6.31 called SYN_SENT2. */
	if (proto == IPPROTO_TCP && strcasecmp(name, "LISTEN") == 0)
		return CTNL_TCP_SYN_SENT2;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

uint32_t names_status(const char *name)
{
	for (size_t i = 0; cli_status_names[i].name; i++)
		if (strcasecmp(name, cli_status_names[i].name) == 0)
			return cli_status_names[i].bit;
	return 0;
}

const char *cli_event_name(unsigned int event)
{
	switch (event) {
	case CTNL_EVENT_NEW:
	case CTNL_EVENT_EXP_NEW:
		return "new";
	case CTNL_EVENT_UPDATE:
		return "update";
	case CTNL_EVENT_DESTROY:
	case CTNL_EVENT_EXP_DESTROY:
		return "destroy";
	default:
		return NULL;
	}
}
