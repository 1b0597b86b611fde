/**
 * What a test needs from the machine (root, Debian packages, a Redis), checked the same way by the suite
 * runner (scripts/run-tests.ts, for whole files) and by tests that skip single cases.
 *
 * A test file declares its needs on a line of its own, anywhere in the file:
 *
 *   // @needs root iproute2 keepalived
 *
 * Outside CI a file whose needs are missing is skipped with one line naming the Debian packages (and root);
 * with CI=true a missing prerequisite is a failure. FLOATIP_TEST_PRETEND_MISSING=keepalived,root makes
 * the check report those as missing (to try the skip path on a machine that has them).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';

/** Each Debian package the tests use, and the command whose presence on PATH shows it is installed. */
export const debianPackages = {
  iproute2: 'ip',
  keepalived: 'keepalived',
  nftables: 'nft',
  tcpdump: 'tcpdump',
  'iputils-ping': 'ping',
  openssl: 'openssl',
  'redis-server': 'redis-server',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'qemu-system-x86': 'qemu-system-x86_64',
  'busybox-static': 'busybox',
  kmod: 'modprobe',
  ipvsadm: 'ipvsadm',
  chromium: 'chromium',
} as const;

export type DebianPackage = keyof typeof debianPackages;
/**
 * `root`, `redis` (a Redis answering where the tests look for it), `moto` (the Python AWS emulator: python3
 * imports moto and moto_server is on PATH) or a Debian package.
 */
export type Need = 'root' | 'redis' | 'moto' | DebianPackage;

export const knownNeeds: readonly Need[] = [
  'root',
  'redis',
  ...(Object.keys(debianPackages) as DebianPackage[]),
  'moto',
];

/** How the tests' AWS peer is installed when missing (.ci/run does the same). */
export const motoInstall = "python3 -m pip install --user 'moto[server]'";

/** True when python3 can import moto and moto_server is on PATH. */
export function motoInstalled(): boolean {
  if (!onPath('moto_server') || !onPath('python3')) return false;
  return spawnSync('python3', ['-c', 'import moto'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** Where the tests find Redis (the shared one by default). */
export const testRedisUrl = process.env.FLOATIP_TEST_REDIS ?? 'redis://127.0.0.1:6379';

const isNeed = (s: string): s is Need => (knownNeeds as readonly string[]).includes(s);

/** The `// @needs ...` declaration of a test file: the needs, or the words that are not known needs. */
export function parseNeeds(text: string): { needs: Need[]; unknown: string[] } {
  const needs = new Set<Need>();
  const unknown: string[] = [];
  for (const m of text.matchAll(/^\/\/ @needs((?: +[A-Za-z0-9_.-]+)+) *$/gm)) {
    for (const word of (m[1] ?? '').trim().split(/ +/)) {
      if (isNeed(word)) needs.add(word);
      else unknown.push(word);
    }
  }
  return { needs: [...needs], unknown };
}

/** True when `command` is an executable file in one of PATH's directories. */
export function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** True when a Redis answers PING at `url` within `timeoutMs`. */
export function redisAnswers(url = testRedisUrl, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    // A password-protected Redis answers -NOAUTH: it is there, the test's URL carries the password.
    s.once('data', (d: Buffer) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
    s.once('error', () => done(false));
  });
}

const pretendMissing = (): Set<string> =>
  new Set(
    (process.env.FLOATIP_TEST_PRETEND_MISSING ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** Which of `needs` this machine lacks (the Redis check is cached per process). */
export async function missingNeeds(needs: readonly Need[]): Promise<Need[]> {
  const pretend = pretendMissing();
  const missing: Need[] = [];
  for (const need of needs) {
    let have: boolean;
    if (pretend.has(need)) have = false;
    else if (need === 'root') have = process.getuid?.() === 0;
    else if (need === 'redis') have = await (redisCheck ??= redisAnswers());
    else if (need === 'moto') have = motoCheck ??= motoInstalled();
    else have = onPath(debianPackages[need]);
    if (!have) missing.push(need);
  }
  return missing;
}
let redisCheck: Promise<boolean> | undefined;
let motoCheck: boolean | undefined;

/** One line naming what is missing: `needs root and the Debian packages keepalived, nftables`. */
export function describeMissing(missing: readonly Need[]): string {
  const parts: string[] = [];
  if (missing.includes('root')) parts.push('root');
  const pkgs = missing.filter((n): n is DebianPackage => n !== 'root' && n !== 'redis' && n !== 'moto');
  if (pkgs.length > 0) parts.push(`the Debian package${pkgs.length === 1 ? '' : 's'} ${pkgs.join(', ')}`);
  if (missing.includes('redis'))
    parts.push(`a Redis at ${redactUrl(testRedisUrl)} (Debian package redis-server)`);
  if (missing.includes('moto')) parts.push('python moto (moto_server on PATH)');
  return `needs ${parts.join(' and ')}`;
}

/** How to get everything in `missing` (for the summary at the end of a run). */
export function howToEnable(missing: readonly Need[]): string[] {
  const pkgs = new Set<string>(missing.filter((n) => n !== 'root' && n !== 'redis' && n !== 'moto'));
  if (missing.includes('redis')) pkgs.add('redis-server');
  const out: string[] = [];
  if (pkgs.size > 0) out.push(`sudo apt-get install ${[...pkgs].sort().join(' ')}`);
  if (missing.includes('redis'))
    out.push(
      'npm test starts redis-server on 127.0.0.1:6379 when it is installed (or set FLOATIP_TEST_REDIS)',
    );
  if (missing.includes('moto')) out.push(motoInstall);
  if (missing.includes('root')) out.push('run the suite as root: sudo npm test');
  if (missing.includes('moto'))
    out.push("pip install 'moto[server]' (python3 -c 'import moto' and moto_server on PATH)");
  return out;
}

const redactUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//***@');

/** True when a missing prerequisite must fail the run rather than skip (CI=true). */
export const strict = (): boolean => process.env.CI === 'true';

/**
 * For a test (or suite) that needs more than its file declares: the skip reason when something is
 * missing, or false. Under CI=true a missing prerequisite throws instead.
 *
 * @example
 *   test('agrees with keepalived -t', { skip: await skipUnless(['keepalived']) }, () => { ... });
 */
export async function skipUnless(needs: readonly Need[]): Promise<string | false> {
  const missing = await missingNeeds(needs);
  if (missing.length === 0) return false;
  const reason = describeMissing(missing);
  if (strict()) throw new Error(`CI=true and a prerequisite is missing: ${reason}`);
  // The suite runner collects these for its "To run them" list (tests run in their own processes).
  const log = process.env.FLOATIP_TEST_PREREQ_LOG;
  if (log) appendFileSync(log, `${JSON.stringify(missing)}\n`);
  return reason;
}
