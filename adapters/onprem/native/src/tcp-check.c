/*
 * TCP_CHECK connects in C: many non-blocking connects watched by one epoll set, one libuv poll handle on
 * it and one libuv timer for the earliest deadline; results reach JavaScript in batches (one call per
 * turn of the event loop, an Int32Array of [token, errno] pairs; errno 0 means connected).
 *
 *   tcpCheckOpen(callback(results: Int32Array)) -> handle
 *   tcpCheckConnect(handle, token, fd, peerSockaddr, timeoutMs)
 *       fd -1: a socket of the peer's family is made here; otherwise the caller's unconnected socket
 *       (bind_if / fwmark / bindto applied, see probe-socket.ts) is taken over and closed when done.
 *   tcpCheckClose(handle)       pending connects are closed without a result
 *   tcpCheckPending(handle) -> number of connects in flight
 *
 * Deadlines are robust against a busy process: a connect's deadline counts from its connect() call
 * (CLOCK_MONOTONIC), and before any deadline is enforced the epoll set is drained, so a connect that the
 * kernel completed while this process waited for the CPU is reported connected, never timed out. A
 * starved checker therefore slows down; it does not declare healthy servers dead (bench:checker).
 */
#include <errno.h>
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

typedef struct {
  int fd; /* -1 when the slot is free */
  int32_t token;
  uint32_t gen;
  uint64_t deadline;
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
  int32_t *out; /* [token, errno] pairs not yet delivered */
  uint32_t nout, capout;
  uint32_t pending;
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
  return s->fd >= 0 && s->gen == d->gen;
}

static void emit(checker_t *c, int32_t token, int32_t err) {
  if (!grow((void **)&c->out, &c->capout, c->nout + 2, sizeof(int32_t))) return;
  c->out[c->nout++] = token;
  c->out[c->nout++] = err;
}

static void finish(checker_t *c, uint32_t idx, int32_t err) {
  slot_t *s = &c->slots[idx];
  /* close() takes the fd out of the epoll set (it is never duplicated): no EPOLL_CTL_DEL needed. */
  close(s->fd);
  s->fd = -1;
  s->gen++;
  c->free_list[c->nfree++] = idx;
  c->pending--;
  emit(c, s->token, err);
}

/* Completed connects first: whatever the kernel finished counts, however late this process looks. */
static void drain(checker_t *c) {
  struct epoll_event ev[256];
  for (;;) {
    int n = epoll_wait(c->ep, ev, 256, 0);
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      uint32_t idx = ev[i].data.u32;
      if (idx >= c->nslots || c->slots[idx].fd < 0) continue;
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

static void expire(checker_t *c) {
  uint64_t now = uv_hrtime();
  while (c->nheap) {
    due_t top = c->heap[0];
    if (!live(c, &top)) {
      heap_pop(c);
      continue;
    }
    if (top.deadline > now) break;
    heap_pop(c);
    finish(c, top.slot, ETIMEDOUT);
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
  /* The checker must not keep the process alive by itself; connects in flight hold it via the timer. */
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
      c->slots[i - 1].fd = -1;
      c->slots[i - 1].gen = 0;
      c->free_list[c->nfree++] = i - 1;
    }
    c->nslots = n;
  }
  *idx = c->free_list[--c->nfree];
  return 1;
}

static void start_connect(checker_t *c, int32_t token, int fd, const struct sockaddr *peer, socklen_t plen,
                          int32_t timeout_ms) {
  int rc = connect(fd, peer, plen);
  if (rc == 0 || errno != EINPROGRESS) {
    emit(c, token, rc == 0 ? 0 : errno);
    close(fd);
    uv_timer_start(&c->timer, on_timer, 0, 0); /* deliver on the next turn, never re-entrantly */
    return;
  }
  uint32_t idx;
  if (!take_slot(c, &idx)) {
    close(fd);
    emit(c, token, ENOMEM);
    uv_timer_start(&c->timer, on_timer, 0, 0);
    return;
  }
  slot_t *s = &c->slots[idx];
  s->fd = fd;
  s->token = token;
  s->deadline = uv_hrtime() + (uint64_t)timeout_ms * 1000000u;
  c->pending++;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = idx};
  if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) < 0 || !heap_push(c, (due_t){s->deadline, idx, s->gen})) {
    finish(c, idx, errno ? errno : ENOMEM);
    uv_timer_start(&c->timer, on_timer, 0, 0);
    return;
  }
  if (c->nheap == 1 || c->heap[0].slot == idx) rearm(c);
}

napi_value js_tcp_check_connect(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  void *ext = NULL;
  int32_t token, fd, timeout;
  void *peer;
  size_t plen;
  napi_typedarray_type tt;
  napi_value ab;
  size_t off;
  TC_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5 || napi_get_value_external(env, argv[0], &ext) != napi_ok || !ext ||
      napi_get_value_int32(env, argv[1], &token) != napi_ok ||
      napi_get_value_int32(env, argv[2], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[3], &tt, &plen, &peer, &ab, &off) != napi_ok ||
      tt != napi_uint8_array || plen < sizeof(sa_family_t) ||
      napi_get_value_int32(env, argv[4], &timeout) != napi_ok || timeout < 0) {
    napi_throw_type_error(env, "EINVAL", "tcpCheckConnect(handle, token, fd, sockaddr, timeoutMs)");
    return NULL;
  }
  checker_t *c = ext;
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
      emit(c, token, errno);
      uv_timer_start(&c->timer, on_timer, 0, 0);
      return NULL;
    }
  }
  start_connect(c, token, fd, (const struct sockaddr *)peer, (socklen_t)plen, timeout);
  return NULL;
}

napi_value js_tcp_check_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *ext = NULL;
  TC_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_external(env, argv[0], &ext) != napi_ok || !ext) {
    napi_throw_type_error(env, "EINVAL", "tcpCheckClose(handle)");
    return NULL;
  }
  checker_close(ext);
  return NULL;
}

napi_value js_tcp_check_pending(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  void *ext = NULL;
  TC_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_external(env, argv[0], &ext) != napi_ok || !ext) {
    napi_throw_type_error(env, "EINVAL", "tcpCheckPending(handle)");
    return NULL;
  }
  napi_create_uint32(env, ((checker_t *)ext)->pending, &out);
  return out;
}
