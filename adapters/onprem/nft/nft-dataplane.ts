/**
 * LbDataplane over nftables, for kernels without IPVS: NAT-mode IPv4 and IPv6 virtual services with rr, wrr, sh,
 * dh and mh (see schedule-map.ts), persistence through per-real-server dynamic sets with timeouts. What it cannot
 * express (limits.ts, and the capabilities) is refused by name.
 *
 * Every apply is ONE transaction: the ops are applied to the table this adapter installed last (bad ops
 * are refused before anything is sent), the result is rendered for floatip's own table only, and handed to
 * `nft -f -`. Spawning the nft binary is deliberate: `nft -f` is nftables' own atomic batch interface
 * (all of it lands or none does), and its ruleset language is stable, whereas the nf_tables netlink
 * messages behind it are internal to libnftables.
 */
import { spawn } from 'node:child_process';
import type { LbApplyReport, LbCapabilities, LbDataplane, LbOp, LbTable } from '../../../core/ports/index.ts';
import type { LbCounters, Outcome } from '../../../core/model/index.ts';
import { giveUp, ok, retry } from '../../../core/model/index.ts';
import { unsupported } from '../../../core/model/index.ts';
import { LbOpError, applyLbOps } from './table-state.ts';
import { destCounters, renderRuleset, rulesetLines } from './render.ts';
import { nftLimits } from './limits.ts';
import { NFT_SCHEDULERS } from './schedule-map.ts';

export const NFT_CAPABILITIES: LbCapabilities = {
  schedulers: NFT_SCHEDULERS,
  forwarding: ['nat'],
  families: ['inet', 'inet6'],
  protocols: ['tcp', 'udp'],
  fwmark: true,
  persistence: true,
  atomic: true,
};

export interface NftDataplaneOptions {
  /** Table name in family ip (default `floatip_lvs`); nothing outside it is touched. */
  table?: string;
  /** Command that runs nft, e.g. `['ip', 'netns', 'exec', 'fip-lvs-d', 'nft']` (default `['nft']`). */
  command?: readonly string[];
  /** jhash seed for sh/dh (default 0). */
  seed?: number;
}

interface NftCounter {
  name: string;
  packets: number;
  bytes: number;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Bytes of transaction text gathered before each write to nft's stdin. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Runs nft with `input` on its stdin: a string, or lines (without newlines) written in chunks as nft
 * reads them, so a large transaction is never held whole. A line source that throws kills nft before
 * its stdin ends: nft commits a transaction only after reading all of it, so nothing is applied, and
 * the error is thrown to the caller.
 */
function run(argv: readonly string[], input: string | Iterable<string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd ?? 'nft', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let failed: unknown;
    let closed = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', (error) => resolve({ code: null, stdout, stderr, error }));
    child.on('close', (code) => {
      closed = true;
      if (failed !== undefined) reject(failed instanceof Error ? failed : new Error(String(failed)));
      else resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    if (typeof input === 'string') {
      child.stdin.end(input);
      return;
    }
    const stdin = child.stdin;
    const drained = () =>
      new Promise<void>((r) => {
        const done = () => {
          stdin.off('drain', done);
          stdin.off('close', done);
          r();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
      });
    void (async () => {
      let chunk = '';
      try {
        for (const line of input) {
          chunk += line + '\n';
          if (chunk.length < CHUNK_CHARS) continue;
          const more = stdin.write(chunk);
          chunk = '';
          if (closed || stdin.destroyed) return; // nft is gone; its exit status says why
          if (!more) await drained();
        }
        stdin.end(chunk);
      } catch (e) {
        failed = e;
        child.kill('SIGKILL');
      }
    })();
  });
}

export class NftDataplane implements LbDataplane {
  readonly name = 'nftables';
  readonly #table: string;
  readonly #command: readonly string[];
  readonly #seed: number;
  /** What this adapter installed last; null until the first apply (the table is then recreated). */
  #installed: LbTable | null = null;

  constructor(options: NftDataplaneOptions = {}) {
    this.#table = options.table ?? 'floatip_lvs';
    this.#command = options.command ?? ['nft'];
    this.#seed = options.seed ?? 0;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,30}$/.test(this.#table))
      throw new Error(`bad nftables table name "${this.#table}"`);
  }

  async capabilities(): Promise<Outcome<LbCapabilities>> {
    const r = await run([...this.#command, '--version'], '');
    if (r.error)
      return giveUp(
        `nftables: cannot run ${this.#command.join(' ')} (${r.error.message}); install the nftables package`,
      );
    if (r.code !== 0)
      return giveUp(`nftables: ${this.#command.join(' ')} --version failed: ${r.stderr.trim()}`);
    return ok(NFT_CAPABILITIES);
  }

  /**
   * The table as installed by this adapter (empty before the first apply), with the kernel's counters of
   * every service and real server (one `nft -j list counters` per family; see render.ts). Counters that
   * cannot be read leave `stats` out rather than failing the read.
   */
  async read(): Promise<Outcome<LbTable>> {
    const installed = this.#installed;
    if (!installed) return ok({ services: [] });
    const counters = new Map<string, { packets: number; bytes: number }>();
    for (const family of ['ip', 'ip6']) {
      const r = await run([...this.#command, '-j', 'list', 'counters', 'table', family, this.#table], '');
      if (r.code !== 0) continue;
      try {
        const parsed = JSON.parse(r.stdout) as { nftables?: Array<{ counter?: NftCounter }> };
        for (const item of parsed.nftables ?? []) {
          const c = item.counter;
          if (c) counters.set(`${family} ${c.name}`, { packets: c.packets, bytes: c.bytes });
        }
      } catch {
        // not JSON: no counters this time
      }
    }
    if (counters.size === 0) return ok(installed);
    const services = installed.services.map((svc) => {
      const fam = svc.key.family === 'inet' ? 'ip' : 'ip6';
      const total: LbCounters = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
      const destinations = svc.destinations.map((d) => {
        const names = destCounters(svc, d);
        const get = (n: string) => counters.get(`${fam} ${n}`) ?? { packets: 0, bytes: 0 };
        const stats: LbCounters = {
          conns: get(names.conns).packets,
          inPkts: get(names.in).packets,
          outPkts: get(names.out).packets,
          inBytes: get(names.in).bytes,
          outBytes: get(names.out).bytes,
        };
        for (const k of Object.keys(total) as Array<keyof LbCounters>) total[k] += stats[k];
        return { ...d, stats };
      });
      return { ...svc, destinations, stats: total };
    });
    return ok({ ...installed, services });
  }

  /**
   * Not itself async: a suspended async function keeps its arguments alive, and the ops of a first apply
   * (a whole table's, ~1.5 MB at 10,000 real servers) are not needed while nft runs (#install).
   */
  apply(ops: readonly LbOp[]): Promise<Outcome<LbApplyReport>> {
    try {
      const next = applyLbOps(this.#installed ?? { services: [] }, ops);
      const missing = unsupported(next, NFT_CAPABILITIES, 'nftables') ?? nftLimits(next);
      if (missing) return Promise.resolve(giveUp(`${missing}; nothing was changed`));
      return this.#install(next, { applied: ops.length, steps: ops.map((op) => op.kind) });
    } catch (e) {
      if (e instanceof LbOpError)
        return Promise.resolve(giveUp(`nftables: ${e.message}; nothing was changed`));
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  async #install(next: LbTable, report: LbApplyReport): Promise<Outcome<LbApplyReport>> {
    // Streamed: the first apply of 10,000 real servers is ~10 MB of text (bench/checker/rss.bench.ts).
    const lines = rulesetLines(next, { table: this.#table, previous: this.#installed, seed: this.#seed });
    const r = await run([...this.#command, '-f', '-'], lines);
    if (r.error) return retry(`nftables: cannot run ${this.#command.join(' ')} (${r.error.message})`);
    if (r.code !== 0)
      return giveUp(`nftables rejected the transaction (nothing was changed): ${r.stderr.trim()}`);
    this.#installed = next;
    return ok(report);
  }

  /** The transaction text the next apply of `ops` would send (for dry runs and `lvs-table`). */
  preview(ops: readonly LbOp[]): string {
    const next = applyLbOps(this.#installed ?? { services: [] }, ops);
    return renderRuleset(next, { table: this.#table, previous: this.#installed, seed: this.#seed });
  }

  /** Deletes floatip's table (agent shutdown). */
  async remove(): Promise<Outcome<undefined>> {
    const r = await run(
      [...this.#command, '-f', '-'],
      `add table ip ${this.#table}\ndelete table ip ${this.#table}\nadd table ip6 ${this.#table}\ndelete table ip6 ${this.#table}\n`,
    );
    if (r.code !== 0) return giveUp(`nftables: could not delete table ${this.#table}: ${r.stderr.trim()}`);
    this.#installed = null;
    return ok(undefined);
  }
}
