/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file
 * libctnl: following the table. Subscriptions and events.
 *
 * A handle subscribed with ctnl_ct_subscribe() receives the kernel's
 * announcements of new, changed and destroyed entries and expectations,
 * and libctnl's own reports of loss and resynchronisation. Read
 * <ctnl/conntrack.h> first (opening a handle), then the overview below.
 */
#ifndef CTNL_EVENTS_H
#define CTNL_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <ctnl/common.h>
#include <ctnl/flow.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ctnl_ct;		/* <ctnl/conntrack.h> */

/* ==================================================================== */
/**
 * @defgroup libctnl-events events.h: following the table
 * Subscriptions, events, loss reports and resynchronisation.
 *
 * The kernel announces every new, changed and destroyed entry (and
 * expectation) to the sockets that joined its multicast groups. A handle
 * subscribed to events is receive-only: it reads events and makes no
 * requests (they fail with -EBUSY). Keep a second handle for requests,
 * and for the re-dump that brings a view back in line after a loss.
 *
 * @code
 *   ctnl_ct_open(NULL, NULL, &ev);          ctnl_ct_open(NULL, NULL, &req);
 *   ctnl_ct_subscribe(ev, CTNL_EVENT_CT_ALL);
 *   ctnl_ct_resync(ev, req, on_event, &view);   // the initial view
 *   for (;;) {
 *       ctnl_ct_event_loop(ev, on_event, &view, 1000);
 *       if (view.lost)          // on_event saw OVERFLOW, returned STOP
 *           ctnl_ct_resync(ev, req, on_event, &view);
 *   }
 * @endcode
 *
 * Event loops: poll ctnl_ct_event_fd() for readability and call
 * ctnl_ct_event_read() when it is readable (with edge-triggered epoll,
 * until it returns 0). It never blocks.
 *
 * Each event is parsed into the flow model once, into memory that lives
 * for the callback only, with no allocation. A NEW event is an entry the
 * kernel created (it flags those NLM_F_CREATE|NLM_F_EXCL); an UPDATE
 * carries the entry's tuples, id, status and timeout plus what changed
 * (a mark is sent whenever it is not 0); a DESTROY carries the final
 * counters and the start and stop timestamps when accounting
 * (net.netfilter.nf_conntrack_acct) and timestamping
 * (net.netfilter.nf_conntrack_timestamp) are on in that namespace.
 * Events for one entry reach the callback in the order the kernel sent
 * them.
 *
 * Loss is never silent. When the kernel drops events because the receive
 * queue is full, the callback gets a CTNL_EVENT_OVERFLOW report (with the
 * number of messages lost when the kernel can count them, from its drop
 * counter) and reading goes on with the events that follow. The report
 * says where about the loss was noticed, not which entries it concerned:
 * a program that keeps a view must re-read the table, with
 * ctnl_ct_resync(). A bigger queue (config.rcvbuf; privileged processes
 * may pass net.core.rmem_max) makes overflows rarer.
 *
 * The count is exact: whenever a read has emptied the queue (and its
 * callback did not stop), the messages read (ctnl_event_info.received:
 * delivered plus filtered) plus the sum of the reports' lost are the
 * messages the kernel sent to the socket, in every mode; so are they
 * when a subscription ends through ctnl_ct_unsubscribe(), whose report
 * counts the events still queued then as lost (read them first to have
 * them).
 * A loss the kernel counted that no report has told yet is pending:
 * reads settle it from the drop counter, one more system call per read
 * while one is pending (never one per event, none otherwise), until a
 * read finds the queue empty. A read whose callback stopped leaves it to
 * the next read, even one that finds nothing queued. The modes, by flags:
 *
 *  - 0 (default): the kernel reports an overflow (-ENOBUFS) once, then
 *    drops without a word until the queue has been emptied; libctnl turns
 *    the -ENOBUFS into a report and reports the rest of that loss by the
 *    time the reader has emptied the queue.
 *  - CTNL_EVENTS_NO_ENOBUFS: the kernel reports nothing (NETLINK_NO_ENOBUFS)
 *    and drops events silently; libctnl still notices its drop counter
 *    grow, reading it after each read that found events (one system call
 *    per read, not per event), and sends the report.
 *  - CTNL_EVENTS_RELIABLE: NETLINK_NO_ENOBUFS with NETLINK_BROADCAST_ERROR,
 *    as conntrackd does: a destroy event that cannot be queued is kept by
 *    the kernel (the entry lingers, unlisted) and sent again until it is
 *    delivered, so no destroy is ever lost; a new or update event that
 *    cannot be queued is folded into the entry's next event. Overflows are
 *    still reported (each failed try counts as one message lost): until
 *    that next event, the view is stale. Reliable mode slows down
 *    whatever changes the table while the queue is full.
 *
 * Kernel facts that shape what arrives:
 *  - With net.netfilter.nf_conntrack_events = 2 (the default on 6.18, the
 *    kernel this was checked on) an entry gets events only if it was
 *    created while some socket of its namespace listened: entries older
 *    than the first listener never announce their updates or destruction
 *    (1 turns events on for all). ctnl_ct_resync() lists them.
 *  - Expectation events use groups 4 (new) and 6 (destroy); the kernel
 *    sends nothing to group 5.
 * @{
 */

/**
 * Events. The first five types are what the kernel announces, each on a
 * multicast group of its own: a subscription says which groups to join.
 * The others are libctnl's own reports; they reach every event callback
 * whatever was subscribed. See "Following the table: events" above.
 */
enum ctnl_event_type {
	CTNL_EVENT_NEW = 1u << 0,	/**< an entry was made (flow) */
	CTNL_EVENT_UPDATE = 1u << 1,	/**< an entry changed (flow) */
	CTNL_EVENT_DESTROY = 1u << 2,	/**< an entry went (flow) */
	CTNL_EVENT_EXP_NEW = 1u << 3,	/**< an expectation was made (expect) */
	CTNL_EVENT_EXP_DESTROY = 1u << 4, /**< an expectation went (expect) */

	/** Events were lost: a view is no longer the table (overflow). */
	CTNL_EVENT_OVERFLOW = 1u << 8,
	/* ctnl_ct_resync(): a re-dump of the table begins; each entry it
	 * reads (flow) and each expectation (expect); it is complete. */
	/** ctnl_ct_resync(): a re-dump begins */
	CTNL_EVENT_SYNC_BEGIN = 1u << 9,
	/** ctnl_ct_resync(): an entry it read (flow) */
	CTNL_EVENT_SYNC = 1u << 10,
	/** ctnl_ct_resync(): an expectation (expect) */
	CTNL_EVENT_EXP_SYNC = 1u << 11,
	/** ctnl_ct_resync(): the re-dump is complete */
	CTNL_EVENT_SYNC_END = 1u << 12,
};

/** The kernel's conntrack events: new, update, destroy. */
#define CTNL_EVENT_CT_ALL                                                    \
	(CTNL_EVENT_NEW | CTNL_EVENT_UPDATE | CTNL_EVENT_DESTROY)
/** The kernel's expectation events: new, destroy. */
#define CTNL_EVENT_EXP_ALL (CTNL_EVENT_EXP_NEW | CTNL_EVENT_EXP_DESTROY)
/** Every event the kernel announces. */
#define CTNL_EVENT_ALL (CTNL_EVENT_CT_ALL | CTNL_EVENT_EXP_ALL)

/** What a CTNL_EVENT_OVERFLOW report says. */
struct ctnl_event_overflow {
	/** Messages the kernel dropped since the previous report, as it
	 * counts them: every message is either read or counted in one
	 * report, once. 0 when the socket cannot say (a kernel before 4.12,
	 * or a socket implementation without the stats slot), or when the
	 * kernel reported the overflow before counting it: a later report
	 * then includes them (at the latest the one made when the reader
	 * has emptied the queue). */
	uint64_t lost;
	/** Overflow reports on this handle so far, this one included. */
	uint64_t count;
};

/** One event, or one of libctnl's own reports. */
struct ctnl_event {
	/** what happened; says which member holds it */
	enum ctnl_event_type type;
	/** Kernel events: the netlink port id of the socket whose request
	 * caused the change, or 0 when the kernel made it on its own
	 * (traffic, a timeout). Other types: 0. */
	uint32_t portid;
	/** The event's data, by type. */
	union {
		/** NEW, UPDATE, DESTROY, SYNC */
		struct ctnl_flow flow;
		/** EXP_NEW, EXP_DESTROY, EXP_SYNC */
		struct ctnl_expect expect;
		struct ctnl_event_overflow overflow;	/**< OVERFLOW */
	};
};

/**
 * Receives one event. The event is valid only during the call. Returns
 * CTNL_CB_OK, CTNL_CB_STOP, or a negative errno that the reading call
 * returns.
 */
typedef int (*ctnl_event_cb)(const struct ctnl_event *ev, void *data);

/* struct ctnl_events_config flags: what happens when events come faster
 * than they are read (see "Following the table: events"). */
/** Events flag: NETLINK_NO_ENOBUFS; libctnl still reports the loss. */
#define CTNL_EVENTS_NO_ENOBUFS	(1u << 0)
/** Events flag: reliable mode, as conntrackd's: no destroy is lost. */
#define CTNL_EVENTS_RELIABLE	(1u << 1)

/** A subscription. Zero what you do not use. */
struct ctnl_events_config {
	/** sizeof(struct ctnl_events_config) as the caller compiled it. */
	size_t size;
	/** CTNL_EVENT_NEW ... CTNL_EVENT_EXP_DESTROY bits; 0 unsubscribes. */
	unsigned int events;
	unsigned int flags;		/**< CTNL_EVENTS_* */
	/** The kernel receive queue for events, in bytes; 0 leaves it as the
	 * socket was opened (ctnl_sock_config.rcvbuf, else the system's
	 * net.core.rmem_default). An event costs about 1.3 KiB of the
	 * queue: Debian's default of 208 KiB holds some 160 of them. */
	int rcvbuf;
	/** Deliver only the entries that pass this filter (NULL: all); it is
	 * copied. Family and mark are applied by the kernel, through a
	 * socket filter; the other criteria here. Expectations are filtered
	 * by family only. ctnl_event_info says which happened where. */
	const struct ctnl_filter *filter;
};

/** In ctnl_event_info.kernel and .user: the filter's family. */
#define CTNL_MATCH_FAMILY	(1u << 31)

/** A subscription as it stands, and what it has seen. */
struct ctnl_event_info {
	unsigned int events;		/**< CTNL_EVENT_* subscribed; 0: none */
	unsigned int flags;		/**< CTNL_EVENTS_* in force */
	struct ctnl_filter filter;	/**< in force; zeroed: none */
	uint32_t kernel;		/**< CTNL_MATCH_* the kernel applies */
	/** CTNL_MATCH_* applied in user space */
	uint32_t user;
	/** The receive queue's size as the kernel counts it (about twice
	 * the bytes asked for); 0 if unknown. */
	uint32_t rcvbuf;
	uint64_t received;		/**< event messages read */
	uint64_t delivered;		/**< events handed to callbacks */
	/** messages the user-space part dropped */
	uint64_t filtered;
	/** CTNL_EVENT_OVERFLOW reports, including the loss counted as a
	 * subscription ended (see ctnl_ct_unsubscribe()) */
	uint64_t overflows;
	/** messages lost, as far as known: the sum of those reports */
	uint64_t lost;
};

/**
 * Subscribes a handle to kernel events, for all entries, in the default
 * mode: the short form of ctnl_ct_subscribe_config().
 * @param ct      the handle, receive-only from then on
 * @param events  CTNL_EVENT_* kernel bits, such as CTNL_EVENT_CT_ALL; 0
 *                unsubscribes
 * @return 0.
 * @errors Those of ctnl_ct_subscribe_config().
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_ct_subscribe(struct ctnl_ct *ct, unsigned int events);

/**
 * Makes a handle a subscriber, replacing any earlier subscription (groups
 * are joined and left to match, the filter replaced, the mode set);
 * config.events 0 unsubscribes, and the handle can make requests again.
 * The filter is attached before any group is joined, so no event escapes
 * it. Counters (ctnl_event_info) carry on across subscriptions. A socket
 * filter the kernel refuses is no failure: the filter is then applied in
 * user space, as ctnl_event_info says. A loss not yet reported when one
 * subscription replaces another is reported by the next read, and the
 * events still queued are read by it too (those of groups left count as
 * filtered). When config.events 0 ends it, the events still queued are
 * read and thrown away, so that the next request reads only its replies,
 * and counted as lost with the loss not yet reported, in ctnl_event_info
 * only (ctnl_ct_unsubscribe() reports them).
 * @param ct   the handle
 * @param cfg  the subscription
 * @return 0.
 * @errors -EINVAL (unknown bits, a bad filter or size), -EBUSY (called
 * from an event callback of this handle), those of the socket's
 * options: after a failure the handle is unsubscribed; and, ending a
 * subscription, those of ctnl_sock_receive() while the queue is emptied
 * (not -ENOBUFS, -EMSGSIZE, -EPERM or -EBADMSG: those datagrams are
 * passed over), when the handle is unsubscribed all the same.
 * @ownership @p cfg and its filter are copied: both are the caller's
 * again when the call returns.
 */
CTNL_API int ctnl_ct_subscribe_config(struct ctnl_ct *ct,
				      const struct ctnl_events_config *cfg);

/**
 * The descriptor to poll for events.
 * @param ct  the handle
 * @return the descriptor.
 * @errors A negative errno if the implementation has none (-ENOSYS from a
 * fake without the slot), -EINVAL (NULL @p ct).
 * @ownership Borrowed, owned by the handle: never close it.
 */
CTNL_API int ctnl_ct_event_fd(struct ctnl_ct *ct);

/**
 * Reads the events already queued, without blocking, and hands each to
 * @p cb, with an overflow report where a loss shows (the kernel's ENOBUFS
 * comes before the events still queued; the rest of that loss, and the
 * loss of the quiet modes, comes after the events read, by the read that
 * empties the queue at the latest). Reads at most a bounded number of
 * datagrams (beyond those of an overflow) so one busy handle cannot starve
 * an event loop.
 * @param ct    the subscribed handle
 * @param cb    receives each event; returns CTNL_CB_OK, CTNL_CB_STOP
 *              (nothing more is handed over in this call; the rest,
 *              reports included, waits for the next), or a negative
 *              errno, which this call returns
 * @param data  handed to @p cb
 * @return the number of messages read plus the reports made (events the
 * filter dropped count as read, not handed over); 0 when nothing was
 * queued and no loss was left to report.
 * @errors -ENOTCONN (not subscribed), -EINVAL, -EBUSY (called from its own
 * callback), -EBADMSG (a malformed or unknown message: it is skipped, and
 * the next call goes on after it), -EPERM (a datagram not from the
 * kernel, dropped likewise), a value returned by @p cb, and the errors of
 * ctnl_sock_receive() other than -ENOBUFS and -EMSGSIZE, which are
 * reported as overflows.
 * @ownership The event handed to @p cb is valid only during that call of
 * @p cb.
 */
CTNL_API int ctnl_ct_event_read(struct ctnl_ct *ct, ctnl_event_cb cb,
				void *data);

/**
 * Waits until events can be read or a timeout passes.
 * @param ct          the subscribed handle
 * @param timeout_ms  the most to wait, in milliseconds (-1: forever)
 * @return 1 when readable, 0 on timeout.
 * @errors -EINTR (a signal handler ran), -EINVAL, or the error of
 * poll(2).
 * @ownership The handle stays the caller's.
 */
CTNL_API int ctnl_ct_event_wait(struct ctnl_ct *ct, int timeout_ms);

/**
 * A simple blocking loop for small programs: waits for events and hands
 * them to @p cb until @p cb returns CTNL_CB_STOP (or a negative errno,
 * which is returned), or no event came for @p timeout_ms.
 *
 * Signals: a handler that runs while the loop waits makes it return
 * -EINTR. One that runs while events are being handed over is not seen
 * until the next wait ends, so a program that stops on a signal passes a
 * finite timeout and checks its own flag between calls:
 * @code
 *   while (!stop)
 *       if (ctnl_ct_event_loop(ct, cb, data, 500) < 0 && ...)
 * @endcode
 * @param ct          the subscribed handle
 * @param cb          receives each event, as for ctnl_ct_event_read()
 * @param data        handed to @p cb
 * @param timeout_ms  how long a silence ends the loop (-1: never)
 * @return the number of events handed to @p cb.
 * @errors Those of ctnl_ct_event_wait() and ctnl_ct_event_read().
 * @ownership As ctnl_ct_event_read().
 */
CTNL_API int ctnl_ct_event_loop(struct ctnl_ct *ct, ctnl_event_cb cb,
				void *data, int timeout_ms);

/**
 * Reads the subscription and its counters.
 * @param ct   the handle
 * @param out  receives them
 * @return 0.
 * @errors -EINVAL (NULL pointers).
 * @ownership *@p out is plain data, the caller's.
 */
CTNL_API int ctnl_ct_event_info(struct ctnl_ct *ct,
				struct ctnl_event_info *out);

/**
 * Ends a handle's subscription (as config.events 0 does: the handle can
 * make requests again) and hands @p cb one CTNL_EVENT_OVERFLOW report of
 * what the subscription sent that no read took, if there is any: the
 * loss the kernel counted that no read has reported yet, plus the events
 * still queued. Those are read (one recvmsg() each, as a read would cost,
 * after the groups are left, so no more can come) and thrown away, not
 * handed to @p cb: a caller that stops wants no more events, and the next
 * request must find the queue empty, or it would read an event where its
 * reply should be. So, with the report, every message the kernel sent to
 * the subscription was handed over or reported lost, exactly. To have the
 * queued events, read them first (until ctnl_ct_event_read() returns 0).
 * Call it before ctnl_ct_close() to hear the rest; closing discards the
 * queue and the count unread. Over an implementation that keeps no
 * counters (no event_info slot), it only unsubscribes.
 * @param ct    the handle
 * @param cb    receives the report; NULL: none is made (the loss is still
 *              counted in ctnl_event_info)
 * @param data  handed to @p cb
 * @return 1 if a report was handed over, 0 if none was needed.
 * @errors -EINVAL (NULL @p ct), -EBUSY (called from an event callback of
 * this handle), those of ctnl_ct_subscribe_config() (the handle is
 * unsubscribed all the same, and the report still made), or a negative
 * value returned by @p cb.
 * @ownership The handle stays the caller's; the report is valid only
 * during the call of @p cb.
 */
CTNL_API int ctnl_ct_unsubscribe(struct ctnl_ct *ct, ctnl_event_cb cb,
				 void *data);

/**
 * The recovery path, and the way to build a first view: brings a view
 * kept by @p cb back in line with the table. In order, @p cb receives:
 *
 *  1. the events still queued on @p events, read to the end (overflow
 *     reports among them are absorbed: this re-dump covers them);
 *  2. CTNL_EVENT_SYNC_BEGIN;
 *  3. a CTNL_EVENT_SYNC for every entry of the table that passes the
 *     subscription's filter (when conntrack events are subscribed), and a
 *     CTNL_EVENT_EXP_SYNC for every expectation of its family (when
 *     expectation events are);
 *  4. CTNL_EVENT_SYNC_END: the view should now drop whatever it holds
 *     that no SYNC refreshed since SYNC_BEGIN (a generation count does
 *     it), then apply later events as usual.
 *
 * That is enough because events of one entry stay in order: events queued
 * during the re-dump are applied after it, and an event older than what
 * the re-dump read is followed by the newer ones. If another overflow is
 * reported later, call again. In this call @p cb's CTNL_CB_STOP counts as
 * CTNL_CB_OK: a resynchronisation is never left half-done, except by a
 * negative errno from @p cb, which is returned.
 * @param events  the subscribed handle
 * @param req     another handle, for the re-dump's requests
 * @param cb      receives each event and report
 * @param data    handed to @p cb
 * @return the number of SYNC and EXP_SYNC events.
 * @errors -EINVAL (NULL arguments, or the same handle twice), -ENOTCONN
 * (@p events is not subscribed), and those of ctnl_ct_event_read() and
 * ctnl_ct_dump() (a subscribed @p req is -EBUSY).
 * @ownership Both handles stay the caller's; what @p cb receives is valid
 * only during that call of @p cb.
 */
CTNL_API int ctnl_ct_resync(struct ctnl_ct *events, struct ctnl_ct *req,
			    ctnl_event_cb cb, void *data);

/**
 * The name of an event type.
 * @param type  one type (not a combination of bits)
 * @return the name, such as "NEW", "UPDATE", "DESTROY", "EXP_NEW", or
 * NULL if @p type is unknown. Never fails.
 * @ownership A static string: never free it.
 */
CTNL_API const char *ctnl_event_type_name(enum ctnl_event_type type);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CTNL_EVENTS_H */
