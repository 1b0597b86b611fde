/*
 * repeatStart / repeatProgress / repeatStop: one datagram sent again and again by a thread of its own,
 * without calling into JavaScript and without waking Node's event loop. A VRRP master in its steady state
 * sends the same advert every interval; at 10 ms adverts, waking the JavaScript event loop for each one cost
 * several times keepalived's CPU (bench:failover). A libuv timer on Node's loop took JavaScript out, but each
 * wake-up still ran Node's own per-iteration work (the immediate check handle opens a callback scope, the
 * idle-time poll, the profiler idle notifier): most of the remaining user time (perf, issue 14). The thread
 * sleeps in a blocking read() of a timerfd and does only the send: two system calls per advert (read,
 * sendto). repeatStop sets a flag and re-arms the timerfd to expire at once, which ends the read.
 * The VRRP service hands the repeat over only while its reducer says the next adverts change nothing but
 * counters and the timer (core/vrrp/fsm/steady.ts), and takes it back (repeatStop) before any other event;
 * repeatStop joins the thread, so no send of the repeat can follow it.
 *
 *   repeatStart(fd, datagram, sockaddr, firstInMs, intervalMs) -> handle
 *   repeatProgress(handle) -> Float64Array [sent, lastAfterMs, failed]   (lastAfterMs: ms after the start)
 *   repeatStop(handle)     -> the same, and the thread ends for good
 *
 * An IPv4 datagram with its header (IP_HDRINCL) gets the next IP Identification and its header checksum
 * on every send, as the JavaScript sender does.
 */
#include <errno.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <uv.h>

typedef struct repeat_s {
  pthread_t thread;
  int timer_fd;
  _Atomic int stop;
  int fd;
  unsigned char *data;
  size_t len;
  struct sockaddr_storage addr;
  socklen_t alen;
  uint64_t started;
  /* Written by the thread, read by repeatProgress on the main thread. */
  _Atomic uint64_t sent;
  _Atomic uint64_t failed;
  _Atomic uint64_t last_ns;
  /* Main thread only; the struct is freed when V8 collects the handle (after the thread was joined). */
  int active;
  /* Running repeats, main thread only: close(fd) halts the ones sending on fd before the fd is reused. */
  struct repeat_s *next_running;
} repeat_t;

static repeat_t *running = NULL;

static void repeat_halt(repeat_t *r) {
  if (!r->active) return;
  r->active = 0;
  for (repeat_t **p = &running; *p; p = &(*p)->next_running)
    if (*p == r) {
      *p = r->next_running;
      break;
    }
  /* The flag first, then an expiry now (one-shot, replacing the interval): the thread's read returns, it
   * sees the flag and ends. A send already under way finishes before the join returns. */
  atomic_store_explicit(&r->stop, 1, memory_order_release);
  struct itimerspec now = {.it_value = {.tv_sec = 0, .tv_nsec = 1}};
  timerfd_settime(r->timer_fd, 0, &now, NULL);
  pthread_join(r->thread, NULL);
  close(r->timer_fd);
  free(r->data);
  r->data = NULL;
}

static void repeat_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  repeat_t *r = data;
  repeat_halt(r); /* dropped without repeatStop: stop sending first */
  free(r);
}

static void ipv4_next_id(unsigned char *p, size_t len) {
  if (len < 20 || (p[0] >> 4) != 4) return;
  size_t ihl = (size_t)(p[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > len) return;
  unsigned id = (((unsigned)p[4] << 8) | p[5]) + 1;
  p[4] = (unsigned char)((id >> 8) & 0xff);
  p[5] = (unsigned char)(id & 0xff);
  p[10] = p[11] = 0;
  uint32_t sum = 0;
  for (size_t i = 0; i < ihl; i += 2) sum += ((uint32_t)p[i] << 8) | p[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  sum = ~sum & 0xffff;
  p[10] = (unsigned char)(sum >> 8);
  p[11] = (unsigned char)(sum & 0xff);
}

static void repeat_send(repeat_t *r) {
  ipv4_next_id(r->data, r->len);
  ssize_t n = sendto(r->fd, r->data, r->len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&r->addr, r->alen);
  if (n < 0) {
    atomic_fetch_add_explicit(&r->failed, 1, memory_order_relaxed);
    return;
  }
  atomic_store_explicit(&r->last_ns, uv_hrtime() - r->started, memory_order_relaxed);
  atomic_fetch_add_explicit(&r->sent, 1, memory_order_release);
}

static void *repeat_thread(void *arg) {
  repeat_t *r = arg;
  for (;;) {
    uint64_t expired;
    ssize_t n = read(r->timer_fd, &expired, sizeof expired);
    if (atomic_load_explicit(&r->stop, memory_order_acquire)) return NULL;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return NULL; /* the timerfd failed: no more sends (repeatProgress shows them stop) */
    /* Late by more than an interval (a stalled machine): one send, as a libuv repeat timer would. */
    if (n == sizeof expired) repeat_send(r);
  }
}

static napi_value progress_of(napi_env env, repeat_t *r) {
  napi_value ab, arr;
  void *raw;
  if (napi_create_arraybuffer(env, 3 * sizeof(double), &raw, &ab) != napi_ok) return NULL;
  double *out = raw;
  out[0] = (double)atomic_load_explicit(&r->sent, memory_order_acquire);
  out[1] = (double)atomic_load_explicit(&r->last_ns, memory_order_relaxed) / 1e6;
  out[2] = (double)atomic_load_explicit(&r->failed, memory_order_relaxed);
  if (napi_create_typedarray(env, napi_float64_array, 3, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}

static int get_u8(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_ta = false;
  napi_typedarray_type tt;
  napi_value ab;
  size_t off;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  if (napi_get_typedarray_info(env, v, &tt, len, data, &ab, &off) != napi_ok) return 0;
  return tt == napi_uint8_array;
}

napi_value js_repeat_start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int32_t fd;
  double first, interval;
  void *data, *addr;
  size_t dlen, alen;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || !get_u8(env, argv[1], &data, &dlen) ||
      !get_u8(env, argv[2], &addr, &alen) || napi_get_value_double(env, argv[3], &first) != napi_ok ||
      napi_get_value_double(env, argv[4], &interval) != napi_ok || dlen == 0 || dlen > 65535 ||
      alen > sizeof(struct sockaddr_storage) || !(interval >= 1) || !(first >= 0)) {
    napi_throw_type_error(env, "EINVAL",
                          "repeatStart(fd, datagram, sockaddr, firstInMs >= 0, intervalMs >= 1)");
    return NULL;
  }
  repeat_t *r = calloc(1, sizeof *r);
  unsigned char *copy = malloc(dlen);
  if (!r || !copy) {
    free(r);
    free(copy);
    napi_throw_error(env, "ENOMEM", "repeatStart: out of memory");
    return NULL;
  }
  memcpy(copy, data, dlen);
  r->fd = fd;
  r->data = copy;
  r->len = dlen;
  memcpy(&r->addr, addr, alen);
  r->alen = (socklen_t)alen;
  r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  /* timerfd keeps nanoseconds: never early, and no whole-millisecond rounding as with a libuv timer. */
  uint64_t first_ns = (uint64_t)(first * 1e6), every_ns = (uint64_t)(interval * 1e6);
  struct itimerspec spec = {
      .it_value = {.tv_sec = (time_t)(first_ns / 1000000000u), .tv_nsec = (long)(first_ns % 1000000000u)},
      .it_interval = {.tv_sec = (time_t)(every_ns / 1000000000u), .tv_nsec = (long)(every_ns % 1000000000u)},
  };
  if (first_ns == 0) spec.it_value.tv_nsec = 1; /* a zero it_value would disarm the timer */
  int err = 0;
  if (r->timer_fd < 0) err = errno;
  r->started = uv_hrtime();
  if (!err && timerfd_settime(r->timer_fd, 0, &spec, NULL) < 0) err = errno;
  if (!err) {
    /* Signals stay with Node's threads: the sender blocks them all (it inherits the mask at creation). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&r->thread, NULL, repeat_thread, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
  }
  if (err) {
    if (r->timer_fd >= 0) close(r->timer_fd);
    free(copy);
    free(r);
    napi_value code, msg, e;
    napi_create_string_utf8(env, "ESYSCALL", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &e);
    napi_throw(env, e);
    return NULL;
  }
  r->active = 1;
  r->next_running = running;
  running = r;
  napi_value ext;
  if (napi_create_external(env, r, repeat_finalize, NULL, &ext) != napi_ok) {
    repeat_halt(r);
    free(r);
    napi_throw_error(env, "EINTERNAL", "repeatStart: cannot make a handle");
    return NULL;
  }
  return ext;
}

static repeat_t *handle_of(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *r = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], &r) != napi_ok || !r) {
    napi_throw_type_error(env, "EINVAL", "repeat handle expected");
    return NULL;
  }
  return r;
}

napi_value js_repeat_progress(napi_env env, napi_callback_info info) {
  repeat_t *r = handle_of(env, info);
  return r ? progress_of(env, r) : NULL;
}

napi_value js_repeat_stop(napi_env env, napi_callback_info info) {
  repeat_t *r = handle_of(env, info);
  if (!r) return NULL;
  repeat_halt(r); /* joined first: the figures returned are final, no send can follow them */
  return progress_of(env, r);
}

/* Called by close(fd) before the descriptor is closed: a sender must never outlive its socket, or it would
 * send on whatever socket gets the number next. */
void repeat_halt_fd(int fd) {
  repeat_t *r = running;
  while (r) {
    repeat_t *next = r->next_running;
    if (r->fd == fd) repeat_halt(r);
    r = next;
  }
}
