/**
 * A stand-in for the Azure Functions Node.js worker, run as its own process on an unpacked app:
 *   node worker-stand-in.ts <app dir>
 * What it does is what the worker does (Azure/azure-functions-nodejs-worker: setupCoreModule.ts,
 * eventHandlers/InvocationHandler.ts): it provides the `@azure/functions-core` module through a hook on
 * Module._load (the module is not on npm; the worker injects it), loads package.json "main", records the
 * programming model and the functions the app registers, and runs each invocation through the app's own
 * `@azure/functions` invocation model: getInvocationModel(coreCtx) → getArguments() → invokeFunction() →
 * getResponse(). Invocations arrive as JSON lines `{function, inputData, triggerMetadata?}` (RPC typed
 * data, as the host sends them); each RpcInvocationResponse goes out as one JSON line.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

interface Registered {
  metadata: { name: string; bindings: Record<string, { type: string; direction: string }> };
  callback: (...args: unknown[]) => unknown;
}
interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], cb: Registered['callback']): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}
interface ProgrammingModel {
  name: string;
  getInvocationModel(coreCtx: unknown): InvocationModel;
  getCapabilities?(c: Record<string, string>): Promise<Record<string, string>>;
}

const functions = new Map<string, Registered>();
let model: ProgrammingModel | null = null;
const logs: string[] = [];
const coreApi = {
  version: '3.10.1',
  setProgrammingModel: (m: ProgrammingModel) => void (model = m),
  getProgrammingModel: () => model,
  registerFunction: (metadata: Registered['metadata'], callback: Registered['callback']) => {
    functions.set(metadata.name, { metadata, callback });
    return { dispose: () => functions.delete(metadata.name) };
  },
  registerHook: () => ({ dispose: () => undefined }),
  log: (level: string, category: string, message: string) =>
    void logs.push(`${level} ${category} ${message}`),
};
const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = M._load;
M._load = function (request: string, ...rest: unknown[]) {
  return request === '@azure/functions-core' ? coreApi : load.call(this, request, ...rest);
};

const appDir = process.argv[2] ?? '.';
const main = (JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { main: string }).main;
await import(pathToFileURL(join(appDir, main)).href);
/** Bytes go out as base64 (an RPC body is `{ bytes }`). */
const bytes = (_k: string, v: unknown): unknown => {
  if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString('base64') };
  const b = v as { type?: string; data?: number[] } | null;
  return b && b.type === 'Buffer' && Array.isArray(b.data)
    ? { base64: Buffer.from(b.data).toString('base64') }
    : v;
};
const out = (v: unknown): boolean => process.stdout.write(`${JSON.stringify(v, bytes)}\n`);
if (!model) {
  out({ error: 'the app set no programming model' });
  process.exit(1);
}
const pm: ProgrammingModel = model;
await pm.getCapabilities?.({});
out({ ready: true, model: pm.name, functions: [...functions.values()].map((f) => f.metadata) });

let n = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const req = JSON.parse(line) as { function: string; inputData: unknown[]; triggerMetadata?: unknown };
  const fn = functions.get(req.function);
  if (!fn) {
    out({ error: `no function ${req.function}` });
    continue;
  }
  const invocationId = `inv-${++n}`;
  const coreCtx = {
    invocationId,
    request: {
      invocationId,
      functionId: req.function,
      inputData: req.inputData,
      triggerMetadata: req.triggerMetadata ?? {},
    },
    metadata: fn.metadata,
    state: undefined,
    log: (level: string, category: string, message: string) => logs.push(`${level} ${category} ${message}`),
  };
  try {
    const inv = pm.getInvocationModel(coreCtx);
    const { context, inputs } = await inv.getArguments();
    const result = await inv.invokeFunction(context, inputs, fn.callback);
    out({ response: await inv.getResponse(context, result), logs: logs.splice(0) });
  } catch (err) {
    out({ error: (err as Error).stack ?? String(err), logs: logs.splice(0) });
  }
}
process.exit(0);
