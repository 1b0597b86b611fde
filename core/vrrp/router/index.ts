export * from './router-spec.ts';
export * from './router.ts';
export * from './steady-receive.ts';
