// `npm run bench`: runs every bench/*.bench.ts in name order, one after the other (never in parallel, so
// the figures of one do not disturb another), and fails if any of them fails.
//
// Run one alone with `node bench/NAME.bench.ts`; FIP_BENCH_ONLY=config,lb picks a subset here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.env['FIP_BENCH_ONLY']?.split(',').filter((s) => s !== '');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only || only.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();

let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`=== ${f} failed (exit ${r.status ?? r.signal})`);
  }
}
console.log(`\n${files.length - failed}/${files.length} benchmarks ran`);
process.exitCode = failed > 0 ? 1 : 0;
