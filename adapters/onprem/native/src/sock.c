/*
 * floatip_sock: the few socket syscalls Node cannot make (raw IP, AF_PACKET, AF_NETLINK), exposed through
 * Node-API (ABI-stable, so one build loads in every Node major).
 *
 * Deliberately thin: every structure (sockaddr_*, ip_mreqn, netlink messages, packets) is built and parsed
 * in TypeScript; C only moves bytes. Sockets are non-blocking; readiness reaches JavaScript through a libuv
 * poll handle on the Node event loop, so receiving never blocks it.
 *
 *   socket(domain, type, protocol) -> fd            (SOCK_NONBLOCK | SOCK_CLOEXEC added)
 *   setsockopt(fd, level, name, bytes)              (integers: 4 bytes, host order, built in TS)
 *   getsockopt(fd, level, name, size) -> bytes
 *   bind(fd, sockaddrBytes)
 *   sendmsg(fd, data, sockaddrBytes | null, controlBytes | null) -> bytes sent; -1 when EAGAIN
 *   recvmsg(fd, maxData, maxControl) -> { data, addr, control, flags } | null when nothing is queued
 *   close(fd)
 *   pollStart(fd, callback) -> handle               (callback(status) on every readable event; callback(0,
 *                                                    message) for a datagram read while absorbing)
 *   pollStop(handle)
 *   absorb{Start,Progress,Stop}(handle, ...)        copies of one datagram counted without JS (see below)
 *   ifNameToIndex(name) -> index                    (0 when there is no such interface)
 *   execve(path, argv, env)                          (replaces the process; the launcher on old Node)
 *   repeat{Start,Progress,Stop}                     one datagram resent by a libuv timer (src/repeat.c)
 *   tcpCheck{Open,Connect,Repeat,Cancel,Close,Pending,Quiet,Lag}  batched TCP_CHECK connects (src/tcp-check.c)
 *
 * Errors throw an Error whose `code` is the errno name (EPERM, ENODEV, ...).
 */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <net/if.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define CHECK(call)                                                                                          \
  do {                                                                                                       \
    if ((call) != napi_ok) {                                                                                 \
      napi_throw_error(env, "EINTERNAL", "floatip_sock: Node-API call failed: " #call);                      \
      return NULL;                                                                                           \
    }                                                                                                        \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  const char *name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(err), name ? name : "?");
  napi_throw_error(env, name ? name : "EUNKNOWN", msg);
  return NULL;
}

static napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/* Reads a Uint8Array (or null/undefined -> data NULL, len 0). Returns 0 on type error. */
static int get_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return 0;
  napi_typedarray_type tt;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &tt, len, data, &ab, &off) != napi_ok) return 0;
  return tt == napi_uint8_array;
}

static napi_value copy_out(napi_env env, const void *src, size_t len) {
  void *dst;
  napi_value ab, arr;
  napi_create_arraybuffer(env, len, &dst, &ab);
  if (len) memcpy(dst, src, len);
  napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &arr);
  return arr;
}

static napi_value js_socket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t domain, type, proto;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !get_int(env, argv[0], &domain) || !get_int(env, argv[1], &type) ||
      !get_int(env, argv[2], &proto)) {
    napi_throw_type_error(env, "EINVAL", "socket(domain, type, protocol) takes three integers");
    return NULL;
  }
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return throw_errno(env, "socket", errno);
  return make_int(env, fd);
}

static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd, level, name;
  void *data;
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &level) ||
      !get_int(env, argv[2], &name) || !get_bytes(env, argv[3], &data, &len)) {
    napi_throw_type_error(env, "EINVAL", "setsockopt(fd, level, name, Uint8Array)");
    return NULL;
  }
  if (setsockopt(fd, level, name, data, (socklen_t)len) < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd, level, name, size;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &level) ||
      !get_int(env, argv[2], &name) || !get_int(env, argv[3], &size) || size < 0 || size > 65536) {
    napi_throw_type_error(env, "EINVAL", "getsockopt(fd, level, name, size)");
    return NULL;
  }
  char buf[65536];
  socklen_t len = (socklen_t)size;
  if (getsockopt(fd, level, name, buf, &len) < 0) return throw_errno(env, "getsockopt", errno);
  return copy_out(env, buf, len);
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  void *addr;
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !get_int(env, argv[0], &fd) || !get_bytes(env, argv[1], &addr, &len) || !addr) {
    napi_throw_type_error(env, "EINVAL", "bind(fd, sockaddr Uint8Array)");
    return NULL;
  }
  if (bind(fd, (struct sockaddr *)addr, (socklen_t)len) < 0) return throw_errno(env, "bind", errno);
  return NULL;
}

static napi_value js_sendmsg(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd;
  void *data, *addr, *ctl;
  size_t dlen, alen, clen;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_bytes(env, argv[1], &data, &dlen) ||
      !get_bytes(env, argv[2], &addr, &alen) || !get_bytes(env, argv[3], &ctl, &clen)) {
    napi_throw_type_error(env, "EINVAL", "sendmsg(fd, data, sockaddr|null, control|null)");
    return NULL;
  }
  struct iovec iov = {.iov_base = data, .iov_len = dlen};
  struct msghdr msg = {0};
  msg.msg_name = addr;
  msg.msg_namelen = (socklen_t)alen;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  /* Control data must be aligned for cmsghdr; copy it to an aligned buffer. */
  union {
    struct cmsghdr align;
    char buf[512];
  } cbuf;
  if (clen > sizeof cbuf.buf) {
    napi_throw_range_error(env, "EINVAL", "sendmsg: control data larger than 512 bytes");
    return NULL;
  }
  if (clen) {
    memcpy(cbuf.buf, ctl, clen);
    msg.msg_control = cbuf.buf;
    msg.msg_controllen = clen;
  }
  ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return make_int(env, -1);
    return throw_errno(env, "sendmsg", errno);
  }
  return make_int(env, n);
}

static napi_value js_recvmsg(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd, maxd, maxc;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &maxd) ||
      !get_int(env, argv[2], &maxc) || maxd <= 0 || maxd > (1 << 20) || maxc < 0 || maxc > 4096) {
    napi_throw_type_error(env, "EINVAL", "recvmsg(fd, maxData 1..1MiB, maxControl 0..4096)");
    return NULL;
  }
  char *data = malloc((size_t)maxd);
  if (!data) return throw_errno(env, "recvmsg", ENOMEM);
  union {
    struct cmsghdr align;
    char buf[4096];
  } cbuf;
  struct sockaddr_storage from;
  struct iovec iov = {.iov_base = data, .iov_len = (size_t)maxd};
  struct msghdr msg = {0};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = maxc ? cbuf.buf : NULL;
  msg.msg_controllen = (size_t)maxc;
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0) {
    int err = errno;
    free(data);
    if (err == EAGAIN || err == EWOULDBLOCK) {
      napi_value nul;
      napi_get_null(env, &nul);
      return nul;
    }
    return throw_errno(env, "recvmsg", err);
  }
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "data", copy_out(env, data, (size_t)n));
  napi_set_named_property(env, out, "addr", copy_out(env, &from, msg.msg_namelen));
  napi_set_named_property(env, out, "control", copy_out(env, cbuf.buf, msg.msg_control ? msg.msg_controllen : 0));
  napi_set_named_property(env, out, "flags", make_int(env, msg.msg_flags));
  free(data);
  return out;
}

void repeat_halt_fd(int fd); /* src/repeat.c */

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_int(env, argv[0], &fd)) {
    napi_throw_type_error(env, "EINVAL", "close(fd)");
    return NULL;
  }
  repeat_halt_fd(fd); /* src/repeat.c: no sender thread outlives its socket */
  if (close(fd) < 0) return throw_errno(env, "close", errno);
  return NULL;
}

static napi_value js_if_nametoindex(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[IF_NAMESIZE + 1];
  size_t len = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "ifNameToIndex(name: string)");
    return NULL;
  }
  return make_int(env, if_nametoindex(name));
}

/*
 * mallocTrim(): hands the C heap's free memory back to the kernel (glibc's malloc_trim). Memory freed
 * after a start-up peak (V8's compiler zones, Buffers of a large nft transaction) otherwise stays in
 * malloc's arenas, resident. Returns whether anything was released (always false without glibc).
 */
static napi_value js_malloc_trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
#ifdef __GLIBC__
  CHECK(napi_get_boolean(env, malloc_trim(0) != 0, &out));
#else
  CHECK(napi_get_boolean(env, false, &out));
#endif
  return out;
}

/* ---- readiness: a uv_poll_t per watched fd, calling a JS function on every readable event ---- */

typedef struct {
  uv_poll_t poll;
  int fd;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int active;
  /* Handles still to be closed by libuv before the struct is freed. */
  int closing;
  /*
   * absorbStart: datagrams equal to `tmpl` (an IPv4 header's Identification and checksum aside) are read
   * and counted here, without calling JavaScript; `deadline` fires `on_deadline` when none came for
   * `deadline_ms`. Anything else is handed to the callback as it was read. A VRRP backup hears the same
   * advert from its master every interval (core/vrrp/router/steady-receive.ts).
   */
  int absorbing;
  unsigned char *tmpl;
  size_t tlen;
  _Atomic uint64_t absorbed;
  _Atomic uint64_t last_ns; /* after `started` */
  uint64_t started;
  uint64_t deadline_ms;
  uv_timer_t deadline;
  int deadline_inited;
  napi_ref on_deadline;
  /*
   * While absorbing, a thread of its own reads the socket (the uv_poll stops), so a copy of the template
   * wakes neither Node's loop nor its per-iteration work (perf, issue 14). The thread ends on the first
   * other datagram (kept in `held`), when the deadline passes, or on a read error, and wakes the loop
   * through `wake`; the loop hands the outcome over and starts the thread again while still absorbing.
   */
  pthread_t reader;
  int reader_on;
  _Atomic int reader_done; /* set by the thread as it ends: a wake from an earlier thread joins nothing */
  int stop_fd;
  uv_async_t wake;
  int wake_inited;
  uint64_t due; /* uv_hrtime() of the deadline; the thread moves it on each copy */
  int outcome; /* READER_*: written by the thread before it ends, read after the join */
  struct {
    unsigned char data[4096];
    char control[512];
    struct sockaddr_storage from;
    size_t n, alen, clen;
    int flags;
  } held;
  int held_pending;
} watch_t;

enum { READER_STOPPED, READER_FOREIGN, READER_DEADLINE, READER_ERROR };

static void on_closed(uv_handle_t *h) {
  watch_t *w = h->data;
  if (--w->closing > 0) return;
  free(w->tmpl);
  free(w);
}

/* Calls `ref` with argv as a native event source should (napi_make_callback runs the microtasks after). */
static void invoke(watch_t *w, napi_ref ref, size_t argc, napi_value *argv) {
  napi_env env = w->env;
  napi_value cb, recv, result;
  napi_get_reference_value(env, ref, &cb);
  napi_get_global(env, &recv);
  napi_status st = napi_make_callback(env, w->async, recv, cb, argc, argv, &result);
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
}

static napi_value message_of(napi_env env, const void *data, size_t n, const void *from, size_t alen,
                             const void *control, size_t clen, int flags) {
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "data", copy_out(env, data, n));
  napi_set_named_property(env, out, "addr", copy_out(env, from, alen));
  napi_set_named_property(env, out, "control", copy_out(env, control, clen));
  napi_set_named_property(env, out, "flags", make_int(env, flags));
  return out;
}

static int same_datagram(const unsigned char *t, size_t tlen, const unsigned char *d, size_t n) {
  if (n != tlen) return 0;
  int v4 = n >= 20 && (t[0] >> 4) == 4;
  for (size_t i = 0; i < n; i++) {
    if (v4 && (i == 4 || i == 5 || i == 10 || i == 11)) continue;
    if (t[i] != d[i]) return 0;
  }
  return 1;
}

static void on_deadline(uv_timer_t *t) {
  watch_t *w = t->data;
  if (!w->active || !w->absorbing || !w->on_deadline) return;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  invoke(w, w->on_deadline, 0, NULL);
  napi_close_handle_scope(w->env, scope);
}

/*
 * Reads one datagram: a copy of the template is counted; any other goes to JS. One per readable event:
 * libuv's epoll is level-triggered, so a second queued datagram wakes the poll again, and the steady case
 * (one advert per wake-up) costs one recvmsg instead of a second one answering EAGAIN (issue 14, strace).
 */
static void absorb_queued(watch_t *w) {
  unsigned char data[4096];
  union {
    struct cmsghdr align;
    char buf[512];
  } cbuf;
  struct sockaddr_storage from;
  struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
  struct msghdr msg = {0};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf.buf;
  msg.msg_controllen = sizeof cbuf.buf;
  ssize_t n = recvmsg(w->fd, &msg, MSG_DONTWAIT);
  if (n < 0) return; /* EAGAIN: all read; an error shows again to the JS reader once absorbing stops */
  if (!(msg.msg_flags & MSG_TRUNC) && same_datagram(w->tmpl, w->tlen, data, (size_t)n)) {
    atomic_store_explicit(&w->last_ns, uv_hrtime() - w->started, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->absorbed, 1, memory_order_release);
    uv_timer_start(&w->deadline, on_deadline, w->deadline_ms, 0);
    return;
  }
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  napi_value argv[2];
  napi_create_int32(w->env, 0, &argv[0]);
  argv[1] = message_of(w->env, data, (size_t)n, &from, msg.msg_namelen, cbuf.buf,
                       msg.msg_control ? msg.msg_controllen : 0, msg.msg_flags);
  invoke(w, w->callback, 2, argv);
  napi_close_handle_scope(w->env, scope);
  return;
}

static void *reader_main(void *arg) {
  watch_t *w = arg;
  uint64_t due = w->due;
  struct pollfd fds[2] = {{.fd = w->fd, .events = POLLIN}, {.fd = w->stop_fd, .events = POLLIN}};
  for (;;) {
    uint64_t now = uv_hrtime();
    if (now >= due) {
      w->outcome = READER_DEADLINE;
      break;
    }
    struct timespec left = {.tv_sec = (time_t)((due - now) / 1000000000u),
                            .tv_nsec = (long)((due - now) % 1000000000u)};
    int r = ppoll(fds, 2, &left, NULL);
    if (r < 0 && errno != EINTR) {
      w->outcome = READER_ERROR;
      break;
    }
    if (r <= 0) continue;
    if (fds[1].revents) return NULL; /* stopped by the loop (READER_STOPPED) */
    if (!fds[0].revents) continue;
    struct iovec iov = {.iov_base = w->held.data, .iov_len = sizeof w->held.data};
    struct msghdr msg = {0};
    msg.msg_name = &w->held.from;
    msg.msg_namelen = sizeof w->held.from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = w->held.control;
    msg.msg_controllen = sizeof w->held.control;
    ssize_t n = recvmsg(w->fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      w->outcome = READER_ERROR; /* left queued for the JS reader, which sees the error itself */
      break;
    }
    if (!(msg.msg_flags & MSG_TRUNC) && same_datagram(w->tmpl, w->tlen, w->held.data, (size_t)n)) {
      now = uv_hrtime();
      atomic_store_explicit(&w->last_ns, now - w->started, memory_order_relaxed);
      atomic_fetch_add_explicit(&w->absorbed, 1, memory_order_release);
      due = w->due = now + w->deadline_ms * 1000000u;
      continue;
    }
    w->held.n = (size_t)n;
    w->held.alen = msg.msg_namelen;
    w->held.clen = msg.msg_control ? msg.msg_controllen : 0;
    w->held.flags = msg.msg_flags;
    w->outcome = READER_FOREIGN;
    break;
  }
  atomic_store_explicit(&w->reader_done, 1, memory_order_release);
  uv_async_send(&w->wake);
  return NULL;
}

/* Joins the reader (asking it to stop first when `stop`); a datagram it kept waits in `held`. */
static void reader_join(watch_t *w, int stop) {
  if (!w->reader_on) return;
  if (stop) {
    uint64_t one = 1;
    while (write(w->stop_fd, &one, sizeof one) < 0 && errno == EINTR) {
    }
  }
  pthread_join(w->reader, NULL);
  w->reader_on = 0;
  uint64_t drain;
  if (stop && read(w->stop_fd, &drain, sizeof drain) < 0) { /* cannot fail: written just above */
  }
  if (w->outcome == READER_FOREIGN) w->held_pending = 1;
  uv_unref((uv_handle_t *)&w->wake);
}

static void on_readable(uv_poll_t *p, int status, int events);

/* Hands the socket to a reader thread; without one (pthread_create failed) the loop reads as before. */
static void reader_start(watch_t *w) {
  if (w->reader_on || !w->absorbing || w->held_pending || w->stop_fd < 0 || !w->wake_inited) return;
  w->outcome = READER_STOPPED;
  atomic_store(&w->reader_done, 0);
  uv_poll_stop(&w->poll);
  uv_timer_stop(&w->deadline);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay with Node's threads */
  int err = pthread_create(&w->reader, NULL, reader_main, w);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (err) {
    uv_poll_start(&w->poll, UV_READABLE, on_readable);
    uv_timer_start(&w->deadline, on_deadline, w->deadline_ms, 0);
    return;
  }
  w->reader_on = 1;
  uv_ref((uv_handle_t *)&w->wake);
}

static void on_wake(uv_async_t *a) {
  watch_t *w = a->data;
  if (!w->active) return;
  if (w->reader_on && !atomic_load_explicit(&w->reader_done, memory_order_acquire)) return;
  reader_join(w, 0);
  int outcome = w->outcome;
  w->outcome = READER_STOPPED;
  if (outcome != READER_STOPPED || w->held_pending) uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (w->held_pending) {
    w->held_pending = 0;
    napi_handle_scope scope;
    napi_open_handle_scope(w->env, &scope);
    napi_value argv[2];
    napi_create_int32(w->env, 0, &argv[0]);
    argv[1] = message_of(w->env, w->held.data, w->held.n, &w->held.from, w->held.alen, w->held.control,
                         w->held.clen, w->held.flags);
    invoke(w, w->callback, 2, argv);
    napi_close_handle_scope(w->env, scope);
  } else if (outcome == READER_DEADLINE) {
    w->due = uv_hrtime() + w->deadline_ms * 1000000u; /* if still absorbing, as a copy would re-arm it */
    on_deadline(&w->deadline);
  } else if (outcome == READER_ERROR) {
    /* The loop reads again (absorb_queued), and the error reaches the JS reader once absorbing stops. */
    if (w->active && w->absorbing) uv_timer_start(&w->deadline, on_deadline, w->deadline_ms, 0);
    return;
  }
  if (w->active) reader_start(w);
}

static void on_readable(uv_poll_t *p, int status, int events) {
  (void)events;
  watch_t *w = p->data;
  if (!w->active) return;
  if (w->absorbing && status == 0) {
    absorb_queued(w);
    return;
  }
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value arg;
  napi_create_int32(env, status, &arg);
  invoke(w, w->callback, 1, &arg);
  napi_close_handle_scope(env, scope);
}

static void absorb_end(watch_t *w) {
  if (!w->absorbing) return;
  w->absorbing = 0;
  if (w->reader_on) {
    reader_join(w, 1);
    /* A datagram the reader kept goes to the callback first (on_wake, already signalled), then the rest. */
    if (!w->held_pending) uv_poll_start(&w->poll, UV_READABLE, on_readable);
    w->outcome = READER_STOPPED;
  }
  uv_timer_stop(&w->deadline);
  if (w->on_deadline) napi_delete_reference(w->env, w->on_deadline);
  w->on_deadline = NULL;
  free(w->tmpl);
  w->tmpl = NULL;
  w->tlen = 0;
}

static void watch_stop(watch_t *w) {
  if (!w->active) return;
  absorb_end(w);
  w->active = 0;
  uv_poll_stop(&w->poll);
  napi_delete_reference(w->env, w->callback);
  napi_async_destroy(w->env, w->async);
  w->poll.data = w;
  w->closing = 1 + (w->deadline_inited ? 1 : 0) + (w->wake_inited ? 1 : 0);
  uv_close((uv_handle_t *)&w->poll, on_closed);
  if (w->deadline_inited) uv_close((uv_handle_t *)&w->deadline, on_closed);
  if (w->wake_inited) uv_close((uv_handle_t *)&w->wake, on_closed);
  if (w->stop_fd >= 0) close(w->stop_fd);
  w->stop_fd = -1;
}

static napi_value js_poll_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype t = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &t);
  if (argc < 2 || !get_int(env, argv[0], &fd) || t != napi_function) {
    napi_throw_type_error(env, "EINVAL", "pollStart(fd, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watch_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "pollStart", ENOMEM);
  w->env = env;
  w->fd = fd;
  w->stop_fd = -1;
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc < 0) {
    free(w);
    return throw_errno(env, "uv_poll_init", -rc);
  }
  w->poll.data = w;
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_value name;
  napi_create_string_utf8(env, "floatip_sock.poll", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->async);
  w->active = 1;
  rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (rc < 0) {
    watch_stop(w);
    return throw_errno(env, "uv_poll_start", -rc);
  }
  napi_value ext;
  CHECK(napi_create_external(env, w, NULL, NULL, &ext));
  return ext;
}

static napi_value js_poll_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *w = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_external(env, argv[0], &w) != napi_ok || !w) {
    napi_throw_type_error(env, "EINVAL", "pollStop(handle)");
    return NULL;
  }
  watch_stop((watch_t *)w);
  return NULL;
}

/*
 * absorbStart(pollHandle, template, deadlineMs, onDeadline): from now on copies of `template` are counted
 * instead of handed over, and onDeadline() runs when none came for deadlineMs (counted from now, then from
 * each copy). absorbProgress / absorbStop(pollHandle) -> Float64Array [copies, lastAfterMs] (ms after the
 * start); absorbStop hands every datagram to the callback again.
 */
static watch_t *watch_of(napi_env env, napi_value v) {
  void *w = NULL;
  if (napi_get_value_external(env, v, &w) != napi_ok || !w || !((watch_t *)w)->active) return NULL;
  return w;
}

static napi_value absorb_progress_of(napi_env env, watch_t *w) {
  napi_value ab, arr;
  void *raw;
  if (napi_create_arraybuffer(env, 2 * sizeof(double), &raw, &ab) != napi_ok) return NULL;
  double *out = raw;
  out[0] = (double)atomic_load_explicit(&w->absorbed, memory_order_acquire);
  out[1] = (double)atomic_load_explicit(&w->last_ns, memory_order_relaxed) / 1e6;
  if (napi_create_typedarray(env, napi_float64_array, 2, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}

static napi_value js_absorb_start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *tmpl;
  size_t tlen;
  double deadline;
  napi_valuetype t = napi_undefined;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 4) napi_typeof(env, argv[3], &t);
  watch_t *w = argc >= 4 ? watch_of(env, argv[0]) : NULL;
  if (!w || !get_bytes(env, argv[1], &tmpl, &tlen) || !tmpl || tlen == 0 || tlen > 4096 ||
      napi_get_value_double(env, argv[2], &deadline) != napi_ok || !(deadline >= 1) || t != napi_function) {
    napi_throw_type_error(env, "EINVAL", "absorbStart(pollHandle, template, deadlineMs >= 1, onDeadline)");
    return NULL;
  }
  absorb_end(w);
  w->tmpl = malloc(tlen);
  if (!w->tmpl) return throw_errno(env, "absorbStart", ENOMEM);
  memcpy(w->tmpl, tmpl, tlen);
  w->tlen = tlen;
  if (!w->deadline_inited) {
    uv_loop_t *loop;
    CHECK(napi_get_uv_event_loop(env, &loop));
    uv_timer_init(loop, &w->deadline);
    w->deadline.data = w;
    w->deadline_inited = 1;
  }
  if (!w->wake_inited) {
    uv_loop_t *loop;
    CHECK(napi_get_uv_event_loop(env, &loop));
    if (uv_async_init(loop, &w->wake, on_wake) == 0) {
      w->wake.data = w;
      w->wake_inited = 1;
      uv_unref((uv_handle_t *)&w->wake);
      w->stop_fd = eventfd(0, EFD_CLOEXEC);
    }
  }
  napi_create_reference(env, argv[3], 1, &w->on_deadline);
  atomic_store(&w->absorbed, 0);
  atomic_store(&w->last_ns, 0);
  w->started = uv_hrtime();
  uint64_t ms = (uint64_t)deadline;
  if ((double)ms < deadline) ms++;
  w->deadline_ms = ms;
  w->absorbing = 1;
  uv_timer_start(&w->deadline, on_deadline, w->deadline_ms, 0);
  w->due = w->started + w->deadline_ms * 1000000u;
  reader_start(w);
  return NULL;
}

static napi_value js_absorb_progress(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watch_t *w = argc >= 1 ? watch_of(env, argv[0]) : NULL;
  if (!w) {
    napi_throw_type_error(env, "EINVAL", "absorbProgress(pollHandle)");
    return NULL;
  }
  return absorb_progress_of(env, w);
}

static napi_value js_absorb_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watch_t *w = argc >= 1 ? watch_of(env, argv[0]) : NULL;
  if (!w) {
    napi_throw_type_error(env, "EINVAL", "absorbStop(pollHandle)");
    return NULL;
  }
  absorb_end(w); /* the reader joined first: no copy is counted after the figures returned */
  return absorb_progress_of(env, w);
}

/*
 * execve(path, argv[], env[]): replaces this process (same pid). bin/floatip.mjs uses it to run the
 * agent under the project's Node 24 with its heap flags when the Node that started it (20 on some
 * machines) has no process.execve, so no launcher stays resident. Returns only on failure (throws).
 */
static char **string_array(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **out = calloc((size_t)n + 1, sizeof *out);
  if (!out) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    size_t len = 0;
    if (napi_get_element(env, arr, i, &v) != napi_ok ||
        napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || !(out[i] = malloc(len + 1))) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
    napi_get_value_string_utf8(env, v, out[i], len + 1, &len);
  }
  return out;
}

static void free_strings(char **a) {
  for (size_t i = 0; a && a[i]; i++) free(a[i]);
  free(a);
}

static napi_value js_execve(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char path[4096];
  size_t len = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char **args = argc >= 3 ? string_array(env, argv[1]) : NULL;
  char **envp = argc >= 3 ? string_array(env, argv[2]) : NULL;
  if (!args || !envp || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    free_strings(args);
    free_strings(envp);
    napi_throw_type_error(env, "EINVAL", "execve(path: string, argv: string[], env: string[])");
    return NULL;
  }
  /* Node marks its stdio close-on-exec; the new program must inherit them (as process.execve does). */
  for (int fd = 0; fd <= 2; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  execve(path, args, envp);
  int err = errno;
  free_strings(args);
  free_strings(envp);
  return throw_errno(env, "execve", err);
}

/* TCP_CHECK connects in batches: src/tcp-check.c. */
napi_value js_tcp_check_open(napi_env env, napi_callback_info info);
napi_value js_tcp_check_connect(napi_env env, napi_callback_info info);
napi_value js_tcp_check_close(napi_env env, napi_callback_info info);
napi_value js_tcp_check_pending(napi_env env, napi_callback_info info);
/* One datagram repeated by a libuv timer: src/repeat.c. */
napi_value js_repeat_start(napi_env env, napi_callback_info info);
napi_value js_repeat_progress(napi_env env, napi_callback_info info);
napi_value js_repeat_stop(napi_env env, napi_callback_info info);
napi_value js_tcp_check_repeat(napi_env env, napi_callback_info info);
napi_value js_tcp_check_cancel(napi_env env, napi_callback_info info);
napi_value js_tcp_check_quiet(napi_env env, napi_callback_info info);
napi_value js_tcp_check_lag(napi_env env, napi_callback_info info);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"socket", NULL, js_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setsockopt", NULL, js_setsockopt, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getsockopt", NULL, js_getsockopt, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bind", NULL, js_bind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendmsg", NULL, js_sendmsg, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvmsg", NULL, js_recvmsg, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pollStart", NULL, js_poll_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pollStop", NULL, js_poll_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ifNameToIndex", NULL, js_if_nametoindex, NULL, NULL, NULL, napi_enumerable, NULL},
      {"execve", NULL, js_execve, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mallocTrim", NULL, js_malloc_trim, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckOpen", NULL, js_tcp_check_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckConnect", NULL, js_tcp_check_connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckClose", NULL, js_tcp_check_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckPending", NULL, js_tcp_check_pending, NULL, NULL, NULL, napi_enumerable, NULL},
      {"absorbStart", NULL, js_absorb_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"absorbProgress", NULL, js_absorb_progress, NULL, NULL, NULL, napi_enumerable, NULL},
      {"absorbStop", NULL, js_absorb_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"repeatStart", NULL, js_repeat_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"repeatProgress", NULL, js_repeat_progress, NULL, NULL, NULL, napi_enumerable, NULL},
      {"repeatStop", NULL, js_repeat_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckRepeat", NULL, js_tcp_check_repeat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckCancel", NULL, js_tcp_check_cancel, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckQuiet", NULL, js_tcp_check_quiet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tcpCheckLag", NULL, js_tcp_check_lag, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
