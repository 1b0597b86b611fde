export { buildControlPlane } from './shared.ts';
export type { ControlOverrides, ControlPlane } from './shared.ts';
export { ControlConfigError, loadControlPlaneConfig, resolveSecret, resolveTokens } from './config.ts';
