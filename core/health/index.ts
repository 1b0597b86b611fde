/** core/health: checker specs as data, the verdict reducer, per-server folding and the engine. */
export * from './spec.ts';
export * from './verdict.ts';
export * from './migrate.ts';
export * from './real-server.ts';
export * from './engine.ts';
export { TimerHeap } from './timer-heap.ts';
export * from './from-config.ts';
export { pcreToJs, type JsRegex } from './pcre-options.ts';
