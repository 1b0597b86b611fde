/** The public surface of the virtual-server pool rules (re-exported by core/lb/index.ts). */
export * from './rules.ts';
export * from './rules-config.ts';
