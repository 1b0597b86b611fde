import { handle } from 'hono/aws-lambda';
import { createControlApp } from '../../adapters/http/index.ts';
import type { ControlPlane } from '../control-plane/index.ts';
import { lazyControlPlane } from '../control-plane/index.ts';

/** The hono app behind API Gateway (REST v1 / HTTP v2) or an ALB, through hono's aws-lambda adapter. */
export function createHttpHandler(cp: ControlPlane): ReturnType<typeof handle> {
  return handle(createControlApp(cp.http));
}

let cached: ReturnType<typeof handle> | null = null;

/** Lambda entry point (`functions/aws-lambda/http.handler`); config from FLOATIP_CONFIG. */
export const handler: ReturnType<typeof handle> = async (event, context) => {
  cached ??= createHttpHandler(await lazyControlPlane());
  return cached(event, context);
};
