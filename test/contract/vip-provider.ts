/**
 * The VipProvider contract: ONE suite, run against the in-memory fake and against every real adapter on
 * its emulator (STYLE 11). Each case gets a fresh subject: a provider, one resource nobody holds yet, two
 * members, and a way to make the provider throttle the next calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Holder, Observation, VipProvider, VipResource } from '../../core/ports/index.ts';
import type { Outcome } from '../../core/model/index.ts';

export interface ContractSubject {
  provider: VipProvider;
  resource: VipResource;
  a: Holder;
  b: Holder;
  /** The next `n` API calls are throttled by the provider. */
  throttle(n: number): void;
  close(): Promise<void>;
}

export interface ContractOptions {
  /** Kinds that cannot be given up (e.g. a DNS record) skip the release case. */
  releasable?: boolean;
}

const holderOf = async (s: ContractSubject): Promise<string | null> => {
  const o: Outcome<Observation> = await s.provider.observe(s.resource);
  assert.equal(o.kind, 'ok', `observe failed: ${JSON.stringify(o)}`);
  return o.kind === 'ok' ? o.value.holder : null;
};

export function vipProviderContract(
  name: string,
  setup: () => Promise<ContractSubject>,
  options: ContractOptions = {},
): void {
  const withSubject = (title: string, body: (s: ContractSubject) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const s = await setup();
      try {
        await body(s);
      } finally {
        await s.close();
      }
    });
  };

  withSubject('a fresh resource has no holder', async (s) => {
    assert.equal(await holderOf(s), null);
  });

  withSubject('acquire moves it, verifies, and a repeat changes nothing', async (s) => {
    const first = await s.provider.acquire(s.resource, s.a, 1);
    assert.equal(first.kind, 'ok', JSON.stringify(first));
    assert.ok(first.kind === 'ok' && first.value.changed && first.value.after.holder === s.a.id);
    assert.equal(await holderOf(s), s.a.id);
    const again = await s.provider.acquire(s.resource, s.a, 1);
    assert.ok(again.kind === 'ok', JSON.stringify(again));
    assert.equal(again.value.changed, false);
    assert.equal(again.value.before.holder, s.a.id);
  });

  withSubject('a dry run lists the writes and changes nothing', async (s) => {
    assert.equal((await s.provider.acquire(s.resource, s.a, 1)).kind, 'ok');
    const dry = await s.provider.acquire(s.resource, s.b, 2, { dryRun: true, takeover: true });
    assert.ok(dry.kind === 'ok', JSON.stringify(dry));
    assert.ok(dry.value.calls.length > 0, 'the writes it would make');
    assert.equal(dry.value.after.holder, s.b.id);
    assert.equal(await holderOf(s), s.a.id);
  });

  withSubject('without takeover, a resource held by another member is left alone (conflict)', async (s) => {
    assert.equal((await s.provider.acquire(s.resource, s.a, 1)).kind, 'ok');
    const out = await s.provider.acquire(s.resource, s.b, 2);
    assert.equal(out.kind, 'conflict', JSON.stringify(out));
    assert.equal(await holderOf(s), s.a.id);
  });

  withSubject('with takeover (holder fenced), it moves', async (s) => {
    assert.equal((await s.provider.acquire(s.resource, s.a, 1)).kind, 'ok');
    const out = await s.provider.acquire(s.resource, s.b, 2, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.changed, JSON.stringify(out));
    assert.equal(await holderOf(s), s.b.id);
  });

  withSubject('two members claim at once: exactly one owner, the other is told conflict', async (s) => {
    const [ra, rb] = await Promise.all([
      s.provider.acquire(s.resource, s.a, 1),
      s.provider.acquire(s.resource, s.b, 1),
    ]);
    const kinds = [ra.kind, rb.kind].sort();
    assert.deepEqual(kinds, ['conflict', 'ok'], `${JSON.stringify(ra)} / ${JSON.stringify(rb)}`);
    const winner = ra.kind === 'ok' ? s.a.id : s.b.id;
    assert.equal(await holderOf(s), winner);
  });

  withSubject('throttling in the middle of a failover is retried and the failover completes', async (s) => {
    assert.equal((await s.provider.acquire(s.resource, s.a, 1)).kind, 'ok');
    s.throttle(2);
    const out = await s.provider.acquire(s.resource, s.b, 2, { takeover: true });
    assert.ok(out.kind === 'ok', JSON.stringify(out));
    assert.equal(await holderOf(s), s.b.id);
  });

  if (options.releasable !== false)
    withSubject('release by a non-holder changes nothing; by the holder it frees the resource', async (s) => {
      assert.equal((await s.provider.acquire(s.resource, s.a, 1)).kind, 'ok');
      const wrong = await s.provider.release(s.resource, s.b, 1);
      assert.ok(wrong.kind === 'ok' && !wrong.value.changed, JSON.stringify(wrong));
      assert.equal(await holderOf(s), s.a.id);
      const right = await s.provider.release(s.resource, s.a, 1);
      assert.ok(right.kind === 'ok' && right.value.changed, JSON.stringify(right));
      assert.equal(await holderOf(s), null);
    });
}
