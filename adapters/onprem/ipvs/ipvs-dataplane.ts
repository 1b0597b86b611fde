/**
 * LbDataplane over the kernel's IPVS generic-netlink family. Each op is one request, acknowledged before
 * the next is sent; a refused op stops the batch and the outcome names it and what ran before it.
 */
import type {
  LbApplyReport,
  LbCapabilities,
  LbDataplane,
  LbOp,
  LbService,
  LbTable,
} from '../../../core/ports/index.ts';
import type { Outcome } from '../../../core/model/index.ts';
import { giveUp, ok, retry } from '../../../core/model/index.ts';
import { describeDest, describeService } from '../../../core/model/index.ts';
import { GenlConnection, GenlError } from '../genl/connection.ts';
import { IPVS_GENL_NAME, IPVS_SCHEDULERS } from './constants.ts';
import {
  encodeGetConfig,
  encodeGetDests,
  encodeGetInfo,
  encodeGetServices,
  encodeOp,
  type Envelope,
} from './encode.ts';
import { decodeDestMessage, decodeInfo, decodeServiceMessage, decodeTimeouts } from './decode.ts';

/** The message the agent and CLI show when the kernel has no IPVS. */
export const NO_IPVS_MESSAGE =
  'this kernel has no IPVS (ip_vs module not loaded); use the nftables data plane';

export function describeOp(op: LbOp): string {
  switch (op.kind) {
    case 'add-service':
    case 'edit-service':
      return `${op.kind} ${describeService(op.service.key)} ${op.service.scheduler}`;
    case 'delete-service':
      return `delete-service ${describeService(op.key)}`;
    case 'add-dest':
    case 'edit-dest':
      return `${op.kind} ${describeService(op.service)} -> ${describeDest(op.dest)} ${op.dest.forwarding} weight ${op.dest.weight}`;
    case 'delete-dest':
      return `delete-dest ${describeService(op.service)} -> ${describeDest(op.dest)}`;
    case 'set-timeouts':
      return `set-timeouts tcp ${op.timeouts.tcp} tcpfin ${op.timeouts.tcpFin} udp ${op.timeouts.udp}`;
  }
}

/** errno -> outcome kind: EEXIST/ENOENT/ESRCH mean the table moved under us (re-read and re-plan). */
type Failure = Exclude<Outcome<never>, { kind: 'ok' }>;

function classify(e: unknown, what: string): Failure {
  if (e instanceof GenlError) {
    const reason = `${what}: ${e.message}`;
    if (e.code === 'EEXIST' || e.code === 'ENOENT' || e.code === 'ESRCH') return { kind: 'conflict', reason };
    if (e.code === 'EBUSY' || e.code === 'ENOMEM') return { kind: 'retry', reason };
    return { kind: 'give-up', reason };
  }
  return { kind: 'retry', reason: `${what}: ${(e as Error).message}` };
}

export interface IpvsDataplaneOptions {
  /** Opens the netlink connection; tests may pass one with a short timeout. */
  connect?: () => GenlConnection;
}

export class IpvsDataplane implements LbDataplane {
  readonly name = 'ipvs';
  readonly #connect: () => GenlConnection;
  #conn: GenlConnection | undefined;
  #familyId: number | undefined;

  constructor(options: IpvsDataplaneOptions = {}) {
    this.#connect = options.connect ?? (() => GenlConnection.open());
  }

  /** Resolves the IPVS family once; a missing family becomes NO_IPVS_MESSAGE. */
  async #ready(): Promise<Outcome<{ conn: GenlConnection; familyId: number }>> {
    try {
      this.#conn ??= this.#connect();
      if (this.#familyId === undefined) this.#familyId = (await this.#conn.family(IPVS_GENL_NAME)).id;
      return ok({ conn: this.#conn, familyId: this.#familyId });
    } catch (e) {
      if (e instanceof GenlError && e.code === 'ENOENT') return giveUp(NO_IPVS_MESSAGE);
      if ((e as { code?: string }).code === 'EPERM')
        return giveUp('IPVS needs CAP_NET_ADMIN in this network namespace');
      return retry(`IPVS: ${(e as Error).message}`);
    }
  }

  #env(conn: GenlConnection, familyId: number): Envelope {
    return { familyId, seq: conn.nextSeq(), pid: 0 };
  }

  async capabilities(): Promise<Outcome<LbCapabilities>> {
    const r = await this.#ready();
    if (r.kind !== 'ok') return r;
    return ok({
      schedulers: IPVS_SCHEDULERS,
      forwarding: ['nat', 'dr', 'tun'],
      families: ['inet', 'inet6'],
      protocols: ['tcp', 'udp', 'sctp'],
      fwmark: true,
      persistence: true,
      atomic: false,
    });
  }

  async read(): Promise<Outcome<LbTable>> {
    const r = await this.#ready();
    if (r.kind !== 'ok') return r;
    const { conn, familyId } = r.value;
    try {
      const cfg = await conn.request(encodeGetConfig(this.#env(conn, familyId)), 'IPVS get config');
      const parts = await conn.request(encodeGetServices(this.#env(conn, familyId)), 'IPVS list services');
      const services: LbService[] = [];
      for (const part of parts) {
        const head = decodeServiceMessage(part.payload);
        const dests = await conn.request(
          encodeGetDests(this.#env(conn, familyId), head.key),
          `IPVS list real servers of ${describeService(head.key)}`,
        );
        services.push({
          ...head,
          destinations: dests.map((d) => decodeDestMessage(d.payload, head.key.family)),
        });
      }
      const first = cfg[0];
      return ok(first ? { services, timeouts: decodeTimeouts(first.payload) } : { services });
    } catch (e) {
      return classify(e, 'IPVS read');
    }
  }

  async apply(ops: readonly LbOp[]): Promise<Outcome<LbApplyReport>> {
    const r = await this.#ready();
    if (r.kind !== 'ok') return r;
    const { conn, familyId } = r.value;
    const steps: string[] = [];
    // Encode everything first: an op that cannot be encoded refuses the batch before anything changes.
    let batch: Array<{ what: string; bytes: Uint8Array }>;
    try {
      batch = ops.map((op) => ({
        what: describeOp(op),
        bytes: encodeOp({ familyId, seq: conn.nextSeq(), pid: 0 }, op),
      }));
    } catch (e) {
      return giveUp(`IPVS: ${(e as Error).message}; nothing was changed`);
    }
    for (const { what, bytes } of batch) {
      try {
        await conn.request(bytes, what);
      } catch (e) {
        const out = classify(e, what);
        return { ...out, reason: `${out.reason} (after ${steps.length} of ${ops.length} ops)` };
      }
      steps.push(what);
    }
    return ok({ applied: steps.length, steps });
  }

  /** IPVS_CMD_GET_INFO: the kernel's IPVS version code and connection hash table size (`ipvsadm -L` line 1). */
  async info(): Promise<Outcome<{ version: number; connTabSize: number }>> {
    const r = await this.#ready();
    if (r.kind !== 'ok') return r;
    const { conn, familyId } = r.value;
    try {
      const [first] = await conn.request(encodeGetInfo(this.#env(conn, familyId)), 'IPVS get info');
      if (!first) return retry('IPVS get info: empty reply');
      return ok(decodeInfo(first.payload));
    } catch (e) {
      return classify(e, 'IPVS get info');
    }
  }

  close(): void {
    this.#conn?.close();
    this.#conn = undefined;
    this.#familyId = undefined;
  }
}
