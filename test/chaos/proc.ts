/**
 * One process of the fault-injection run: `api` (the HTTP API, as `floatip serve`) or `worker` (the
 * BullMQ worker, as `floatip worker`), composed exactly as those commands compose them
 * (loadControlPlaneConfig + buildControlPlane + startServe/startWorker), except that the provider is the
 * chaos cloud's. argv: role config cloudUrl [lockDurationMs stalledIntervalMs]
 */
import { mergePolicy } from '../../core/failover/index.ts';
import { createLogger } from '../../adapters/system/index.ts';
import { waitReady } from '../../adapters/redis/index.ts';
import { buildControlPlane, loadControlPlaneConfig } from '../../functions/control-plane/index.ts';
import { startServe } from '../../functions/serve/index.ts';
import { startWorker } from '../../functions/worker/index.ts';
import { ChaosCloudProvider } from './provider.ts';

const [role, file, cloudUrl, lockMs, stalledMs] = process.argv.slice(2);
if ((role !== 'api' && role !== 'worker') || !file || !cloudUrl) {
  console.error('usage: proc.ts api|worker CONFIG CLOUD_URL [lockDurationMs stalledIntervalMs]');
  process.exit(64);
}
const config = await loadControlPlaneConfig(file);
const cp = buildControlPlane(config, {
  logger: createLogger({
    name: `chaos-${role}-${process.pid}`,
    level: process.env['FLOATIP_LOG_LEVEL'] ?? 'error',
  }),
  providers: { chaos: new ChaosCloudProvider(cloudUrl, 'chaos', mergePolicy(config.policy)) },
});
await Promise.all([waitReady(cp.apiRedis, 30_000), waitReady(cp.workerRedis, 30_000)]);
let close: () => Promise<void>;
if (role === 'api') {
  const server = await startServe(cp, { host: '127.0.0.1', port: 0 });
  console.log(`ready ${server.url}`);
  close = () => server.close();
} else {
  const worker = await startWorker(cp, {
    schedule: false,
    ...(lockMs ? { lockDurationMs: Number(lockMs) } : {}),
    ...(stalledMs ? { stalledIntervalMs: Number(stalledMs) } : {}),
  });
  console.log('ready worker');
  close = () => worker.close();
}
const stop = async (): Promise<void> => {
  await close();
  await cp.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
