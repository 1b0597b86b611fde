import type {
  CloudEvent,
  Request as FfRequest,
  Response as FfResponse,
} from '@google-cloud/functions-framework';
import { createControlApp } from '../../adapters/http/index.ts';
import type { ControlPlane, ScheduledSweepResult } from '../control-plane/index.ts';
import { scheduledSweep } from '../control-plane/index.ts';

/** functions-framework HTTP function → the hono app (the raw body is passed through unparsed). */
export function gcpHttpHandler(cp: ControlPlane): (req: FfRequest, res: FfResponse) => Promise<void> {
  // The connection's address (the platform's front end unless it is configured as a trusted proxy, in
  // which case the client it reports in X-Forwarded-For counts), passed per request through `env`.
  const app = createControlApp({
    ...cp.http,
    peerAddress: (c) => (c.env as { peer?: string } | undefined)?.peer,
  });
  return async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const raw = (req as FfRequest & { rawBody?: Buffer }).rawBody;
    const url = `http://${req.headers.host ?? 'localhost'}${req.originalUrl ?? req.url}`;
    const r = await app.fetch(
      new Request(url, { method: req.method, headers, ...(hasBody ? { body: raw ?? Buffer.alloc(0) } : {}) }),
      { peer: req.socket?.remoteAddress },
    );
    res.status(r.status);
    r.headers.forEach((v, k) => res.setHeader(k, v));
    res.send(Buffer.from(await r.arrayBuffer()));
  };
}

/** A Pub/Sub message as a CloudEvent (`google.cloud.pubsub.topic.v1.messagePublished`), from Cloud Scheduler. */
export interface PubSubMessageData {
  message?: { messageId?: string; data?: string };
  subscription?: string;
}

/** CloudEvent (Pub/Sub) trigger → one sweep (keyed by the event id) + a bounded drain. */
export function gcpSweepHandler(
  cp: ControlPlane,
  budgetMs: number,
): (event: CloudEvent<PubSubMessageData>) => Promise<ScheduledSweepResult> {
  return async (event) => {
    if (typeof event.id !== 'string' || event.id === '')
      throw new Error('floatip sweep: CloudEvent without id');
    return scheduledSweep(cp, `pubsub|${event.data?.message?.messageId ?? event.id}`, budgetMs);
  };
}
