/**
 * Sets up and tears down the use_vmac / use_ipvlan links of a plan through the VirtualLinkManager port:
 * before the instances start (leftovers of an earlier run removed first), on reload (new links before the
 * instances move, dropped links after), and at stop (after the VIPs are gone). A failure names the
 * instance and the step, and the links made so far are removed again.
 */
import type { LinkWatcher, Logger, VirtualLinkManager, VirtualLinkSpec } from '../ports/index.ts';

const same = (a: VirtualLinkSpec, b: VirtualLinkSpec) =>
  a.name === b.name &&
  a.kind === b.kind &&
  a.base === b.base &&
  a.mac === b.mac &&
  a.ipvlanFlags === b.ipvlanFlags &&
  a.ipv6 === b.ipv6 &&
  JSON.stringify(a.address) === JSON.stringify(b.address);

async function setAll(
  links: VirtualLinkManager,
  specs: readonly VirtualLinkSpec[],
  logger: Logger,
): Promise<void> {
  const done: VirtualLinkSpec[] = [];
  for (const spec of specs) {
    try {
      await links.set(spec);
    } catch (e) {
      // The failing link may be half made (a taken-over one stays: it was there before).
      if (spec.action !== 'reuse') await links.remove(spec).catch(() => undefined);
      for (const d of done.reverse()) await links.remove(d).catch(() => undefined);
      throw new Error(`vrrp_instance ${spec.instance}: ${(e as Error).message}`, { cause: e });
    }
    done.push(spec);
    logger.info(`vrrp_instance ${spec.instance}: ${spec.kind} ${spec.name} on ${spec.base} is up`, {
      action: spec.action,
      ...(spec.mac ? { mac: spec.mac } : {}),
      ...(spec.ipvlanFlags ? { mode: spec.ipvlanFlags } : {}),
    });
  }
}

/** At start: removes floatip's stale links, then creates (or takes over) every link of the plan. */
export async function setUpVirtualLinks(
  links: VirtualLinkManager,
  specs: readonly VirtualLinkSpec[],
  logger: Logger,
): Promise<void> {
  const stale = await links.removeStale(specs.map((s) => s.name));
  for (const name of stale) logger.info(`vrrp: removed ${name}, left over by an earlier run`);
  await setAll(links, specs, logger);
}

/** At stop: removes every link of the plan; failures are logged, the others still go. */
export async function tearDownVirtualLinks(
  links: VirtualLinkManager,
  specs: readonly VirtualLinkSpec[],
  logger: Logger,
): Promise<void> {
  for (const spec of specs) {
    try {
      await links.remove(spec);
    } catch (e) {
      logger.error(`vrrp_instance ${spec.instance}: cannot remove ${spec.name}`, {
        err: (e as Error).message,
      });
    }
  }
}

/** Reload, first half: links the new plan adds or changes, before the instances are moved onto them. */
export async function addReloadedLinks(
  links: VirtualLinkManager,
  before: readonly VirtualLinkSpec[],
  after: readonly VirtualLinkSpec[],
  logger: Logger,
): Promise<void> {
  await setAll(
    links,
    after.filter((s) => !before.some((b) => same(b, s))),
    logger,
  );
}

/** Reload, second half: links only the old plan had, once no instance uses them. */
export async function removeReloadedLinks(
  links: VirtualLinkManager,
  before: readonly VirtualLinkSpec[],
  after: readonly VirtualLinkSpec[],
  logger: Logger,
): Promise<void> {
  await tearDownVirtualLinks(
    links,
    before.filter((b) => !after.some((s) => s.name === b.name)),
    logger,
  );
}

export interface VirtualLinkKeeper {
  /** Stops making links again (reload in progress); deletions seen meanwhile are not acted on. */
  pause(): void;
  /** Acts again, first making any link of the current plan that is missing. */
  resume(): Promise<void>;
  stop(): void;
}

/**
 * A link of the plan deleted under a running instance (`ip link del vrrp.51`) is made again at once, as
 * keepalived does (keepalived_netlink.c recreate_vmac_thread); its loss has meanwhile put the instance in
 * FAULT through its interface tracker, and the instance recovers when the link is up again. A link whose
 * base is missing waits for the base to come back. Unlike keepalived 2.2.7, which makes only the link the
 * instance runs on again, this also covers use_vmac_addr links (keepalived leaves that instance in FAULT).
 * Both are shown beside keepalived in test/netns/vrrp/keepalived-vmac-addr.test.ts.
 */
export function keepVirtualLinks(
  links: VirtualLinkManager,
  watcher: LinkWatcher,
  current: () => readonly VirtualLinkSpec[],
  logger: Logger,
): VirtualLinkKeeper {
  let paused = false;
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  const missing = new Set<string>();
  const remake = (spec: VirtualLinkSpec) =>
    (queue = queue.then(async () => {
      if (stopped || paused) return;
      if ((await links.list()).some((l) => l.name === spec.name)) return;
      try {
        await links.set({ ...spec, action: 'create' });
        missing.delete(spec.name);
        logger.info(`vrrp_instance ${spec.instance}: ${spec.kind} ${spec.name} was deleted; made it again`);
      } catch (e) {
        missing.add(spec.name);
        logger.error(`vrrp_instance ${spec.instance}: cannot make ${spec.name} again`, {
          err: (e as Error).message,
        });
      }
    }));
  const unwatch = watcher.watch((name, up, removed) => {
    if (stopped || paused) return;
    const specs = current();
    const lost = removed ? specs.find((s) => s.name === name) : undefined;
    if (lost) {
      missing.add(name);
      void remake(lost);
    } else if (up) for (const s of specs) if (s.base === name && missing.has(s.name)) void remake(s);
  });
  return {
    pause: () => void (paused = true),
    async resume() {
      paused = false;
      const present = new Set((await links.list()).map((l) => l.name));
      for (const s of current()) if (!present.has(s.name)) void remake(s);
      await queue;
    },
    stop() {
      stopped = true;
      unwatch();
    },
  };
}
