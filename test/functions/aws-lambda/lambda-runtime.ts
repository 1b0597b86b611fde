/**
 * A stand-in for the Lambda Node.js runtime's handler loop, run as its own process on an unpacked zip:
 *   node lambda-runtime.ts <task root> <handler>        (handler as in the function config: `http.handler`)
 * As the managed runtime does (docs: "Define Lambda function handler in Node.js", "Using the Lambda context
 * object"), it resolves `<module>.<export>` under the task root trying .js, .mjs, .cjs, imports the module
 * once (the cold start), then invokes the export for each event with a context object. Events arrive as
 * JSON lines on stdin; each result goes out as one JSON line `{ok, value}` or `{ok: false, error}`.
 * Nothing from the repository is on the module path: the artifact must bring everything it imports.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [taskRoot = '', handlerName = ''] = process.argv.slice(2);
const dot = handlerName.lastIndexOf('.');
const modulePath = handlerName.slice(0, dot);
const exportName = handlerName.slice(dot + 1);
const file = ['.js', '.mjs', '.cjs']
  .map((ext) => join(taskRoot, modulePath + ext))
  .find((f) => existsSync(f));
if (!file) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, error: `Runtime.ImportModuleError: ${handlerName}` })}\n`,
  );
  process.exit(1);
}
const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
const fn = mod[exportName];
if (typeof fn !== 'function') {
  process.stdout.write(
    `${JSON.stringify({ ok: false, error: `Runtime.HandlerNotFound: ${handlerName}` })}\n`,
  );
  process.exit(1);
}
let n = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const deadline = Date.now() + 30_000;
  const context = {
    functionName: modulePath,
    functionVersion: '$LATEST',
    awsRequestId: `req-${++n}`,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${modulePath}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${modulePath}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const value = await (fn as (e: unknown, c: unknown) => Promise<unknown>)(JSON.parse(line), context);
    process.stdout.write(`${JSON.stringify({ ok: true, value })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: (err as Error).message })}\n`);
  }
}
process.exit(0);
