/**
 * `npm run build:functions`: one self-contained artifact per cloud in dist/functions/ (esbuild bundles,
 * ES modules for Node.js 22+, no TypeScript, no node_modules, no native code), each as a directory and a
 * zip; prints their sizes. `--config FILE` validates a control-plane config and ships it in every artifact
 * as floatip.control.json (point FLOATIP_CONFIG at it); without it the deployment supplies the file.
 */
import { parseArgs } from 'node:util';
import { buildFunctions } from './functions/build.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } } });
try {
  const built = await buildFunctions({
    ...(values.config ? { configFile: values.config } : {}),
    ...(values.out ? { outDir: values.out } : {}),
  });
  for (const a of built)
    process.stdout.write(
      `${a.zip}  ${(a.zipBytes / 1e6).toFixed(2)} MB zipped, ${(a.dirBytes / 1e6).toFixed(2)} MB unpacked\n`,
    );
} catch (err) {
  process.stderr.write(`build:functions: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
