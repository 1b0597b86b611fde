export * from './codec.ts';
export * from './session.ts';
export * from './demux.ts';
export * from './from-config.ts';
