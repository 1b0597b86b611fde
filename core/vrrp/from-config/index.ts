export * from './trackers.ts';
