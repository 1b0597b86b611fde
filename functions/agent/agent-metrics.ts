/**
 * The agent's Prometheus metrics (prom-client), served by `floatip agent --metrics HOST:PORT`. VRRP
 * figures are read from the running service at scrape time (its keepalived-style counters), the LVS
 * side's real servers likewise; events (transitions, checks retried late, apply times, notify scripts)
 * are counted as they happen. Names follow Prometheus conventions: `floatip_` prefix, base units
 * (seconds), `_total` for counters. README "Agent metrics" lists them with example alert rules.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { VrrpInstanceStatus } from '../../core/app/vrrp-service.ts';
import type { LvsObserver } from './lvs.ts';
import type { ScriptRun } from '../../adapters/system/notifier.ts';

const STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'] as const;
/** VRRP counters that are not rejects. */
const NOT_REJECTS = new Set([
  'advert_rcvd',
  'advert_sent',
  'become_master',
  'release_master',
  'pri_zero_rcvd',
  'pri_zero_sent',
]);

export interface AgentMetricsSources {
  vrrp(): VrrpInstanceStatus[];
  /** The LVS side's real servers (absent without virtual servers). */
  realServers?(): Array<{ vs: string; rs: string; up: boolean }>;
}

export interface AgentMetrics {
  registry: Registry;
  lvs: LvsObserver;
  /** A VRRP instance or group entered `to` (from the notifier's state events). */
  transition(instance: string, to: string): void;
  /** A failed probe attempt ended far past its timeout and is made again (the agent was short of CPU). */
  lateRetry(): void;
  notifyScript(run: ScriptRun): void;
}

function vrrpCollectors(registry: Registry, sources: AgentMetricsSources): void {
  const registers = [registry];
  new Gauge({
    name: 'floatip_vrrp_state',
    help: 'VRRP instance state: 1 for the current state, 0 for the others',
    labelNames: ['instance', 'state'],
    registers,
    collect() {
      this.reset();
      for (const i of sources.vrrp())
        for (const s of STATES) this.set({ instance: i.name, state: s }, i.state === s ? 1 : 0);
    },
  });
  new Gauge({
    name: 'floatip_vrrp_priority',
    help: 'Effective VRRP priority (base priority plus tracking weights)',
    labelNames: ['instance'],
    registers,
    collect() {
      this.reset();
      for (const i of sources.vrrp()) this.set({ instance: i.name }, i.effectivePriority);
    },
  });
  const counter = (name: string, help: string, stat: string): void => {
    new Counter({
      name,
      help,
      labelNames: ['instance'],
      registers,
      collect() {
        this.reset();
        for (const i of sources.vrrp()) this.inc({ instance: i.name }, i.stats[stat] ?? 0);
      },
    });
  };
  counter('floatip_vrrp_adverts_sent_total', 'VRRP adverts sent', 'advert_sent');
  counter('floatip_vrrp_adverts_received_total', 'VRRP adverts received and accepted', 'advert_rcvd');
  counter('floatip_vrrp_become_master_total', 'Times the instance became MASTER', 'become_master');
  counter('floatip_vrrp_release_master_total', 'Times the instance left MASTER', 'release_master');
  new Counter({
    name: 'floatip_vrrp_adverts_rejected_total',
    help: 'VRRP packets rejected, by reason (keepalived statistic names)',
    labelNames: ['instance', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const i of sources.vrrp())
        for (const [reason, n] of Object.entries(i.stats))
          if (!NOT_REJECTS.has(reason)) this.inc({ instance: i.name, reason }, n);
    },
  });
}

export function createAgentMetrics(sources: AgentMetricsSources): AgentMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  vrrpCollectors(registry, sources);
  const transitions = new Counter({
    name: 'floatip_vrrp_transitions_total',
    help: 'VRRP state changes, by the state entered',
    labelNames: ['instance', 'to'],
    registers,
  });
  new Gauge({
    name: 'floatip_lvs_real_server_up',
    help: 'Real server health verdict: 1 up, 0 down',
    labelNames: ['virtual_server', 'real_server'],
    registers,
    collect() {
      this.reset();
      for (const s of sources.realServers?.() ?? [])
        this.set({ virtual_server: s.vs, real_server: s.rs }, s.up ? 1 : 0);
    },
  });
  const rsChanges = new Counter({
    name: 'floatip_lvs_real_server_changes_total',
    help: 'Real server health verdict changes, by the verdict reached',
    labelNames: ['to'],
    registers,
  });
  const lag = new Histogram({
    name: 'floatip_health_check_lag_seconds',
    help: 'How late the health-check timer fired after the earliest due check (CPU starvation)',
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 1, 2, 5],
    registers,
  });
  const lateRetries = new Counter({
    name: 'floatip_health_check_late_retries_total',
    help: 'Failed probe attempts that ended far past their timeout and were made again',
    registers,
  });
  const apply = new Histogram({
    name: 'floatip_lvs_apply_duration_seconds',
    help: 'Time to apply one change set to the LB data plane',
    labelNames: ['result'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 20],
    registers,
  });
  const scripts = new Histogram({
    name: 'floatip_notify_script_duration_seconds',
    help: 'Notify script run time, by the state notified',
    labelNames: ['state'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers,
  });
  const scriptFailures = new Counter({
    name: 'floatip_notify_script_failures_total',
    help: 'Notify scripts that exited non-zero, timed out or could not start',
    labelNames: ['state', 'outcome'],
    registers,
  });
  return {
    registry,
    lvs: {
      applied: (seconds, ok) => apply.observe({ result: ok ? 'ok' : 'error' }, seconds),
      lag: (lateMs) => lag.observe(lateMs / 1000),
      realServer: (up) => rsChanges.inc({ to: up ? 'up' : 'down' }),
    },
    transition: (instance, to) => transitions.inc({ instance, to }),
    lateRetry: () => lateRetries.inc(),
    notifyScript(run) {
      scripts.observe({ state: run.state }, run.seconds);
      if (run.outcome !== 'ok') scriptFailures.inc({ state: run.state, outcome: run.outcome });
    },
  };
}
