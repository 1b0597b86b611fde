import type { ListedCommand } from '../command.ts';

/**
 * Every subcommand, in the order `floatip help` lists them. Add one line per new command. A command's
 * module (and what it imports) is loaded only when that command runs or shows its usage: `floatip agent`
 * does not carry the control plane, cloud or LVS-table code (test/functions/cli/main.test.ts checks that
 * the names and summaries here are the modules' own).
 */
export const commands: ListedCommand[] = [
  {
    name: 'check-config',
    summary:
      'validate a keepalived.conf, floatip YAML/JSON or control-plane configuration (like keepalived -t)',
    load: async () => (await import('./check-config.ts')).checkConfig,
  },
  {
    name: 'convert',
    summary:
      'convert a keepalived.conf to the floatip native format (YAML or JSON), every default written out',
    load: async () => (await import('./convert.ts')).convert,
  },
  {
    name: 'agent',
    summary: 'run the VRRP side of a keepalived.conf (VIPs, adverts, GARP, notify scripts)',
    load: async () => (await import('./agent.ts')).agentCommand,
  },
  {
    name: 'status',
    summary: "show the running agent's VRRP instances (state, priority, master, VIPs)",
    load: async () => (await import('./status.ts')).statusCommand,
  },
  {
    name: 'lvs-table',
    summary: 'print the LB table a keepalived.conf plans at start, in ipvsadm -Ln format',
    load: async () => (await import('./status-lvs.ts')).lvsTableCommand,
  },
  {
    name: 'serve',
    summary: 'run the control-plane HTTP API (webhooks, manual failover, state, metrics, OpenAPI)',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  {
    name: 'worker',
    summary: 'run the control-plane worker (failover and sweep jobs; schedules sweeps)',
    load: async () => (await import('./worker.ts')).workerCommand,
  },
  {
    name: 'drain',
    summary: 'process queued control-plane jobs within a time budget, then exit (cron / function style)',
    load: async () => (await import('./drain.ts')).drainCommand,
  },
  {
    name: 'control-plane',
    summary: 'run the whole control plane locally (API + worker + sweeps); --demo shows a failover',
    load: async () => (await import('./serve-control-plane.ts')).controlPlaneCommand,
  },
  {
    name: 'cloud',
    summary:
      'inspect who holds the cloud addresses/routes/records, prove a failover would work (preflight), or fail them over',
    load: async () => (await import('./cloud.ts')).cloudCommand,
  },
  {
    name: 'lease-agent',
    summary: 'elect a group master over Redis leases; the master takes the group resources (with epoch)',
    load: async () => (await import('./lease-agent.ts')).leaseAgentCommand,
  },
];
