/**
 * The status page: one HTML document, one script, one style sheet, served by the control plane's hono
 * app. The page holds no data and no secret: the operator signs in with a read-scoped token, kept in this
 * tab's sessionStorage, and the script reads `/v1/status/events` (server-sent events over fetch, so the
 * token travels in the Authorization header, never in a URL). Everything shown is set with textContent.
 *
 * Accessible: landmarks and headings, labelled form, tables with captions and header cells, every state
 * written as a word (colour only repeats it), visible focus, changes of holder announced in a live region.
 */

export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>floatip status</title>
<link rel="stylesheet" href="/status.css">
<script src="/status.js" defer></script>
</head>
<body>
<header>
<h1>floatip status</h1>
<p id="connection" role="status">Not signed in</p>
</header>
<main>
<section id="login" aria-labelledby="login-title">
<h2 id="login-title">Sign in</h2>
<form id="login-form">
<label for="token">Token with scope <code>read</code></label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Show status</button>
</form>
<p id="login-error" role="alert"></p>
</section>
<div id="status" hidden>
<section aria-labelledby="groups-title"><h2 id="groups-title">Groups</h2><div id="groups"></div></section>
<section aria-labelledby="timeline-title"><h2 id="timeline-title">Failover timeline</h2><div id="timeline"></div></section>
<section aria-labelledby="queue-title"><h2 id="queue-title">Job queue</h2><div id="queue"></div></section>
<section aria-labelledby="agents-title"><h2 id="agents-title">Agents</h2><div id="agents"></div></section>
<p><button id="sign-out" type="button">Sign out</button></p>
</div>
<div id="announce" class="visually-hidden" aria-live="polite"></div>
</main>
</body>
</html>
`;

export const pageCss = `:root { color-scheme: light; --fg: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8;
  --ok: #0b6b2e; --ok-bg: #e6f4ea; --bad: #a11212; --bad-bg: #fdeaea; --hold: #0b4a8b; --hold-bg: #e7f0fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--fg); background: #fff; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; padding: 0.75rem 1.25rem;
  border-bottom: 1px solid var(--line); }
h1 { font-size: 1.35rem; margin: 0; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.25rem; }
main { padding: 0 1.25rem 2rem; max-width: 72rem; }
#connection { margin: 0; color: var(--muted); }
table { border-collapse: collapse; margin: 0.25rem 0 0.75rem; min-width: 20rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { text-align: left; padding: 0.3rem 0.75rem 0.3rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
.state { display: inline-block; padding: 0 0.4rem; border-radius: 0.25rem; font-weight: 600; }
.state-up, .state-ok, .state-MASTER { color: var(--ok); background: var(--ok-bg); }
.state-down, .state-FAULT, .state-give-up, .state-conflict, .state-failed { color: var(--bad); background: var(--bad-bg); }
.state-holder { color: var(--hold); background: var(--hold-bg); }
.summary { margin: 0.25rem 0; }
.muted { color: var(--muted); }
label { display: block; margin: 0.5rem 0 0.25rem; }
input { font: inherit; padding: 0.35rem 0.5rem; min-width: 18rem; border: 1px solid #6b6b6b; border-radius: 0.25rem; }
button { font: inherit; padding: 0.35rem 0.9rem; margin-top: 0.5rem; border: 1px solid #1d4f91;
  background: #1d4f91; color: #fff; border-radius: 0.25rem; cursor: pointer; }
#sign-out { background: #fff; color: #1d4f91; }
:focus-visible { outline: 3px solid #c05c00; outline-offset: 2px; }
#login-error { color: var(--bad); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content max-content; gap: 0.15rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
`;

// Plain browser JavaScript (no build step). Written without template literals so it can sit in this
// String.raw literal; test/adapters/http/status-page.test.ts compiles it.
export const pageScript = String.raw`'use strict';
(function () {
  var KEY = 'floatip-status-token';
  var holders = {};
  var abort = null;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function state(word, kind) { return el('span', { 'class': 'state state-' + (kind || word), text: word }); }
  function time(ms) { return ms ? new Date(ms).toLocaleTimeString() : '-'; }
  function ago(ms, now) {
    var s = Math.max(0, Math.round((now - ms) / 1000));
    return s < 90 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
  }
  function table(caption, heads, rows) {
    var head = el('tr', null, heads.map(function (h) { return el('th', { scope: 'col', text: h }); }));
    var body = rows.map(function (r) {
      return el('tr', null, r.map(function (cell, i) {
        var c = el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : null);
        c.appendChild(typeof cell === 'string' ? document.createTextNode(cell) : cell);
        return c;
      }));
    });
    return el('table', null, [el('caption', { text: caption }), el('thead', null, [head]), el('tbody', null, body)]);
  }
  function replace(id, nodes) {
    var box = $(id);
    while (box.firstChild) box.removeChild(box.firstChild);
    nodes.forEach(function (n) { box.appendChild(n); });
  }

  function groups(list) {
    return list.map(function (g) {
      var members = g.members.map(function (m) {
        return [m.id, String(m.priority), state(m.health), m.holder ? state('holder') : el('span', { text: 'standby' })];
      });
      return el('section', { 'class': 'group', 'data-group': g.id }, [
        el('h3', { text: g.id }),
        el('p', { 'class': 'summary' }, [
          'Holder: ', el('strong', { 'class': 'holder', text: g.holder === null ? 'nobody' : g.holder }),
          ' · epoch ', el('span', { 'class': 'epoch', text: String(g.epoch) }),
          ' · updated ' + time(g.updatedAtMs),
        ]),
        table('Members of ' + g.id, ['Member', 'Priority', 'Health', 'Role'], members),
        el('p', { 'class': 'muted', text: 'Resources: ' + g.resources.map(function (r) { return r.id + ' (' + r.provider + ' ' + r.kind + ')'; }).join(', ') }),
      ]);
    });
  }

  function timeline(entries) {
    if (entries.length === 0) return [el('p', { 'class': 'muted', text: 'No failovers yet.' })];
    var rows = entries.map(function (e) {
      return [time(e.atMs), e.group, e.action, (e.from === null ? 'nobody' : e.from) + ' → ' + (e.to === null ? 'nobody' : e.to),
        state(e.outcome), e.source + ': ' + e.reason, e.durationMs === null ? '-' : e.durationMs + ' ms',
        e.writes + ' write(s) of ' + e.calls + ' call(s)'];
    });
    return [table('Newest first', ['When', 'Group', 'Action', 'Move', 'Outcome', 'Trigger', 'Duration', 'Provider calls'], rows)];
  }

  function queue(counts) {
    if (!counts) return [el('p', { 'class': 'muted', text: 'This runtime does not count its queue.' })];
    var items = [];
    ['waiting', 'active', 'delayed', 'failed', 'completed'].forEach(function (k) {
      if (counts[k] === undefined) return;
      items.push(el('dt', { text: k }), el('dd', { 'data-queue': k, text: String(counts[k]) }));
    });
    return [el('dl', null, items)];
  }

  function service(s) {
    var k = s.key;
    var name = k.kind === 'fwmark' ? 'fwmark ' + k.fwmark : k.protocol.toUpperCase() + ' ' + k.addr + ':' + k.port;
    var up = s.destinations.filter(function (d) { return d.weight > 0; }).length;
    var list = s.destinations.map(function (d) { return d.addr + ':' + d.port + (d.weight > 0 ? ' up (weight ' + d.weight + ')' : ' down (weight 0)'); });
    return [name, s.scheduler, up + ' up, ' + (s.destinations.length - up) + ' down', list.join('; ') || '-'];
  }

  function agents(list, now) {
    if (list.length === 0) return [el('p', { 'class': 'muted', text: 'No agent has reported (floatip agent --report-to URL).' })];
    return list.map(function (a) {
      var r = a.report || {};
      var parts = [el('h3', { text: a.name }), el('p', { 'class': 'muted', text: 'Last report ' + ago(a.receivedAtMs, now) })];
      var inst = (r.vrrp && r.vrrp.instances) || [];
      if (inst.length > 0) parts.push(table('VRRP instances on ' + a.name, ['Instance', 'State', 'Priority', 'Master', 'VIPs'],
        inst.map(function (i) {
          return [i.name, state(i.state), i.effectivePriority === i.basePriority ? String(i.effectivePriority) : i.effectivePriority + ' (base ' + i.basePriority + ')',
            i.master ? i.master.address + ' (priority ' + i.master.priority + ')' : '-', i.vips.join(' ') || '-'];
        })));
      if (r.lvs && r.lvs.error) parts.push(el('p', { text: 'LVS side not running: ' + r.lvs.error }));
      else if (r.lvs && r.lvs.services.length > 0) parts.push(table('LVS pools on ' + a.name + (r.lvs.plane ? ' (' + r.lvs.plane + ')' : ''),
        ['Virtual service', 'Scheduler', 'Real servers', 'Detail'], r.lvs.services.map(service)));
      return el('section', { 'class': 'agent', 'data-agent': a.name }, parts);
    });
  }

  function announce(list) {
    var said = [];
    list.forEach(function (g) {
      if (g.id in holders && holders[g.id] !== g.holder) said.push(g.id + ': holder is now ' + (g.holder === null ? 'nobody' : g.holder));
      holders[g.id] = g.holder;
    });
    if (said.length > 0) $('announce').textContent = said.join('. ');
  }

  function render(s) {
    announce(s.groups);
    replace('groups', groups(s.groups));
    replace('timeline', timeline(s.timeline));
    replace('queue', queue(s.queue));
    replace('agents', agents(s.agents, s.generatedAtMs));
    $('connection').textContent = 'Live · updated ' + time(s.generatedAtMs);
  }

  function showLogin(message) {
    $('status').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('connection').textContent = 'Not signed in';
  }

  function handle(block) {
    var event = 'message', data = [];
    block.split('\n').forEach(function (line) {
      if (line.indexOf('event:') === 0) event = line.slice(6).trim();
      else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''));
    });
    if (event === 'status') render(JSON.parse(data.join('\n')));
    else if (event === 'unavailable') $('connection').textContent = 'Store unavailable, retrying';
  }

  function connect(token) {
    if (abort) abort.abort();
    abort = new AbortController();
    var mine = abort;
    $('connection').textContent = 'Connecting';
    fetch('/v1/status/events', { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' }, signal: mine.signal })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) {
          sessionStorage.removeItem(KEY);
          return res.json().then(function (b) { showLogin('Refused: ' + (b.error && b.error.message || res.status)); });
        }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        $('login').hidden = true;
        $('status').hidden = false;
        var reader = res.body.getReader(), decoder = new TextDecoder(), buf = '';
        function pump() {
          return reader.read().then(function (r) {
            if (r.done) throw new Error('stream ended');
            buf += decoder.decode(r.value, { stream: true }).replace(/\r\n/g, '\n');
            var i;
            while ((i = buf.indexOf('\n\n')) >= 0) { handle(buf.slice(0, i)); buf = buf.slice(i + 2); }
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        if (mine.signal.aborted) return;
        $('connection').textContent = 'Connection lost, retrying';
        setTimeout(function () { if (abort === mine) connect(token); }, 2000);
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var token = $('token').value.trim();
      $('token').value = '';
      if (!token) return;
      sessionStorage.setItem(KEY, token);
      connect(token);
    });
    $('sign-out').addEventListener('click', function () {
      sessionStorage.removeItem(KEY);
      if (abort) abort.abort();
      abort = null;
      showLogin('');
      $('token').focus();
    });
    var saved = sessionStorage.getItem(KEY);
    if (saved) connect(saved); else showLogin('');
  });
})();
`;
