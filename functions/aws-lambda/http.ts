import { handle } from 'hono/aws-lambda';
import { createControlApp } from '../../adapters/http/index.ts';
import type { ControlPlane } from '../control-plane/index.ts';
import { connectedControlPlane } from '../control-plane/index.ts';

/** The hono app behind API Gateway (REST v1 / HTTP v2) or an ALB, through hono's aws-lambda adapter. */
export function createHttpHandler(cp: ControlPlane): ReturnType<typeof handle> {
  return handle(createControlApp(cp.http));
}

let cached: ReturnType<typeof handle> | null = null;

/**
 * Lambda entry point (`http.handler` in the built zip); config from FLOATIP_CONFIG. Redis is connected
 * within the invocation (a frozen Lambda has no background in which to connect).
 */
export const handler: ReturnType<typeof handle> = async (event, context) => {
  const cp = await connectedControlPlane();
  cached ??= createHttpHandler(cp);
  return cached(event, context);
};
