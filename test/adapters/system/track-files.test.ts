/** track_file on real files: the value at start, each change (inotify or poll), init_file, bad text as 0. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { parseTrackFileValue, startTrackFiles, type FileValue } from '../../../core/app/track-files.ts';
import { createTimerService, fsTrackedFiles, systemClock } from '../../../adapters/system/index.ts';

/** The core tracker on this machine's files and timers. */
const machine = (opts: { pollMs: number; log?: (m: string) => void }) => ({
  clock: systemClock,
  timers: createTimerService(systemClock),
  files: fsTrackedFiles,
  ...opts,
});

const dir = mkdtempSync(join(tmpdir(), 'floatip-trackfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), `never happened: ${what}`);
}

it('reads the integer keepalived reads: a leading signed number, else 0', () => {
  assert.equal(parseTrackFileValue('42\n'), 42);
  assert.equal(parseTrackFileValue('  -7 trailing'), -7);
  assert.equal(parseTrackFileValue('+3'), 3);
  assert.equal(parseTrackFileValue('up'), 0);
  assert.equal(parseTrackFileValue(''), 0);
});

it('reports the value at start and every change, once per distinct value', async (t) => {
  const path = join(dir, 'prio');
  writeFileSync(path, '5\n');
  const seen: FileValue[] = [];
  const runner = startTrackFiles({ prio: { path } }, (v) => seen.push(v), machine({ pollMs: 20 }));
  t.after(() => runner.stop());
  assert.deepEqual(seen, [{ name: 'prio', value: 5 }], 'the start value is reported synchronously');
  writeFileSync(path, '-3\n');
  await until(() => seen.length === 2, 'the change to -3');
  writeFileSync(path, '-3\n');
  rmSync(path);
  await until(() => seen.length === 3, 'the removal');
  assert.deepEqual(
    seen.map((v) => v.value),
    [5, -3, 0],
    'rewriting the same value reports nothing; a missing file reads 0',
  );
});

it('init_file creates a missing file, and with overwrite replaces an existing one', (t) => {
  const fresh = join(dir, 'fresh');
  const kept = join(dir, 'kept');
  const over = join(dir, 'over');
  writeFileSync(kept, '9\n');
  writeFileSync(over, '9\n');
  const seen = new Map<string, number>();
  const runner = startTrackFiles(
    {
      fresh: { path: fresh, init: { value: 4, overwrite: false } },
      kept: { path: kept, init: { value: 4, overwrite: false } },
      over: { path: over, init: { value: 4, overwrite: true } },
    },
    (v) => seen.set(v.name, v.value),
    machine({ pollMs: 1000 }),
  );
  t.after(() => runner.stop());
  assert.ok(existsSync(fresh));
  assert.equal(readFileSync(fresh, 'utf8').trim(), '4');
  assert.deepEqual(Object.fromEntries(seen), { fresh: 4, kept: 9, over: 4 });
});
