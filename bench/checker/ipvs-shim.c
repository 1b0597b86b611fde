/*
 * ipvs-shim: an LD_PRELOAD library that lets keepalived's checker process run on a kernel without IPVS,
 * so bench:checker can measure keepalived's own TCP_CHECK beside the floatip agent on one keepalived.conf.
 *
 * keepalived 2.2.x talks to IPVS over generic netlink when the "IPVS" family exists and otherwise through
 * the [gs]etsockopt interface on a raw IPv4 socket (IP_VS_BASE_CTL .. +15, linux/ip_vs.h). This kernel has
 * neither, so the checker gives up at start. The shim answers those socket options in place of the
 * kernel: GET_VERSION / GET_INFO report IPVS 1.2.1 with an empty table, every SET_* succeeds. Every other
 * call goes to libc untouched. Table changes are counted: when FIP_IPVS_SHIM_LOG names a file, each
 * ADDDEST / DELDEST / EDITDEST appends one line ("add-dest", "del-dest", "edit-dest"), so the bench counts
 * the servers keepalived took out (false downs when every server is healthy) without parsing its log.
 *
 * Built by bench/checker/keepalived.ts with the system C compiler: cc -shared -fPIC -O2 -o shim.so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

static int is_ipvs(int level, int name) {
  return level == IPPROTO_IP && name >= IP_VS_BASE_CTL && name <= IP_VS_SO_SET_MAX;
}

static void note(const char *line) {
  const char *path = getenv("FIP_IPVS_SHIM_LOG");
  if (path == NULL || *path == '\0') return;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ssize_t n = write(fd, line, strlen(line));
  (void)n;
  close(fd);
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *len) {
  if (!is_ipvs(level, name)) {
    static getsockopt_fn real;
    if (real == NULL) real = (getsockopt_fn)dlsym(RTLD_NEXT, "getsockopt");
    return real(fd, level, name, value, len);
  }
  if (value != NULL && len != NULL) memset(value, 0, *len);
  if (name == IP_VS_SO_GET_INFO && len != NULL && *len >= sizeof(struct ip_vs_getinfo)) {
    struct ip_vs_getinfo *info = value;
    info->version = 0x010201; /* 1.2.1, what current kernels report */
    info->size = 4096;
    info->num_services = 0;
  } else if (name == IP_VS_SO_GET_VERSION && len != NULL && *len > 0) {
    strncpy(value, "IP Virtual Server version 1.2.1 (size=4096)", *len - 1);
  }
  return 0;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len) {
  if (!is_ipvs(level, name)) {
    static setsockopt_fn real;
    if (real == NULL) real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
    return real(fd, level, name, value, len);
  }
  if (name == IP_VS_SO_SET_ADDDEST) note("add-dest\n");
  else if (name == IP_VS_SO_SET_DELDEST) note("del-dest\n");
  else if (name == IP_VS_SO_SET_EDITDEST) note("edit-dest\n");
  return 0;
}
