import { loadControlPlaneConfig } from './config.ts';
import type { ControlPlane } from './shared.ts';
import { buildControlPlane } from './shared.ts';

let pending: Promise<ControlPlane> | null = null;

/**
 * The control plane of a function runtime, built once per warm instance from the file named by
 * FLOATIP_CONFIG. A missing variable fails the invocation loudly; there is no default config.
 */
export function lazyControlPlane(env: NodeJS.ProcessEnv = process.env): Promise<ControlPlane> {
  if (!pending) {
    const file = env.FLOATIP_CONFIG;
    pending =
      file === undefined || file === ''
        ? Promise.reject(new Error('FLOATIP_CONFIG is not set (path of the control-plane config file)'))
        : loadControlPlaneConfig(file).then((c) => buildControlPlane(c, { env }));
    pending.catch(() => (pending = null));
  }
  return pending;
}
