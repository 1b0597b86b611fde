// Small builders for FSM tests: specs, adverts as they would arrive, and effect filters.
import assert from 'node:assert/strict';
import {
  initialInstanceState,
  makeInstanceSpec,
  ownAdvert,
  step,
  type InstanceEvent,
  type InstanceSpecInput,
  type InstanceState,
  type ReceivedAdvert,
  type VrrpEffect,
  type VrrpInstanceSpec,
} from '../../../../core/vrrp/index.ts';

export function spec(over: Partial<InstanceSpecInput> = {}): VrrpInstanceSpec {
  const r = makeInstanceSpec({ name: 'VI_1', vrid: 51, sourceIp: '10.0.0.1', vips: ['10.0.0.100'], ...over });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.spec;
}

/** An advert from `src` with `priority`, as the codec hands it over, built from a peer's own spec. */
export function advertFrom(
  s: VrrpInstanceSpec,
  src: string,
  priority: number,
  over: Partial<InstanceSpecInput> = {},
): ReceivedAdvert {
  const peer = spec({
    name: 'peer',
    vrid: s.vrid,
    sourceIp: src,
    vips: s.vips,
    version: s.version,
    advertIntervalMs: s.advertIntervalMs,
    auth: s.auth,
    ...over,
  });
  return {
    advert: ownAdvert(peer, priority),
    ip: { family: s.family, src, dst: s.family === 'ipv4' ? '224.0.0.18' : 'ff02::12', ttl: 255 },
    checksum: 0,
    checksumMode: s.version === 2 ? 'v2' : 'pseudo-header',
  };
}

/** Feed events in order; returns the final state and every effect with the time it happened. */
export function run(
  s: InstanceState,
  events: Array<[number, InstanceEvent]>,
): { state: InstanceState; effects: VrrpEffect[] } {
  let state = s;
  const effects: VrrpEffect[] = [];
  for (const [now, e] of events) {
    const r = step(state, e, now);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

export const started = (sp: VrrpInstanceSpec, at = 0): { state: InstanceState; effects: VrrpEffect[] } =>
  run(initialInstanceState(sp), [[at, { kind: 'start' }]]);

export const kinds = (fx: readonly VrrpEffect[]): string[] =>
  fx.map((f) =>
    f.kind === 'arm-timer' || f.kind === 'cancel-timer'
      ? `${f.kind}:${f.timer}`
      : f.kind === 'notify'
        ? `notify:${f.what}`
        : f.kind === 'send-advert'
          ? `send-advert:${f.advert.priority}`
          : f.kind,
  );

export function armedAt(fx: readonly VrrpEffect[], timer: string): number | undefined {
  const arms = fx.filter((f) => f.kind === 'arm-timer' && f.timer === timer);
  const last = arms[arms.length - 1];
  return last && last.kind === 'arm-timer' ? last.atMs : undefined;
}
