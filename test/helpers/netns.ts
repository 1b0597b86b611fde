/**
 * A throw-away L2 lab in Linux network namespaces: directors, a client and real servers, each in its own
 * namespace with one interface `eth0`, all plugged into a bridge that lives in a private "hub" namespace
 * (nothing is added to the host's own namespace).
 *
 *   fip-vrrp-<pid>-<rand>-hub:  bridge br0 ── v-d1 ─┬─ eth0 @ fip-vrrp-<pid>-<rand>-d1   10.99.0.11 fd00:99::11
 *                                         ├── v-d2 ─┼─ eth0 @ ...-d2                  10.99.0.12 fd00:99::12
 *                                         ├── v-c  ─┼─ eth0 @ ...-c  (client)         10.99.0.100
 *                                         └── v-r1 ─┴─ eth0 @ ...-r1 (real server)    10.99.0.201
 *
 * Names carry the creating process id, so {@link sweepStaleLabs} can remove what a crashed run left behind
 * without touching labs of runs that are still alive. Always pair createLab with lab.destroy() (t.after or
 * finally); destroy kills every process still running in the lab's namespaces.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const LAB_PREFIX = 'fip-vrrp-';

export interface LabNode {
  /** Short name: d1, d2, d3, c, r1, ... */
  name: string;
  /** Namespace name. */
  ns: string;
  /** The hub-side peer of this node's eth0 (set it down to cut the node's link). */
  hubPort: string;
  ipv4: string;
  ipv6: string;
  mac: string;
}

export interface LabOptions {
  directors?: number;
  realServers?: number;
  client?: boolean;
}

export interface Lab {
  id: string;
  hub: string;
  nodes: Record<string, LabNode>;
  directors: LabNode[];
  /** Runs a command in a node's namespace and returns stdout (throws with stderr on failure). */
  exec(node: LabNode | string, argv: string[], options?: { input?: string; allowFail?: boolean }): string;
  /** Starts a long-running command in a node's namespace; destroy() kills it if still running. */
  spawn(node: LabNode | string, argv: string[], options?: SpawnOptions): ChildProcess;
  /** Cuts (down) or restores (up) a node's cable at the bridge. */
  setLink(node: LabNode | string, up: boolean): void;
  /** Kills every process in the lab and deletes its namespaces. Safe to call twice. */
  destroy(): void;
}

/** Runs argv to its end (20 s at most) and answers its stdout; throws on a non-zero exit. */
export function run(argv: string[], input?: string): string {
  const [cmd, ...args] = argv;
  return execFileSync(cmd ?? 'true', args, {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 20_000,
  });
}

/** Checks the lab's prerequisites and throws one clear message naming what is missing. */
export function assertLabPrerequisites(tools: string[] = []): void {
  if (process.getuid?.() !== 0) throw new Error('the netns lab needs root (ip netns, veth, bridge)');
  for (const tool of ['ip', ...tools]) {
    try {
      run(['sh', '-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`the netns lab needs "${tool}" installed (see .ci/apt-packages)`);
    }
  }
}

function listNamespaces(): string[] {
  const out = run(['ip', 'netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.length > 0);
}

/** SIGKILLs every process in `ns` (a few rounds, for children forked meanwhile), then deletes it. */
export function killNamespace(ns: string): void {
  for (let round = 0; round < 5; round++) {
    let pids: string[] = [];
    try {
      pids = run(['ip', 'netns', 'pids', ns]).split(/\s+/).filter(Boolean);
    } catch {
      return;
    }
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    execFileSync('sleep', ['0.05']);
  }
  try {
    run(['ip', 'netns', 'delete', ns]);
  } catch {
    // deleted concurrently
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Removes namespaces of this prefix whose creating process is gone (leftovers of crashed runs). */
export function sweepStaleLabs(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    if (!ns.startsWith(LAB_PREFIX)) continue;
    const pid = Number(ns.slice(LAB_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    killNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

/** Builds the lab; on any setup failure it removes what it created and rethrows. */
export function createLab(options: LabOptions = {}): Lab {
  assertLabPrerequisites();
  sweepStaleLabs();
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const hub = `${LAB_PREFIX}${id}-hub`;
  const specs: { name: string; host: number }[] = [];
  for (let i = 1; i <= (options.directors ?? 2); i++) specs.push({ name: `d${i}`, host: 10 + i });
  if (options.client ?? true) specs.push({ name: 'c', host: 100 });
  for (let i = 1; i <= (options.realServers ?? 0); i++) specs.push({ name: `r${i}`, host: 200 + i });

  const nodes: Record<string, LabNode> = {};
  const created: string[] = [];
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const ns of [...created].reverse()) killNamespace(ns);
  };

  try {
    run(['ip', 'netns', 'add', hub]);
    created.push(hub);
    const inHub = (cmd: string) => run(['ip', '-n', hub, ...cmd.split(' ')]);
    inHub('link add br0 type bridge');
    // Forward immediately: no STP listening delay, no multicast snooping surprises for VRRP groups.
    inHub('link set br0 type bridge forward_delay 0 stp_state 0 mcast_snooping 0');
    inHub('link set br0 up');
    inHub('link set lo up');
    for (const spec of specs) {
      const ns = `${LAB_PREFIX}${id}-${spec.name}`;
      run(['ip', 'netns', 'add', ns]);
      created.push(ns);
      const hubPort = `v-${spec.name}`;
      const mac = `02:99:00:00:00:${spec.host.toString(16).padStart(2, '0')}`;
      run(['ip', '-n', hub, 'link', 'add', hubPort, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      inHub(`link set ${hubPort} master br0 up`);
      const inNs = (args: string[]) => run(['ip', '-n', ns, ...args]);
      // Addresses come up at once: no duplicate address detection delay in a lab.
      run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0']);
      run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
      run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=0']);
      inNs(['link', 'set', 'eth0', 'address', mac]);
      inNs(['link', 'set', 'lo', 'up']);
      inNs(['link', 'set', 'eth0', 'up']);
      const ipv4 = `10.99.0.${spec.host}`;
      const ipv6 = `fd00:99::${spec.host.toString(16)}`;
      inNs(['addr', 'add', `${ipv4}/24`, 'dev', 'eth0']);
      inNs(['addr', 'add', `${ipv6}/64`, 'dev', 'eth0', 'nodad']);
      nodes[spec.name] = { name: spec.name, ns, hubPort, ipv4, ipv6, mac };
    }
  } catch (e) {
    destroy();
    throw e;
  }

  const resolve = (node: LabNode | string): LabNode => {
    const n = typeof node === 'string' ? nodes[node] : node;
    if (!n) throw new Error(`lab ${id} has no node ${String(node)}`);
    return n;
  };

  return {
    id,
    hub,
    nodes,
    directors: specs.filter((s) => s.name.startsWith('d')).map((s) => nodes[s.name] as LabNode),
    exec(node, argv, opts = {}) {
      try {
        return run(['ip', 'netns', 'exec', resolve(node).ns, ...argv], opts.input);
      } catch (e) {
        if (opts.allowFail) return '';
        const err = e as { stderr?: string; stdout?: string; message: string };
        throw new Error(
          `[${resolve(node).name}] ${argv.join(' ')} failed: ${err.stderr || err.message}${err.stdout ? `\n${err.stdout}` : ''}`,
          {
            cause: e,
          },
        );
      }
    },
    spawn(node, argv, opts = {}) {
      const child = spawn('ip', ['netns', 'exec', resolve(node).ns, ...argv], { stdio: 'pipe', ...opts });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    setLink(node, up) {
      run(['ip', '-n', hub, 'link', 'set', resolve(node).hubPort, up ? 'up' : 'down']);
    },
    destroy,
  };
}

/** Polls `probe` until it returns a non-undefined value; throws `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True when `address` (no prefix) is configured on the node's eth0. */
export function hasAddress(lab: Lab, node: LabNode | string, address: string): boolean {
  const out = lab.exec(node, ['ip', '-o', 'addr', 'show', 'dev', 'eth0']);
  return out.split('\n').some((l) => l.includes(` ${address}/`));
}

/** The node's IPv6 link-local address on eth0. */
export function linkLocal(lab: Lab, node: LabNode | string): string {
  const out = lab.exec(node, ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
  const m = /inet6 (fe80::[0-9a-f:]+)\//.exec(out);
  if (!m?.[1]) throw new Error(`no link-local address on ${typeof node === 'string' ? node : node.name}`);
  return m[1];
}
