// HTTP_GET `regex_options`, `regex_min_offset`, `regex_max_offset`: keepalived.conf -> checker spec ->
// probe request -> a real loopback HTTP server. Options JavaScript RegExp cannot express are refused.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseKeepalived } from '../../../core/config/index.ts';
import { checkersFromConfig, probeRequest } from '../../../core/health/index.ts';
import { httpProbe } from '../../../adapters/probes/index.ts';

// offsets:     0         1         2         3
//              0123456789012345678901234567890123
const BODY = 'status: ok\nservice: Ready\nline3\n';

function translate(port: number, urlBody: string) {
  const r = parseKeepalived(`virtual_server 127.0.0.1 ${port} {
  real_server 127.0.0.1 ${port} {
    HTTP_GET {
      url {
        path /
${urlBody}
      }
    }
  }
}
`);
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  const vs = r.config.virtualServers[0];
  const rs = vs?.realServers[0];
  assert.ok(vs && rs);
  return checkersFromConfig({ vs, rs });
}

async function check(port: number, urlBody: string): Promise<{ ok: boolean; detail: string }> {
  const tr = translate(port, urlBody);
  assert.deepEqual(tr.errors, []);
  const spec = tr.specs[0];
  assert.ok(spec);
  const req = probeRequest(spec, 0);
  assert.ok(req.kind === 'http');
  return httpProbe({ ...req, timeoutMs: 2_000 });
}

/**
 * A loopback HTTP server answering `body` (closed after the test), and `expect(urlBody, ok)`: the checker
 * translated from that url block probes it and must answer `ok`.
 */
async function serving(
  t: TestContext,
  body: string,
): Promise<(urlBody: string, ok: boolean) => Promise<void>> {
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  return async (urlBody, ok) => {
    const r = await check(port, urlBody);
    assert.equal(r.ok, ok, `${urlBody.replace(/\n/g, '; ')}: ${r.detail}`);
  };
}

test('HTTP_GET regex_options caseless, multiline, dotall map to RegExp flags against a real server', async (t) => {
  const expect = await serving(t, BODY);
  await expect('regex "service: ready"', false);
  await expect('regex "service: ready"\nregex_options caseless', true);
  await expect('regex "^service"', false);
  await expect('regex "^service"\nregex_options multiline', true);
  await expect('regex "ok.service"', false);
  await expect('regex "ok.service"\nregex_options dotall', true);
  await expect('regex "^SERVICE: ready$"\nregex_options caseless multiline', true);
  await expect('regex "SERVICE"\nregex_options caseless\nregex_no_match', false);
});

test('HTTP_GET regex_min_offset / regex_max_offset bound where the match may start', async (t) => {
  const expect = await serving(t, BODY);
  // "status" starts at 0, "service" at 11, "line" at 26
  await expect('regex "status"\nregex_min_offset 1', false);
  await expect('regex "service"\nregex_min_offset 11', true);
  await expect('regex "service"\nregex_min_offset 12', false);
  await expect('regex "service"\nregex_max_offset 11', true);
  await expect('regex "service"\nregex_max_offset 10', false);
  await expect('regex "line"\nregex_min_offset 20\nregex_max_offset 30', true);
  // ^ only matches at a line start even when the search starts mid-body (PCRE2 start offset semantics)
  await expect('regex "^vice"\nregex_min_offset 14\nregex_options multiline', false);
});

test('HTTP_GET regex_options JavaScript cannot express are refused naming the option; no checker runs', () => {
  const tr = translate(80, 'regex "a b"\nregex_options caseless ungreedy');
  assert.deepEqual(tr.specs, []);
  assert.equal(tr.errors.length, 1);
  assert.match(
    tr.errors[0] ?? '',
    /real_server 127\.0\.0\.1 80 HTTP_GET #1 url \/: regex_options ungreedy is not supported/,
  );
  assert.match(
    translate(80, 'regex "a"\nregex_options bogus').errors[0] ?? '',
    /bogus is not a PCRE2 option/,
  );
  assert.match(translate(80, 'regex "a("').errors[0] ?? '', /url \/: regex "a\(":/);
  const bad = translate(80, 'regex "a"\nregex_min_offset 9\nregex_max_offset 3');
  assert.deepEqual(bad.specs, []);
  assert.match(bad.errors[0] ?? '', /regex_max_offset 3 is below regex_min_offset 9/);
});

test('HTTP_GET regex_options extended, dollar_endonly, firstline, utf and no-op options behave as PCRE2', async (t) => {
  const expect = await serving(t, BODY);
  // extended: whitespace and # comments in the pattern are not literal
  await expect('regex "service: Re  ady"', false);
  await expect('regex "service:\\ Re ady # the word"\nregex_options extended', true);
  // PCRE2's $ also matches before the body's final newline; dollar_endonly turns that off
  await expect('regex "line3$"', true);
  await expect('regex "line3$"\nregex_options dollar_endonly', false);
  await expect('regex "line3\\n$"\nregex_options dollar_endonly', true);
  // firstline: the match must start on the first line (from the start offset)
  await expect('regex "service"\nregex_options firstline', false);
  await expect('regex "status"\nregex_options firstline', true);
  await expect('regex "service"\nregex_min_offset 11\nregex_options firstline', true);
  // options that only steer PCRE2's compiler are accepted and change nothing
  await expect('regex "Ready"\nregex_options no_auto_possess no_start_optimize dupnames', true);
});

test('HTTP_GET regex sees the whole body (a match 200 KiB in), and utf reads it as UTF-8', async (t) => {
  const big = `${'x'.repeat(200 * 1024)}needle-\u00e9t\u00e9\n`;
  const expect = await serving(t, big);
  await expect('regex "needle"', true);
  await expect('regex "needle"\nregex_no_match', false);
  await expect('regex "needle"\nregex_max_offset 1000', false);
  await expect('regex "needle-\u00e9t\u00e9"\nregex_options utf', true);
  await expect('regex "needle-.t.$"\nregex_options utf', true);
  await expect('regex "needle-.t.$"', false); // without utf each é is two bytes
});

test('regex_stack is reported as having no JavaScript equivalent; stray regex keywords are reported', () => {
  const tr = translate(80, 'regex "a"\nregex_stack 1024 4096');
  assert.deepEqual(tr.errors, []);
  assert.equal(tr.specs.length, 1);
  assert.match(tr.notes.join('\n'), /regex_stack 1024 4096 has no JavaScript equivalent/);
  const stray = translate(80, 'regex_no_match\nregex_min_offset 3');
  assert.match(stray.notes.join('\n'), /regex_no_match, regex_min_offset without regex is ignored/);
});
