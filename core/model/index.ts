export * from './outcome.ts';
export * from './epoch.ts';
export * from './config-common.ts';
export * from './config-global.ts';
export * from './config-vrrp.ts';
export * from './config-lvs.ts';
export * from './config.ts';
export * from './config-diagnostic.ts';
