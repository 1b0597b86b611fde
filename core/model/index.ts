export * from './outcome.ts';
export * from './epoch.ts';
