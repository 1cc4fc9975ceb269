// SPDX-License-Identifier: LGPL-2.1-or-later

// bench-go-kubeproxy: kube-proxy 1.32's conntrack reconcile, on the Go
// netlink library (github.com/vishvananda/netlink) as Debian ships it,
// for the agent workloads of BENCHMARKS.md. Written after kube-proxy's
// pkg/proxy/conntrack (cleanup.go, filter.go, conntrack.go); the logic is
// kube-proxy's, the code is this benchmark's own.
//
//	bench-go-kubeproxy reconcile [set]
//
// The services and their endpoints, the API server's view, come from
// `bench-k8s services` (beside this program), before the clock starts:
// one service per line, "udp|tcp VIP PORT NODEPORT EP,EP,...".
//
// What one reconcile does, as kube-proxy 1.32 does it (CleanStaleEntries):
//  1. ListEntries: a full dump of the IPv4 table into Go structures
//     (ConntrackTableList);
//  2. maps of each UDP service's address:port and NodePort to its
//     serving endpoints; for every UDP entry to one of them whose reply
//     source is not a serving endpoint, one filter naming that entry;
//  3. ClearEntries: ConntrackDeleteFilters(table, family, filters...) of
//     netlink 1.3, which dumps the table again, tries every filter on
//     every entry, and deletes each match with a request of its own, on a
//     socket of its own (kube-proxy's handle is the zero netlink.Handle).
//
// Debian's netlink (1.1) has ConntrackDeleteFilter, with one filter;
// netlink 1.3's ConntrackDeleteFilters is the same loop over a list of
// them, so anyOf hands that loop to ConntrackDeleteFilter.
//
// With "set", step 2 makes one filter backed by a set of the stale
// entries, as kube-proxy does since kubernetes PR 135511 (late 2025):
// the same dumps and deletes without the filters x entries loop.
//
// Prints "ok ns=<time of the reconcile> count=<entries deleted>
// rss=<peak KiB>", as the C clients do.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

type service struct {
	udp       bool
	vip       string
	port      int
	nodePort  int
	endpoints []string
}

func readServices() ([]service, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(filepath.Dir(self), "bench-k8s")
	out, err := exec.Command(path, "services").Output()
	if err != nil {
		return nil, fmt.Errorf("%s services: %v", path, err)
	}
	var svcs []service
	scan := bufio.NewScanner(bytes.NewReader(out))
	for scan.Scan() {
		var s service
		var proto, eps string
		if _, err := fmt.Sscanf(scan.Text(), "%s %s %d %d %s", &proto,
			&s.vip, &s.port, &s.nodePort, &eps); err != nil {
			return nil, fmt.Errorf("%q: %v", scan.Text(), err)
		}
		s.udp = proto == "udp"
		s.endpoints = strings.Split(eps, ",")
		svcs = append(svcs, s)
	}
	return svcs, scan.Err()
}

// tupleFilter matches what kube-proxy's conntrackFilter matches: a
// protocol, an original destination address and port, a reply source.
type tupleFilter struct {
	protocol    uint8
	origDstIP   net.IP
	origDstPort uint16
	replySrcIP  net.IP
}

func (f *tupleFilter) MatchConntrackFlow(flow *netlink.ConntrackFlow) bool {
	if f.protocol != flow.Forward.Protocol {
		return false
	}
	if f.origDstIP != nil && !f.origDstIP.Equal(flow.Forward.DstIP) {
		return false
	}
	if f.origDstPort != 0 && f.origDstPort != flow.Forward.DstPort {
		return false
	}
	if !f.replySrcIP.Equal(flow.Reverse.SrcIP) {
		return false
	}
	// kube-proxy logs each match at verbosity 4; Go evaluates the
	// argument, flow.String(), whether or not the line is printed.
	logArg = flow.String() + "\n"
	return true
}

// logArg keeps the formatted flow alive, as klog's argument would be.
var logArg string

// anyOf is netlink 1.3's ConntrackDeleteFilters loop: each filter in
// turn, until one matches.
type anyOf []netlink.CustomConntrackFilter

func (a anyOf) MatchConntrackFlow(flow *netlink.ConntrackFlow) bool {
	for _, f := range a {
		if f.MatchConntrackFlow(flow) {
			return true
		}
	}
	return false
}

// staleSet is the one set-backed filter of kube-proxy after PR 135511.
type staleSet map[string]struct{}

func flowKey(proto uint8, origDst string, origDstPort uint16, replySrc string) string {
	return fmt.Sprintf("%d/%s/%d/%s", proto, origDst, origDstPort, replySrc)
}

func (s staleSet) MatchConntrackFlow(flow *netlink.ConntrackFlow) bool {
	_, ok := s[flowKey(flow.Forward.Protocol, flow.Forward.DstIP.String(),
		flow.Forward.DstPort, flow.Reverse.SrcIP.String())]
	return ok
}

type endpointSet map[string]struct{}

// serviceMaps: UDP service address:port, and NodePort, to the serving
// endpoints, as CleanStaleEntries builds them on every call.
func serviceMaps(svcs []service) (map[string]endpointSet, map[int]endpointSet) {
	byIPPort := make(map[string]endpointSet)
	byNodePort := make(map[int]endpointSet)
	for _, s := range svcs {
		if !s.udp || len(s.endpoints) == 0 {
			continue
		}
		eps := make(endpointSet)
		for _, ep := range s.endpoints {
			eps[ep] = struct{}{}
		}
		byIPPort[net.JoinHostPort(s.vip, strconv.Itoa(s.port))] = eps
		if s.nodePort != 0 {
			byNodePort[s.nodePort] = eps
		}
	}
	return byIPPort, byNodePort
}

func cleanStaleEntries(h *netlink.Handle, svcs []service, useSet bool) (uint, error) {
	entries, err := h.ConntrackTableList(netlink.ConntrackTable, unix.AF_INET)
	if err != nil {
		return 0, err
	}
	byIPPort, byNodePort := serviceMaps(svcs)
	var filters anyOf
	set := make(staleSet)
	stale := func(e *netlink.ConntrackFlow, byNodePort bool) {
		if useSet {
			set[flowKey(e.Forward.Protocol, e.Forward.DstIP.String(),
				e.Forward.DstPort, e.Reverse.SrcIP.String())] = struct{}{}
			return
		}
		f := &tupleFilter{protocol: unix.IPPROTO_UDP,
			origDstPort: e.Forward.DstPort,
			replySrcIP:  net.ParseIP(e.Reverse.SrcIP.String())}
		if !byNodePort {
			f.origDstIP = net.ParseIP(e.Forward.DstIP.String())
		}
		filters = append(filters, f)
	}
	for _, e := range entries {
		if e.Forward.Protocol != unix.IPPROTO_UDP {
			continue
		}
		origDst := e.Forward.DstIP.String()
		port := int(e.Forward.DstPort)
		replySrc := e.Reverse.SrcIP.String()
		if eps, ok := byIPPort[net.JoinHostPort(origDst, strconv.Itoa(port))]; ok {
			if _, serving := eps[replySrc]; !serving {
				stale(e, false)
			}
		}
		if eps, ok := byNodePort[port]; ok {
			if _, serving := eps[replySrc]; !serving {
				stale(e, true)
			}
		}
	}
	if useSet {
		if len(set) == 0 {
			return 0, nil
		}
		return h.ConntrackDeleteFilter(netlink.ConntrackTable, unix.AF_INET, set)
	}
	if len(filters) == 0 {
		return 0, nil
	}
	return h.ConntrackDeleteFilter(netlink.ConntrackTable, unix.AF_INET, filters)
}

// peakRSS is the process's VmHWM in KiB, as the C clients report it.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	scan := bufio.NewScanner(f)
	for scan.Scan() {
		var kib int64
		if n, _ := fmt.Sscanf(scan.Text(), "VmHWM: %d kB", &kib); n == 1 {
			return kib
		}
	}
	return -1
}

func main() {
	if len(os.Args) < 2 || os.Args[1] != "reconcile" ||
		(len(os.Args) == 3 && os.Args[2] != "set") || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: bench-go-kubeproxy reconcile [set]")
		os.Exit(2)
	}
	svcs, err := readServices()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-go-kubeproxy:", err)
		os.Exit(1)
	}
	start := time.Now()
	n, err := cleanStaleEntries(&netlink.Handle{}, svcs, len(os.Args) == 3)
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-go-kubeproxy: reconcile:", err)
		os.Exit(1)
	}
	fmt.Printf("ok ns=%d count=%d rss=%d\n", elapsed.Nanoseconds(), n, peakRSS())
}
