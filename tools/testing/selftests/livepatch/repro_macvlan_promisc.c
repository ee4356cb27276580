// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducer for "macvlan: fix passthru promiscuity accounting while down"
 * (drivers/net/macvlan.c, macvlan_changelink(); first in Debian's linux
 * 6.12.117-1, the fix adds "&& netif_running(dev)" to the passthru
 * promiscuity condition).
 *
 * A passthru macvlan takes a promiscuity reference on its lower device when it
 * is opened (macvlan_open()), unless MACVLAN_FLAG_NOPROMISC is set. Changing
 * that flag with changelink drops or takes the reference at once; before the
 * fix it did so even when the macvlan was down and held none. On a down
 * passthru macvlan without NOPROMISC, setting NOPROMISC then drops a reference
 * never taken: the lower device's promiscuity count underflows from 0 to
 * 4294967295 and IFF_PROMISC gets set on it.
 *
 * Steps, with raw rtnetlink: create the dummy device rlpd0 (the lower device),
 * a passthru macvlan rlpmv0 on it with flags 0, both left down; send
 * changelink IFLA_MACVLAN_FLAGS=MACVLAN_FLAG_NOPROMISC to rlpmv0; read the
 * promiscuity (IFLA_PROMISCUITY) and flags (sysfs) of rlpd0; delete both links.
 *
 * Needs root, and dummy and macvlan loaded (or built in).
 * Exit status: 1 and "BUG PRESENT: ..." if the count changed, 0 and
 * "fixed: ..." if not, 2 on a setup error. The links are removed on every path.
 */
#include <errno.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOWER "rlpd0"
#define UPPER "rlpmv0"

enum { EXIT_FIXED = 0, EXIT_BUG = 1, EXIT_SETUP = 2 };

struct req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char buf[1024];
};

static int nl_fd = -1;
static unsigned int nl_seq;

static struct rtattr *add_attr(struct nlmsghdr *n, int type, const void *data, int len)
{
	struct rtattr *rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void add_str(struct nlmsghdr *n, int type, const char *s)
{
	add_attr(n, type, s, strlen(s) + 1);
}

static struct rtattr *nest_start(struct nlmsghdr *n, int type)
{
	return add_attr(n, type, NULL, 0);
}

static void nest_end(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (char *)n + NLMSG_ALIGN(n->nlmsg_len) - (char *)nest;
}

static void init_req(struct req *r, int type, int flags, int ifindex)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	r->nh.nlmsg_seq = ++nl_seq;
	r->ifi.ifi_family = AF_UNSPEC;
	r->ifi.ifi_index = ifindex;
}

/*
 * Send a request and read the answer: with NLM_F_ACK, 0 or -errno from the
 * kernel's ack; for RTM_GETLINK, the promiscuity count of the link (>= 0) or
 * -errno.
 */
static long long nl_talk(struct req *r)
{
	char buf[16384];
	long long ret = -EIO;
	struct nlmsghdr *h;
	ssize_t len;

	if (send(nl_fd, &r->nh, r->nh.nlmsg_len, 0) < 0)
		return -errno;
	len = recv(nl_fd, buf, sizeof(buf), 0);
	if (len < 0)
		return -errno;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_seq != r->nh.nlmsg_seq)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (h->nlmsg_type == RTM_NEWLINK) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			int alen = IFLA_PAYLOAD(h);
			struct rtattr *a;

			for (a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type == IFLA_PROMISCUITY)
					ret = *(uint32_t *)RTA_DATA(a);
		}
	}
	return ret;
}

static int add_dummy(void)
{
	struct rtattr *li;
	struct req r;

	init_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, 0);
	add_str(&r.nh, IFLA_IFNAME, LOWER);
	li = nest_start(&r.nh, IFLA_LINKINFO);
	add_str(&r.nh, IFLA_INFO_KIND, "dummy");
	nest_end(&r.nh, li);
	return nl_talk(&r);
}

static int add_passthru_macvlan(int lower)
{
	uint32_t link = lower, mode = MACVLAN_MODE_PASSTHRU;
	uint16_t flags = 0;
	struct rtattr *li, *data;
	struct req r;

	init_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, 0);
	add_str(&r.nh, IFLA_IFNAME, UPPER);
	add_attr(&r.nh, IFLA_LINK, &link, sizeof(link));
	li = nest_start(&r.nh, IFLA_LINKINFO);
	add_str(&r.nh, IFLA_INFO_KIND, "macvlan");
	data = nest_start(&r.nh, IFLA_INFO_DATA);
	add_attr(&r.nh, IFLA_MACVLAN_MODE, &mode, sizeof(mode));
	add_attr(&r.nh, IFLA_MACVLAN_FLAGS, &flags, sizeof(flags));
	nest_end(&r.nh, data);
	nest_end(&r.nh, li);
	return nl_talk(&r);
}

/* changelink: RTM_NEWLINK on an existing link, without NLM_F_CREATE */
static int set_macvlan_flags(int upper, uint16_t flags)
{
	struct rtattr *li, *data;
	struct req r;

	init_req(&r, RTM_NEWLINK, NLM_F_ACK, upper);
	li = nest_start(&r.nh, IFLA_LINKINFO);
	add_str(&r.nh, IFLA_INFO_KIND, "macvlan");
	data = nest_start(&r.nh, IFLA_INFO_DATA);
	add_attr(&r.nh, IFLA_MACVLAN_FLAGS, &flags, sizeof(flags));
	nest_end(&r.nh, data);
	nest_end(&r.nh, li);
	return nl_talk(&r);
}

/* dev->promiscuity of a link (IFLA_PROMISCUITY), or -errno */
static long long get_promiscuity(int ifindex)
{
	struct req r;

	init_req(&r, RTM_GETLINK, 0, ifindex);
	return nl_talk(&r);
}

static void del_link(const char *name)
{
	unsigned int ifindex = if_nametoindex(name);
	struct req r;

	if (!ifindex)
		return;
	init_req(&r, RTM_DELLINK, NLM_F_ACK, ifindex);
	nl_talk(&r);
}

static void cleanup(void)
{
	del_link(UPPER);
	del_link(LOWER);
}

/* dev->flags from sysfs (SIOCGIFFLAGS does not show IFF_PROMISC set by the kernel), or -1 */
static long sysfs_flags(const char *name)
{
	char path[128], buf[64];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 0);
	fclose(f);
	return v;
}

static int run(void)
{
	long long p0, p1;
	int err, lower, upper;
	long f0, f1, fu;

	err = add_dummy();
	if (err) {
		fprintf(stderr, "setup: create dummy %s: %s (is dummy.ko loaded?)\n",
			LOWER, strerror(-err));
		return EXIT_SETUP;
	}
	lower = if_nametoindex(LOWER);
	err = lower ? add_passthru_macvlan(lower) : -ENODEV;
	if (err) {
		fprintf(stderr, "setup: create passthru macvlan %s on %s: %s (is macvlan.ko loaded?)\n",
			UPPER, LOWER, strerror(-err));
		return EXIT_SETUP;
	}
	upper = if_nametoindex(UPPER);
	p0 = get_promiscuity(lower);
	f0 = sysfs_flags(LOWER);
	fu = sysfs_flags(UPPER);
	printf("before: %s promiscuity=%lld flags=0x%lx (IFF_PROMISC=%d); %s is %s\n",
	       LOWER, p0, f0, f0 >= 0 && (f0 & IFF_PROMISC), UPPER,
	       fu < 0 ? "missing" : (fu & IFF_UP) ? "UP" : "DOWN");
	if (!upper || p0 != 0 || f0 < 0 || (f0 & IFF_PROMISC) || fu < 0 || (fu & IFF_UP)) {
		fprintf(stderr, "setup: unexpected initial state\n");
		return EXIT_SETUP;
	}

	/* changelink while the passthru macvlan is down: flags 0 -> NOPROMISC */
	err = set_macvlan_flags(upper, MACVLAN_FLAG_NOPROMISC);
	p1 = get_promiscuity(lower);
	f1 = sysfs_flags(LOWER);
	printf("after changelink(IFLA_MACVLAN_FLAGS=NOPROMISC) on DOWN %s: ret=%d; %s promiscuity=%lld flags=0x%lx (IFF_PROMISC=%d)\n",
	       UPPER, err, LOWER, p1, f1, f1 >= 0 && (f1 & IFF_PROMISC));
	if (p1 < 0 || f1 < 0) {
		fprintf(stderr, "setup: cannot read the state of %s\n", LOWER);
		return EXIT_SETUP;
	}
	if (err) {
		printf("BUG PRESENT: changelink of a down passthru macvlan failed (%s)\n",
		       strerror(-err));
		return EXIT_BUG;
	}
	if (p1 != p0 || (f1 & IFF_PROMISC)) {
		printf("BUG PRESENT: changelink on a DOWN passthru macvlan dropped a promiscuity reference it never took: lower promiscuity %lld -> %lld (underflow), IFF_PROMISC %s\n",
		       p0, p1, (f1 & IFF_PROMISC) ? "set" : "clear");
		return EXIT_BUG;
	}
	printf("fixed: changelink on a DOWN passthru macvlan left the lower device alone (promiscuity %lld, IFF_PROMISC clear)\n",
	       p1);
	return EXIT_FIXED;
}

int main(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl_fd < 0 || connect(nl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("setup: rtnetlink socket");
		return EXIT_SETUP;
	}
	cleanup();	/* links left by an earlier run that was killed */
	ret = run();
	cleanup();
	if (if_nametoindex(UPPER) || if_nametoindex(LOWER)) {
		fprintf(stderr, "setup: could not delete %s and %s\n", UPPER, LOWER);
		ret = EXIT_SETUP;
	}
	close(nl_fd);
	return ret;
}
