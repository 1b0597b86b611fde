import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createControlApp } from '../../adapters/http/index.ts';
import type { ControlPlane } from '../control-plane/index.ts';
import { connectedControlPlane } from '../control-plane/index.ts';

/** What hono's aws-lambda adapter hands the app as `c.env` (only the fields read here). */
interface LambdaBindings {
  requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } };
}

/**
 * The client's address as API Gateway saw the connection (HTTP API v2: requestContext.http.sourceIp;
 * REST v1: requestContext.identity.sourceIp). An ALB reports none: its requests count by X-Forwarded-For
 * only when the ALB's addresses are configured as trusted proxies.
 */
export const lambdaPeerAddress = (c: Context): string | undefined => {
  const rc = (c.env as LambdaBindings | undefined)?.requestContext;
  return rc?.http?.sourceIp ?? rc?.identity?.sourceIp;
};

/** The hono app behind API Gateway (REST v1 / HTTP v2) or an ALB, through hono's aws-lambda adapter. */
export function createHttpHandler(cp: ControlPlane): ReturnType<typeof handle> {
  return handle(createControlApp({ ...cp.http, peerAddress: lambdaPeerAddress }));
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
