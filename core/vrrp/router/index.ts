export * from './router-spec.ts';
export * from './router.ts';
