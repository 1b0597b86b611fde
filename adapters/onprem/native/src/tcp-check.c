/*
 * TCP_CHECK connects in C: many non-blocking connects watched by one epoll set, one libuv poll handle on
 * it and one libuv timer for the earliest deadline; results reach JavaScript in batches (one call per
 * turn of the event loop, an Int32Array of [token, errno, elapsedMs] triples; errno 0 means connected).
 *
 *   tcpCheckOpen(callback(results: Int32Array)) -> handle
 *   tcpCheckConnect(handle, token, fd, peerSockaddr, timeoutMs)
 *       fd -1: a socket of the peer's family is made here; otherwise the caller's unconnected socket
 *       (bind_if / fwmark / bindto applied, see probe-socket.ts) is taken over and closed when done.
 *   tcpCheckRepeat(handle, token, peerSockaddr, timeoutMs, everyMs) -> id
 *       a connect now and, while connects succeed, another everyMs after each one ended, reporting
 *       nothing; the first failed connect is reported (token, errno) and ends the chain. The health
 *       engine asks for this only where a success would change nothing it knows (core/health engine.ts
 *       repeatMs), so a healthy server costs JavaScript nothing between failures.
 *   tcpCheckCancel(handle, id, token)   ends a chain (or a connect) without a result
 *   tcpCheckClose(handle)       pending connects and chains are closed without a result
 *   tcpCheckPending(handle) -> number of connects in flight
 *   tcpCheckQuiet(handle) -> successful connects of chains so far (never reported one by one)
 *   tcpCheckLag(handle) -> ms the latest chain connect started after its due time, the most since the
 *       last call (a starved process starts them late: the agent's lag warning and metric)
 *
 * Deadlines are robust against a busy process: a connect's deadline counts from its connect() call
 * (CLOCK_MONOTONIC), and before any deadline is enforced the epoll set is drained, so a connect that the
 * kernel completed while this process waited for the CPU is reported connected, never timed out. A
 * starved checker therefore slows down; it does not declare healthy servers dead (bench:checker).
 */
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define TC_CHECK(call)                                                                                       \
  do {                                                                                                       \
    if ((call) != napi_ok) {                                                                                 \
      napi_throw_error(env, "EINTERNAL", "floatip_sock: Node-API call failed: " #call);                      \
      return NULL;                                                                                           \
    }                                                                                                        \
  } while (0)

/* A chain re-arms itself in C; more than this many due connects in one service call yield to the loop. */
#define MAX_STARTS_PER_TURN 2048

enum { SLOT_FREE = 0, SLOT_CONNECTING = 1, SLOT_WAITING = 2 };

typedef union {
  struct sockaddr sa;
  struct sockaddr_in in4;
  struct sockaddr_in6 in6;
} peer_t;

typedef struct {
  int fd; /* the socket while connecting, else -1 */
  uint8_t state;
  uint8_t repeat; /* a chain (tcpCheckRepeat): successes re-arm silently */
  int32_t token;
  uint32_t gen;         /* bumped on every state change: heap entries of an older state are skipped */
  uint64_t deadline;    /* connecting: when it times out; waiting: when the next connect starts */
  uint64_t started;     /* the last connect() call */
  uint32_t timeout_ms;  /* chains only (one-shot connects keep theirs in the deadline) */
  uint32_t every_ms;    /* chains only */
  socklen_t plen;       /* chains only */
  peer_t peer;          /* chains only */
} slot_t;

typedef struct {
  uint64_t deadline;
  uint32_t slot;
  uint32_t gen;
} due_t;

typedef struct {
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int ep;
  uv_poll_t poll;
  uv_timer_t timer;
  int closing;
  int finalized;
  int handles_open;
  slot_t *slots;
  uint32_t nslots, *free_list, nfree;
  due_t *heap; /* min-heap by deadline; entries whose slot moved on (gen) are skipped */
  uint32_t nheap, capheap;
  int32_t *out; /* [token, errno, elapsedMs] triples not yet delivered */
  uint32_t nout, capout;
  uint32_t pending;
  double quiet; /* chain successes (a double: counts past 2^32 over months) */
  uint64_t lag;  /* the most a chain connect started past its due time since tcpCheckLag, ns */
} checker_t;

static int grow(void **p, uint32_t *cap, uint32_t need, size_t size) {
  if (need <= *cap) return 1;
  uint32_t n = *cap ? *cap * 2 : 256;
  while (n < need) n *= 2;
  void *q = realloc(*p, (size_t)n * size);
  if (!q) return 0;
  *p = q;
  *cap = n;
  return 1;
}

static int heap_push(checker_t *c, due_t d) {
  if (!grow((void **)&c->heap, &c->capheap, c->nheap + 1, sizeof(due_t))) return 0;
  uint32_t i = c->nheap++;
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (c->heap[parent].deadline <= d.deadline) break;
    c->heap[i] = c->heap[parent];
    i = parent;
  }
  c->heap[i] = d;
  return 1;
}

static void heap_pop(checker_t *c) {
  due_t last = c->heap[--c->nheap];
  uint32_t i = 0, n = c->nheap;
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    uint64_t best = last.deadline;
    if (l < n && c->heap[l].deadline < best) m = l, best = c->heap[l].deadline;
    if (r < n && c->heap[r].deadline < best) m = r;
    if (m == i) break;
    c->heap[i] = c->heap[m];
    i = m;
  }
  if (n) c->heap[i] = last;
}

static int live(checker_t *c, const due_t *d) {
  const slot_t *s = &c->slots[d->slot];
  return s->state != SLOT_FREE && s->gen == d->gen;
}

static void emit(checker_t *c, int32_t token, int32_t err, uint64_t started) {
  if (!grow((void **)&c->out, &c->capout, c->nout + 3, sizeof(int32_t))) return;
  uint64_t now = uv_hrtime();
  uint64_t ms = started && now > started ? (now - started) / 1000000u : 0;
  c->out[c->nout++] = token;
  c->out[c->nout++] = err;
  c->out[c->nout++] = ms > INT32_MAX ? INT32_MAX : (int32_t)ms;
}

static void release_slot(checker_t *c, uint32_t idx) {
  slot_t *s = &c->slots[idx];
  if (s->fd >= 0) {
    /* close() takes the fd out of the epoll set (it is never duplicated): no EPOLL_CTL_DEL needed. */
    close(s->fd);
    s->fd = -1;
    c->pending--;
  }
  s->state = SLOT_FREE;
  s->gen++;
  c->free_list[c->nfree++] = idx;
}

/* A connect ended: a chain's success waits for its next turn, anything else is reported. */
static void finish(checker_t *c, uint32_t idx, int32_t err) {
  slot_t *s = &c->slots[idx];
  if (err == 0 && s->repeat) {
    close(s->fd);
    s->fd = -1;
    c->pending--;
    c->quiet += 1;
    s->state = SLOT_WAITING;
    s->gen++;
    s->deadline = uv_hrtime() + (uint64_t)s->every_ms * 1000000u;
    if (heap_push(c, (due_t){s->deadline, idx, s->gen})) return;
    err = ENOMEM; /* cannot re-arm: report it rather than go silent */
  }
  emit(c, s->token, err, s->started);
  release_slot(c, idx);
}

/* Completed connects first: whatever the kernel finished counts, however late this process looks. */
static void drain(checker_t *c) {
  struct epoll_event ev[256];
  for (;;) {
    int n = epoll_wait(c->ep, ev, 256, 0);
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      uint32_t idx = ev[i].data.u32;
      if (idx >= c->nslots || c->slots[idx].state != SLOT_CONNECTING) continue;
      /* Writable without an error condition means connected (no SO_ERROR read: one syscall less per
       * check); a failed connect raises EPOLLERR, whose cause SO_ERROR gives. */
      int err = 0;
      if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
        socklen_t len = sizeof err;
        if (getsockopt(c->slots[idx].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        if (err == 0) err = ECONNRESET;
      } else if (!(ev[i].events & EPOLLOUT)) {
        err = ECONNRESET;
      }
      finish(c, idx, err);
    }
    if (n < 256) return;
  }
}

/* Starts the connect of slot idx on fd; returns 0, or the errno that ended it at once (slot still set). */
static int launch(checker_t *c, uint32_t idx, int fd, const struct sockaddr *peer, socklen_t plen,
                  uint64_t timeout_ns) {
  slot_t *s = &c->slots[idx];
  s->fd = fd;
  s->state = SLOT_CONNECTING;
  s->gen++;
  s->started = uv_hrtime();
  c->pending++;
  int rc = connect(fd, peer, plen);
  if (rc == 0) return -1; /* connected at once (the caller finishes it with 0) */
  if (errno != EINPROGRESS) return errno;
  s->deadline = s->started + timeout_ns;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = idx};
  if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) < 0) return errno;
  if (!heap_push(c, (due_t){s->deadline, idx, s->gen})) return ENOMEM;
  return 0;
}

/* A chain's next connect is due. */
static void chain_next(checker_t *c, uint32_t idx) {
  slot_t *s = &c->slots[idx];
  int fd = socket(s->peer.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    emit(c, s->token, errno, 0);
    release_slot(c, idx);
    return;
  }
  int err = launch(c, idx, fd, &s->peer.sa, s->plen, (uint64_t)s->timeout_ms * 1000000u);
  if (err != 0) finish(c, idx, err < 0 ? 0 : err);
}

static void expire(checker_t *c) {
  uint64_t now = uv_hrtime();
  uint32_t started = 0;
  while (c->nheap) {
    due_t top = c->heap[0];
    if (!live(c, &top)) {
      heap_pop(c);
      continue;
    }
    if (top.deadline > now) break;
    if (c->slots[top.slot].state == SLOT_WAITING && started >= MAX_STARTS_PER_TURN) break;
    heap_pop(c);
    if (c->slots[top.slot].state == SLOT_CONNECTING)
      finish(c, top.slot, ETIMEDOUT);
    else {
      started++;
      if (now - top.deadline > c->lag) c->lag = now - top.deadline;
      chain_next(c, top.slot);
    }
  }
}

static void deliver(checker_t *c) {
  if (c->nout == 0 || c->closing) return;
  napi_env env = c->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  void *data;
  napi_value ab, arr, cb, recv, result;
  size_t bytes = (size_t)c->nout * sizeof(int32_t);
  napi_create_arraybuffer(env, bytes, &data, &ab);
  memcpy(data, c->out, bytes);
  napi_create_typedarray(env, napi_int32_array, c->nout, ab, 0, &arr);
  c->nout = 0;
  napi_get_reference_value(env, c->callback, &cb);
  napi_get_global(env, &recv);
  napi_status st = napi_make_callback(env, c->async, recv, cb, 1, &arr, &result);
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_timer(uv_timer_t *t);

static void rearm(checker_t *c) {
  if (c->closing) return;
  while (c->nheap && !live(c, &c->heap[0])) heap_pop(c);
  if (c->nheap == 0) {
    uv_timer_stop(&c->timer);
    return;
  }
  uint64_t now = uv_hrtime(), at = c->heap[0].deadline;
  uint64_t ms = at > now ? (at - now + 999999) / 1000000 : 0;
  uv_timer_start(&c->timer, on_timer, ms, 0);
}

static void service(checker_t *c) {
  drain(c);
  expire(c);
  deliver(c);
  rearm(c);
}

static void on_timer(uv_timer_t *t) { service(t->data); }

static void on_ready(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  service(p->data);
}

/* The struct lives until both libuv handles are closed and JavaScript has dropped its handle. */
static void release(checker_t *c) {
  if (c->handles_open > 0 || !c->finalized) return;
  free(c->slots);
  free(c->free_list);
  free(c->heap);
  free(c->out);
  free(c);
}

static void on_handle_closed(uv_handle_t *h) {
  checker_t *c = h->data;
  c->handles_open--;
  release(c);
}

static void checker_close(checker_t *c) {
  if (c->closing) return;
  c->closing = 1;
  for (uint32_t i = 0; i < c->nslots; i++)
    if (c->slots[i].fd >= 0) close(c->slots[i].fd);
  uv_poll_stop(&c->poll);
  uv_timer_stop(&c->timer);
  close(c->ep);
  napi_delete_reference(c->env, c->callback);
  napi_async_destroy(c->env, c->async);
  uv_close((uv_handle_t *)&c->poll, on_handle_closed);
  uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  checker_t *c = data;
  c->finalized = 1;
  checker_close(c);
  release(c);
}

static napi_value tc_throw(napi_env env, const char *what, int err) {
  const char *name = strerrorname_np(err);
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(err), name ? name : "?");
  napi_throw_error(env, name ? name : "EUNKNOWN", msg);
  return NULL;
}

napi_value js_tcp_check_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  TC_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t != napi_function) {
    napi_throw_type_error(env, "EINVAL", "tcpCheckOpen(callback)");
    return NULL;
  }
  uv_loop_t *loop;
  TC_CHECK(napi_get_uv_event_loop(env, &loop));
  checker_t *c = calloc(1, sizeof *c);
  if (!c) return tc_throw(env, "tcpCheckOpen", ENOMEM);
  c->env = env;
  c->ep = epoll_create1(EPOLL_CLOEXEC);
  if (c->ep < 0) {
    int err = errno;
    free(c);
    return tc_throw(env, "epoll_create1", err);
  }
  int rc = uv_poll_init(loop, &c->poll, c->ep);
  if (rc < 0) {
    close(c->ep);
    free(c);
    return tc_throw(env, "uv_poll_init", -rc);
  }
  uv_timer_init(loop, &c->timer);
  c->poll.data = c;
  c->timer.data = c;
  c->handles_open = 2;
  napi_create_reference(env, argv[0], 1, &c->callback);
  napi_value name;
  napi_create_string_utf8(env, "floatip_sock.tcpCheck", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &c->async);
  uv_poll_start(&c->poll, UV_READABLE, on_ready);
  /* The checker must not keep the process alive by itself; connects in flight and chains hold it via
   * the timer. */
  uv_unref((uv_handle_t *)&c->poll);
  napi_value ext;
  TC_CHECK(napi_create_external(env, c, on_finalize, NULL, &ext));
  return ext;
}

static int take_slot(checker_t *c, uint32_t *idx) {
  if (c->nfree == 0) {
    uint32_t cap = c->nslots, n = c->nslots ? c->nslots * 2 : 256;
    slot_t *s = realloc(c->slots, n * sizeof *s);
    if (!s) return 0;
    c->slots = s;
    uint32_t *f = realloc(c->free_list, n * sizeof *f);
    if (!f) return 0;
    c->free_list = f;
    for (uint32_t i = n; i > cap; i--) {
      memset(&c->slots[i - 1], 0, sizeof *s);
      c->slots[i - 1].fd = -1;
      c->free_list[c->nfree++] = i - 1;
    }
    c->nslots = n;
  }
  *idx = c->free_list[--c->nfree];
  return 1;
}

/* Results made synchronously are delivered on the next turn, never re-entrantly. */
static void deliver_soon(checker_t *c) { uv_timer_start(&c->timer, on_timer, 0, 0); }

static void start_connect(checker_t *c, int32_t token, int fd, const struct sockaddr *peer, socklen_t plen,
                          int32_t timeout_ms) {
  uint32_t idx;
  if (!take_slot(c, &idx)) {
    close(fd);
    emit(c, token, ENOMEM, 0);
    deliver_soon(c);
    return;
  }
  slot_t *s = &c->slots[idx];
  s->token = token;
  s->repeat = 0;
  int err = launch(c, idx, fd, peer, plen, (uint64_t)timeout_ms * 1000000u);
  if (err != 0) {
    finish(c, idx, err < 0 ? 0 : err);
    deliver_soon(c);
    return;
  }
  if (c->heap[0].slot == idx) rearm(c);
}

static checker_t *checker_arg(napi_env env, napi_value v) {
  void *ext = NULL;
  if (napi_get_value_external(env, v, &ext) != napi_ok) return NULL;
  return ext;
}

napi_value js_tcp_check_connect(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  int32_t token, fd, timeout;
  void *peer;
  size_t plen;
  napi_typedarray_type tt;
  napi_value ab;
  size_t off;
  TC_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  checker_t *c = argc >= 5 ? checker_arg(env, argv[0]) : NULL;
  if (!c || napi_get_value_int32(env, argv[1], &token) != napi_ok ||
      napi_get_value_int32(env, argv[2], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[3], &tt, &plen, &peer, &ab, &off) != napi_ok ||
      tt != napi_uint8_array || plen < sizeof(sa_family_t) ||
      napi_get_value_int32(env, argv[4], &timeout) != napi_ok || timeout < 0) {
    napi_throw_type_error(env, "EINVAL", "tcpCheckConnect(handle, token, fd, sockaddr, timeoutMs)");
    return NULL;
  }
  if (c->closing) {
    if (fd >= 0) close(fd);
    napi_throw_error(env, "EBADF", "tcpCheckConnect: the checker is closed");
    return NULL;
  }
  if (fd < 0) {
    sa_family_t family;
    memcpy(&family, peer, sizeof family);
    fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      emit(c, token, errno, 0);
      deliver_soon(c);
      return NULL;
    }
  }
  start_connect(c, token, fd, (const struct sockaddr *)peer, (socklen_t)plen, timeout);
  return NULL;
}

napi_value js_tcp_check_repeat(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], out;
  int32_t token, timeout, every;
  void *peer;
  size_t plen;
  napi_typedarray_type tt;
  napi_value ab;
  size_t off;
  TC_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  checker_t *c = argc >= 5 ? checker_arg(env, argv[0]) : NULL;
  if (!c || napi_get_value_int32(env, argv[1], &token) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &tt, &plen, &peer, &ab, &off) != napi_ok ||
      tt != napi_uint8_array || plen < sizeof(sa_family_t) || plen > sizeof(peer_t) ||
      napi_get_value_int32(env, argv[3], &timeout) != napi_ok || timeout < 0 ||
      napi_get_value_int32(env, argv[4], &every) != napi_ok || every < 0) {
    napi_throw_type_error(env, "EINVAL", "tcpCheckRepeat(handle, token, sockaddr, timeoutMs, everyMs)");
    return NULL;
  }
  if (c->closing) {
    napi_throw_error(env, "EBADF", "tcpCheckRepeat: the checker is closed");
    return NULL;
  }
  uint32_t idx;
  if (!take_slot(c, &idx)) {
    emit(c, token, ENOMEM, 0);
    deliver_soon(c);
    napi_create_int32(env, -1, &out);
    return out;
  }
  slot_t *s = &c->slots[idx];
  s->token = token;
  s->repeat = 1;
  s->timeout_ms = (uint32_t)timeout;
  s->every_ms = (uint32_t)every;
  s->plen = (socklen_t)plen;
  memset(&s->peer, 0, sizeof s->peer);
  memcpy(&s->peer, peer, plen);
  chain_next(c, idx);
  if (c->nout) deliver_soon(c); /* failed at once: reported on the next turn */
  else if (s->state == SLOT_CONNECTING && c->heap[0].slot == idx) rearm(c);
  else if (s->state == SLOT_WAITING) rearm(c);
  napi_create_int32(env, (int32_t)idx, &out);
  return out;
}

napi_value js_tcp_check_cancel(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t id, token;
  TC_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  checker_t *c = argc >= 3 ? checker_arg(env, argv[0]) : NULL;
  if (!c || napi_get_value_int32(env, argv[1], &id) != napi_ok ||
      napi_get_value_int32(env, argv[2], &token) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "tcpCheckCancel(handle, id, token)");
    return NULL;
  }
  if (c->closing || id < 0 || (uint32_t)id >= c->nslots) return NULL;
  slot_t *s = &c->slots[id];
  /* Its heap entries go stale with the generation; the timer is re-armed lazily by the next service. */
  if (s->state != SLOT_FREE && s->token == token) release_slot(c, (uint32_t)id);
  return NULL;
}

static checker_t *only_handle(napi_env env, napi_callback_info info, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  checker_t *c = argc >= 1 ? checker_arg(env, argv[0]) : NULL;
  if (!c) napi_throw_type_error(env, "EINVAL", usage);
  return c;
}

napi_value js_tcp_check_close(napi_env env, napi_callback_info info) {
  checker_t *c = only_handle(env, info, "tcpCheckClose(handle)");
  if (c) checker_close(c);
  return NULL;
}

napi_value js_tcp_check_pending(napi_env env, napi_callback_info info) {
  checker_t *c = only_handle(env, info, "tcpCheckPending(handle)");
  if (!c) return NULL;
  napi_value out;
  napi_create_uint32(env, c->pending, &out);
  return out;
}

napi_value js_tcp_check_quiet(napi_env env, napi_callback_info info) {
  checker_t *c = only_handle(env, info, "tcpCheckQuiet(handle)");
  if (!c) return NULL;
  napi_value out;
  napi_create_double(env, c->quiet, &out);
  return out;
}

napi_value js_tcp_check_lag(napi_env env, napi_callback_info info) {
  checker_t *c = only_handle(env, info, "tcpCheckLag(handle)");
  if (!c) return NULL;
  napi_value out;
  napi_create_double(env, (double)c->lag / 1e6, &out);
  c->lag = 0;
  return out;
}
