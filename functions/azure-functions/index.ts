/**
 * Azure Functions v4 registrations (the programming model's entry point, package.json "main"). Thin:
 * each trigger calls a handler from handlers.ts on the lazily built control plane (FLOATIP_CONFIG).
 */
import { app } from '@azure/functions';
import { connectedControlPlane } from '../control-plane/index.ts';
import { azureHttpHandler, azureTimerHandler } from './handlers.ts';

/** Azure's default function timeout on the Consumption plan is 5 min; drain for less. */
const drainBudgetMs = Number(process.env.FLOATIP_DRAIN_BUDGET_MS ?? '240000');

let http: ReturnType<typeof azureHttpHandler> | null = null;

app.http('floatip', {
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  route: '{*path}',
  handler: async (req, ctx) => {
    const cp = await connectedControlPlane();
    http ??= azureHttpHandler(cp);
    return http(req, ctx);
  },
});

app.timer('floatipSweep', {
  schedule: process.env.FLOATIP_SWEEP_SCHEDULE ?? '0 */1 * * * *',
  handler: async (timer, ctx) => {
    const r = await azureTimerHandler(await connectedControlPlane(), drainBudgetMs)(timer, ctx);
    ctx.log(`floatip sweep: ${JSON.stringify(r.drain)}`);
  },
});
