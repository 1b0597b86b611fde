// Config benchmark: parse + translate + validate + resolve a generated keepalived.conf with 1,000
// virtual servers x 10 real servers (each with a TCP_CHECK), plus one VRRP instance. Printed: median
// time of several runs, beside two baselines measured in the same process on the same machine:
//   - JSON.parse of the resolved model of the same config serialised as JSON (a C++ parser over an
//     equivalent document: the floor for "read this much configuration");
//   - a raw tokenizer pass (split into lines and words, strip comments) over the keepalived.conf text.
// The ratios are the figures to compare across machines. The bar: well under a second.
//
// Run: npm run bench (all) or node bench/config.bench.ts
import { performance } from 'node:perf_hooks';
import { parseKeepalived } from '../core/config/index.ts';

const RUNS = Number(process.env['FIP_BENCH_RUNS'] ?? 5);

function generate(vsCount: number, rsPerVs: number): string {
  const out: string[] = [
    'global_defs {',
    '  router_id bench',
    '}',
    'vrrp_instance VI_1 {',
    '  state MASTER',
    '  interface eth0',
    '  virtual_router_id 51',
    '  priority 150',
    '  virtual_ipaddress {',
    '    10.255.0.1/24 dev eth0',
    '  }',
    '}',
  ];
  for (let v = 0; v < vsCount; v++) {
    const vip = `10.${(v >> 8) & 255}.${v & 255}.1`;
    out.push(
      `virtual_server ${vip} 80 {`,
      '  delay_loop 6',
      '  lvs_sched wrr',
      '  lvs_method DR',
      '  protocol TCP',
    );
    for (let r = 0; r < rsPerVs; r++) {
      out.push(
        `  real_server 172.16.${v & 255}.${r + 10} 80 {   # backend ${r}`,
        `    weight ${r + 1}`,
        '    TCP_CHECK {',
        '      connect_timeout 3',
        '      retry 2',
        '      delay_before_retry 2',
        '    }',
        '  }',
      );
    }
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

function tokenizeOnly(text: string): number {
  let words = 0;
  for (const line of text.split('\n')) {
    const body = line.replace(/[#!].*$/, '');
    for (const w of body.split(/\s+/)) if (w !== '') words++;
  }
  return words;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const text = generate(1000, 10);
const first = parseKeepalived(text, { file: 'bench.conf' });
if (!first.ok) {
  console.error('generated config did not parse:', first.diagnostics.slice(0, 3));
  process.exit(1);
}
const rsCount = first.config.virtualServers.reduce((n, vs) => n + vs.realServers.length, 0);
const json = JSON.stringify(first.config);

const floatip: number[] = [];
const jsonParse: number[] = [];
const tokenizer: number[] = [];
for (let i = 0; i < RUNS; i++) {
  floatip.push(time(() => void parseKeepalived(text, { file: 'bench.conf' })));
  jsonParse.push(time(() => void JSON.parse(json)));
  tokenizer.push(time(() => void tokenizeOnly(text)));
}
const f = median(floatip);
const j = median(jsonParse);
const t = median(tokenizer);
console.log(
  `config: ${first.config.virtualServers.length} virtual servers x ${rsCount / first.config.virtualServers.length} real servers ` +
    `(${rsCount} TCP_CHECKs), ${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB keepalived.conf, ` +
    `${(json.length / 1024).toFixed(0)} KiB resolved JSON; median of ${RUNS} runs`,
);
console.log(`  floatip parseKeepalived (lex+parse+translate+validate+resolve): ${f.toFixed(1)} ms`);
console.log(
  `  baseline JSON.parse of the resolved model as JSON:               ${j.toFixed(1)} ms  (floatip/JSON.parse = ${(f / j).toFixed(1)}x)`,
);
console.log(
  `  baseline raw tokenizer pass over the keepalived.conf text:       ${t.toFixed(1)} ms  (floatip/tokenizer = ${(f / t).toFixed(1)}x)`,
);
console.log(`  bar: well under 1000 ms -> ${f < 1000 ? 'met' : 'NOT met'}`);
