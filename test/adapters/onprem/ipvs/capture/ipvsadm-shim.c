/*
 * LD_PRELOAD shim that lets ipvsadm (libnl-3) run on a kernel without IPVS and records every generic
 * netlink request it sends: sendmsg() on the NETLINK_GENERIC socket is written as one hex line to
 * $IPVS_CAPTURE_OUT and answered locally, as the kernel would answer (nlctrl NEWFAMILY with id 0x1c for
 * "IPVS", SET_INFO / SET_CONFIG replies, empty dumps, acks). Nothing reaches the kernel but bind().
 * Used once to produce ipvsadm-captures.json (see capture.sh); not part of the product.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#define IPVS_ID 0x1c

static int genl_fd = -1;
/* Replies queued as separate datagrams (libnl reads a reply and its ack with separate recvmsg calls). */
static unsigned char pending[65536];
static size_t pending_len;
static size_t cuts[16];
static int ncuts;

static void cut(void) { cuts[ncuts++] = pending_len; }

static void put_attr(unsigned char *buf, size_t *at, unsigned short type, const void *data, unsigned short len) {
  struct nlattr *a = (struct nlattr *)(buf + *at);
  a->nla_len = NLA_HDRLEN + len;
  a->nla_type = type;
  memcpy(buf + *at + NLA_HDRLEN, data, len);
  *at += NLA_ALIGN(NLA_HDRLEN + len);
}

/* Appends one reply message (genl header + attrs built by fill) echoing the request's seq/pid. */
static void reply(const struct nlmsghdr *req, unsigned short type, unsigned short flags, unsigned char cmd,
                  void (*fill)(unsigned char *, size_t *)) {
  size_t start = pending_len, at = start + NLMSG_HDRLEN;
  struct genlmsghdr g = {.cmd = cmd, .version = 1};
  memcpy(pending + at, &g, GENL_HDRLEN);
  at += GENL_HDRLEN;
  if (fill) fill(pending, &at);
  struct nlmsghdr *h = (struct nlmsghdr *)(pending + start);
  h->nlmsg_len = at - start;
  h->nlmsg_type = type;
  h->nlmsg_flags = flags;
  h->nlmsg_seq = req->nlmsg_seq;
  h->nlmsg_pid = req->nlmsg_pid;
  pending_len = NLMSG_ALIGN(at);
  cut();
}

static void ack(const struct nlmsghdr *req, unsigned short type) {
  size_t start = pending_len;
  struct nlmsghdr *h = (struct nlmsghdr *)(pending + start);
  h->nlmsg_type = type;
  h->nlmsg_flags = type == NLMSG_ERROR ? 0x100 /* NLM_F_CAPPED */ : NLM_F_MULTI;
  h->nlmsg_seq = req->nlmsg_seq;
  h->nlmsg_pid = req->nlmsg_pid;
  int zero = 0;
  memcpy(pending + start + NLMSG_HDRLEN, &zero, 4);
  size_t len = NLMSG_HDRLEN + 4;
  if (type == NLMSG_ERROR) {
    memcpy(pending + start + len, req, NLMSG_HDRLEN);
    len += NLMSG_HDRLEN;
  }
  h->nlmsg_len = len;
  pending_len += NLMSG_ALIGN(len);
  cut();
}

static void fill_family(unsigned char *b, size_t *at) {
  unsigned short id = IPVS_ID;
  unsigned int version = 1, hdr = 0, maxattr = 6;
  put_attr(b, at, CTRL_ATTR_FAMILY_ID, &id, 2);
  put_attr(b, at, CTRL_ATTR_FAMILY_NAME, "IPVS", 5);
  put_attr(b, at, CTRL_ATTR_VERSION, &version, 4);
  put_attr(b, at, CTRL_ATTR_HDRSIZE, &hdr, 4);
  put_attr(b, at, CTRL_ATTR_MAXATTR, &maxattr, 4);
}
static void fill_info(unsigned char *b, size_t *at) {
  unsigned int version = 0x010201, size = 4096;
  put_attr(b, at, 1, &version, 4);
  put_attr(b, at, 2, &size, 4);
}
static void fill_config(unsigned char *b, size_t *at) {
  unsigned int tcp = 900, fin = 120, udp = 300;
  put_attr(b, at, 4, &tcp, 4);
  put_attr(b, at, 5, &fin, 4);
  put_attr(b, at, 6, &udp, 4);
}

int socket(int domain, int type, int protocol) {
  static int (*real)(int, int, int);
  if (!real) real = dlsym(RTLD_NEXT, "socket");
  int fd = real(domain, type, protocol);
  if (domain == AF_NETLINK && protocol == NETLINK_GENERIC) {
    genl_fd = fd; /* ipvsadm opens one socket per request: drop what the last one left unread */
    pending_len = 0;
    ncuts = 0;
  }
  return fd;
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags) {
  static ssize_t (*real)(int, const struct msghdr *, int);
  if (!real) real = dlsym(RTLD_NEXT, "sendmsg");
  if (fd != genl_fd) return real(fd, m, flags);
  unsigned char buf[65536];
  size_t len = 0;
  for (size_t i = 0; i < m->msg_iovlen; i++) {
    memcpy(buf + len, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
    len += m->msg_iov[i].iov_len;
  }
  const char *path = getenv("IPVS_CAPTURE_OUT");
  FILE *out = path ? fopen(path, "a") : NULL;
  if (out) {
    for (size_t i = 0; i < len; i++) fprintf(out, "%02x", buf[i]);
    fprintf(out, "\n");
    fclose(out);
  }
  const struct nlmsghdr *req = (const struct nlmsghdr *)buf;
  const struct genlmsghdr *g = (const struct genlmsghdr *)(buf + NLMSG_HDRLEN);
  if (req->nlmsg_type == GENL_ID_CTRL && g->cmd == CTRL_CMD_GETFAMILY) {
    reply(req, GENL_ID_CTRL, 0, CTRL_CMD_NEWFAMILY, fill_family);
  } else if (req->nlmsg_type == IPVS_ID && g->cmd == 15) {
    reply(req, IPVS_ID, 0, 14, fill_info);
  } else if (req->nlmsg_type == IPVS_ID && g->cmd == 13) {
    reply(req, IPVS_ID, 0, 12, fill_config);
  }
  if (req->nlmsg_flags & NLM_F_DUMP) ack(req, NLMSG_DONE);
  else if (req->nlmsg_flags & NLM_F_ACK) ack(req, NLMSG_ERROR);
  return len;
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags) {
  static ssize_t (*real)(int, struct msghdr *, int);
  if (!real) real = dlsym(RTLD_NEXT, "recvmsg");
  if (fd != genl_fd || ncuts == 0) return real(fd, m, flags);
  size_t first = cuts[0];
  size_t n = first < m->msg_iov[0].iov_len ? first : m->msg_iov[0].iov_len;
  memcpy(m->msg_iov[0].iov_base, pending, n);
  if (m->msg_name && m->msg_namelen >= sizeof(struct sockaddr_nl)) {
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    memcpy(m->msg_name, &kernel, sizeof kernel);
    m->msg_namelen = sizeof kernel;
  }
  m->msg_controllen = 0;
  m->msg_flags = n < first ? MSG_TRUNC : 0;
  if (!(flags & MSG_PEEK)) {
    memmove(pending, pending + first, pending_len - first);
    pending_len -= first;
    for (int i = 1; i < ncuts; i++) cuts[i - 1] = cuts[i] - first;
    ncuts--;
  }
  return (flags & MSG_TRUNC) ? (ssize_t)first : (ssize_t)n;
}
