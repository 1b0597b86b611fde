export { ManualClock } from './clock.ts';
export { seededRandom } from './random.ts';
