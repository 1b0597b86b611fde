/*
 * repeatStart / repeatProgress / repeatStop: one datagram sent again and again by a libuv timer, without
 * calling into JavaScript. A VRRP master in its steady state sends the same advert every interval; at 10 ms
 * adverts, waking the JavaScript event loop for each one cost several times keepalived's CPU (bench:failover).
 * The VRRP service hands the repeat over only while its reducer says the next adverts change nothing but
 * counters and the timer (core/vrrp/fsm/steady.ts), and takes it back (repeatStop) before any other event.
 *
 *   repeatStart(fd, datagram, sockaddr, firstInMs, intervalMs) -> handle
 *   repeatProgress(handle) -> Float64Array [sent, lastAfterMs, failed]   (lastAfterMs: ms after the start)
 *   repeatStop(handle)     -> the same, and the timer stops for good
 *
 * An IPv4 datagram with its header (IP_HDRINCL) gets the next IP Identification and its header checksum
 * on every send, as the JavaScript sender does.
 */
#include <errno.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

typedef struct {
  uv_timer_t timer;
  int fd;
  unsigned char *data;
  size_t len;
  struct sockaddr_storage addr;
  socklen_t alen;
  uint64_t started;
  double sent;
  double last_after_ms;
  double failed;
  int active;
  /* Freed when both happened: libuv closed the timer, and V8 collected the handle. */
  int closed;
  int finalized;
} repeat_t;

static void repeat_closed(uv_handle_t *h) {
  repeat_t *r = h->data;
  free(r->data);
  r->data = NULL;
  r->closed = 1;
  if (r->finalized) free(r);
}

static void repeat_halt(repeat_t *r) {
  if (!r->active) return;
  r->active = 0;
  uv_timer_stop(&r->timer);
  uv_close((uv_handle_t *)&r->timer, repeat_closed);
}

static void repeat_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  repeat_t *r = data;
  r->finalized = 1;
  if (r->active) repeat_halt(r); /* dropped without repeatStop: stop sending, free once closed */
  else if (r->closed) free(r);
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

static void repeat_tick(uv_timer_t *t) {
  repeat_t *r = t->data;
  ipv4_next_id(r->data, r->len);
  ssize_t n = sendto(r->fd, r->data, r->len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&r->addr, r->alen);
  if (n < 0) {
    r->failed += 1;
    return;
  }
  r->sent += 1;
  r->last_after_ms = (double)(uv_hrtime() - r->started) / 1e6;
}

static napi_value progress_of(napi_env env, repeat_t *r) {
  napi_value ab, arr;
  void *raw;
  if (napi_create_arraybuffer(env, 3 * sizeof(double), &raw, &ab) != napi_ok) return NULL;
  double *out = raw;
  out[0] = r->sent;
  out[1] = r->last_after_ms;
  out[2] = r->failed;
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
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, "EINTERNAL", "repeatStart: no event loop");
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
  r->started = uv_hrtime();
  uv_timer_init(loop, &r->timer);
  r->timer.data = r;
  /* libuv timers have whole milliseconds; a fraction is rounded up, never early (as adapters/system/timers.ts). */
  uint64_t first_ms = (uint64_t)first;
  if ((double)first_ms < first) first_ms++;
  uint64_t every = (uint64_t)interval;
  if ((double)every < interval) every++;
  uv_timer_start(&r->timer, repeat_tick, first_ms, every);
  r->active = 1;
  napi_value ext;
  if (napi_create_external(env, r, repeat_finalize, NULL, &ext) != napi_ok) {
    r->finalized = 1;
    repeat_halt(r);
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
  napi_value out = progress_of(env, r);
  repeat_halt(r);
  return out;
}
