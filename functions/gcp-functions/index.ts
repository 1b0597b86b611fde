/**
 * GCP functions-framework registrations: `floatip` (HTTP) and `floatipSweep` (CloudEvent from a Pub/Sub
 * topic that Cloud Scheduler publishes to). Deploy with --entry-point floatip / floatipSweep.
 */
import * as ff from '@google-cloud/functions-framework';
import { connectedControlPlane } from '../control-plane/index.ts';
import type { PubSubMessageData } from './handlers.ts';
import { gcpHttpHandler, gcpSweepHandler } from './handlers.ts';

const drainBudgetMs = Number(process.env.FLOATIP_DRAIN_BUDGET_MS ?? '50000');

let http: ReturnType<typeof gcpHttpHandler> | null = null;

ff.http('floatip', async (req, res) => {
  const cp = await connectedControlPlane();
  http ??= gcpHttpHandler(cp);
  await http(req, res);
});
ff.cloudEvent<PubSubMessageData>('floatipSweep', async (event: ff.CloudEvent<PubSubMessageData>) => {
  await gcpSweepHandler(await connectedControlPlane(), drainBudgetMs)(event);
});
