/**
 * The agent's TimerService on real Node timers: re-arming replaces the pending fire (also with the same
 * delay, where the Node timer is refreshed), cancel stops it, a fired timer can be armed again, and the
 * callback given last is the one that runs.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { systemClock } from '../../../adapters/system/index.ts';
import { createTimerService } from '../../../adapters/system/timers.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('re-arming an id replaces its pending timer; the last callback runs once', async () => {
  const timers = createTimerService(systemClock);
  const fired: string[] = [];
  const now = () => systemClock.monotonicMs();
  timers.arm('a', now() + 20, () => fired.push('first'));
  timers.arm('a', now() + 20, () => fired.push('second')); // same delay: refreshed
  timers.arm('b', now() + 5, () => fired.push('b'));
  timers.arm('b', now() + 30, () => fired.push('b-later')); // other delay: replaced
  await wait(80);
  assert.deepEqual(fired.sort(), ['b-later', 'second']);
});

it('a fired timer can be armed again from its own callback, as an advert timer is', async () => {
  const timers = createTimerService(systemClock);
  let count = 0;
  const tick = () => {
    count++;
    if (count < 5) timers.arm('adv', systemClock.monotonicMs() + 2, tick);
  };
  timers.arm('adv', systemClock.monotonicMs() + 2, tick);
  for (let i = 0; i < 200 && count < 5; i++) await wait(5);
  assert.equal(count, 5);
  await wait(20);
  assert.equal(count, 5, 'nothing fires after the last re-arm');
});

it('cancel and cancelAll stop pending timers, and an id can be armed after cancel', async () => {
  const timers = createTimerService(systemClock);
  const fired: string[] = [];
  const at = () => systemClock.monotonicMs() + 10;
  timers.arm('x', at(), () => fired.push('x'));
  timers.cancel('x');
  timers.arm('y', at(), () => fired.push('y'));
  timers.arm('z', at(), () => fired.push('z'));
  timers.cancelAll();
  timers.arm('x', at(), () => fired.push('x again'));
  await wait(50);
  assert.deepEqual(fired, ['x again']);
});
