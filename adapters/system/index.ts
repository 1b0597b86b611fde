export { systemClock } from './clock.ts';
export { systemRandom } from './random.ts';
export { createLogger, redactedKeys } from './logger.ts';
export { realSleep } from './sleep.ts';
export { serveMetrics, parseListen, type MetricsListener } from './metrics-server.ts';
export { createTimerService } from './timers.ts';
export { createScriptQueue } from './script-queue.ts';
