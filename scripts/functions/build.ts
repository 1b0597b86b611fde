/** Builds the cloud-function artifacts of ./targets.ts with esbuild (see scripts/build-functions.ts). */
import {
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import {
  ControlConfigError,
  loadControlPlaneConfig,
  parseDocument,
} from '../../functions/control-plane/config.ts';
import { checkedPath, checkedText } from '../../functions/control-plane/checked.ts';
import {
  computeSubset,
  esmBuild,
  debugOnDemand,
  ioredisClusterOnDemand,
  ioredisCommandTable,
  lazyBuiltin,
  lazyPackage,
  noNativeAddon,
  optionalNative,
  promClientSubset,
  providerStubs,
  sideEffectFree,
} from './plugins.ts';
import { buildProviders } from '../../functions/shared/providers.ts';
import { targets, type Target, type TargetName } from './targets.ts';
import { zipDirectory } from './zip.ts';

export const repoRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..');
export const defaultOutDir = join(repoRoot, 'dist', 'functions');
/** The config file name inside an artifact when `--config` ships one. */
export const shippedConfigName = 'floatip.control.json';

/**
 * CommonJS dependencies call require(), __dirname and __filename; in an ES module bundle those come from
 * the bundle's own location (the platform's require hooks, such as Azure's, see every require).
 */
export const banner = [
  "import { createRequire as __fipRequire } from 'node:module';",
  "import { fileURLToPath as __fipPath } from 'node:url';",
  "import { dirname as __fipDir } from 'node:path';",
  'const require = __fipRequire(import.meta.url);',
  'const __filename = __fipPath(import.meta.url);',
  'const __dirname = __fipDir(__filename);',
].join('\n');

/**
 * Packages whose modules only declare things at top level (checked by reading them, and by the artifact
 * tests running every handler); see sideEffectFree in ./plugins.ts.
 */
export const sideEffectFreePackages = ['bullmq'];

export interface BuiltArtifact {
  name: TargetName;
  dir: string;
  zip: string;
  dirBytes: number;
  zipBytes: number;
}

const dirSize = (dir: string): number =>
  readdirSync(dir).reduce((n, f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return n + (s.isDirectory() ? dirSize(p) : s.size);
  }, 0);

/** floatip's version (package.json): an artifact's checked config copy is valid for it alone. */
export const packageVersion = (): string => packageVersions().version;

function packageVersions(): { version: string; deps: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const installed = (name: string): string =>
    (
      JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return {
    version: pkg.version,
    deps: { '@google-cloud/functions-framework': installed('@google-cloud/functions-framework') },
  };
}

/** The esbuild plugins of an artifact's bundle (bench:functions-modules bundles with them too). */
export const artifactPlugins = (target: Target): Plugin[] => [
  noNativeAddon(),
  optionalNative(),
  ioredisCommandTable(),
  ioredisClusterOnDemand(),
  debugOnDemand(),
  lazyBuiltin(),
  // Before esmBuild: a lazy package (yaml) is resolved by its stand-in first, then its file by esmBuild.
  lazyPackage(),
  esmBuild(),
  providerStubs(repoRoot, target),
  computeSubset(),
  promClientSubset(),
  sideEffectFree(repoRoot, sideEffectFreePackages),
];

/**
 * Bundles each entry of `target` on its own: entries bundled together share chunks, and a chunk shared by
 * two entries holds every module both reach, with the code either one uses (the Lambda HTTP handler
 * loaded the sweep's BullMQ Worker and drain that way). A chunk two builds both make has one name (its
 * content hash), so the artifact holds it once. Returns the repo files the entries were built from.
 */
async function bundle(target: Target, dir: string): Promise<string[]> {
  const inputs = new Set<string>();
  for (const [out, input] of Object.entries(target.entries))
    for (const f of await bundleEntry(target, dir, out, input)) inputs.add(f);
  return [...inputs];
}

async function bundleEntry(target: Target, dir: string, out: string, input: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [{ in: input, out }],
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Code behind a dynamic import() (a provider's adapter and its cloud SDK, loaded on the first provider
    // call) goes to its own chunk, so a cold start compiles only what the request needs. Chunks stay
    // beside the entries: adapters/redis/scripts.ts finds its lua/ beside the module that holds it.
    splitting: true,
    chunkNames: '[name]-[hash]',
    target: 'node22',
    outExtension: { '.js': '.mjs' },
    external: [...target.external],
    // Packages that ship an ES module build are bundled from it: esbuild can then leave out the modules of
    // a package the artifact does not use (CommonJS is taken whole).
    mainFields: ['module', 'main'],
    plugins: artifactPlugins(target),
    // functions/shared/providers.ts refuses, when the control plane is built, a provider this artifact
    // does not carry (its module is only a stub that throws on the first call).
    define: {
      FLOATIP_ARTIFACT: JSON.stringify({
        name: target.name,
        version: packageVersions().version,
        providers: ['memory', ...target.providers],
      }),
    },
    banner: { js: banner },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'external',
    metafile: true,
    logLevel: 'error',
  });
  return Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules') && !f.includes(':'));
}

/** The config an artifact ships: the document and its checked copy (functions/control-plane/checked.ts). */
interface ShippedConfig {
  doc: string;
  checked: string;
}

async function buildTarget(
  target: Target,
  out: string,
  shipped: ShippedConfig | null,
): Promise<BuiltArtifact> {
  const dir = join(out, target.name);
  const staging = join(out, `.${target.name}.${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const inputs = await bundle(target, staging);
  // adapters/redis/scripts.ts reads its Lua scripts from `lua/` beside the module that holds it.
  cpSync(join(repoRoot, 'adapters', 'redis', 'lua'), join(staging, 'lua'), { recursive: true });
  const { version, deps } = packageVersions();
  for (const [file, text] of Object.entries(target.files(version, deps)))
    writeFileSync(join(staging, file), text);
  if (shipped !== null) {
    writeFileSync(join(staging, shippedConfigName), shipped.doc);
    writeFileSync(join(staging, checkedPath(shippedConfigName) ?? ''), shipped.checked);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  const zip = `${dir}.zip`;
  writeFileSync(zip, zipDirectory(dir));
  writeFileSync(join(out, `${target.name}.inputs.json`), `${JSON.stringify(inputs.sort())}\n`);
  return { name: target.name, dir, zip, dirBytes: dirSize(dir), zipBytes: statSync(zip).size };
}

/** Builds every target (or `only`); a bad `configFile` fails before anything is written. */
export async function buildFunctions(
  o: { configFile?: string; outDir?: string; only?: TargetName[] } = {},
): Promise<BuiltArtifact[]> {
  const out = o.outDir ?? defaultOutDir;
  let shipped: ShippedConfig | null = null;
  if (o.configFile !== undefined) {
    // Throws ControlConfigError (file, path, message); building the providers runs their own checks of
    // member and resource specs, which the artifacts defer to the first provider call.
    // Secrets are not needed for that: every environment variable reads as a placeholder here.
    const anyEnv = new Proxy(
      {},
      { get: (_t, k) => (typeof k === 'string' ? 'build-time-placeholder' : undefined) },
    );
    const config = await loadControlPlaneConfig(o.configFile, undefined);
    const built = buildProviders(config.providers, config.groups, { env: anyEnv });
    if (!built.ok)
      throw new ControlConfigError(built.errors.map((e) => `${o.configFile}: controlPlane.${e}`));
    // Shipped as JSON, which the function reads without loading a YAML parser (functions/control-plane/
    // config.ts parseDocument); the document is the one just validated, and its checked copy the result.
    const doc = `${JSON.stringify(parseDocument(o.configFile, readFileSync(o.configFile, 'utf8')), null, 2)}\n`;
    shipped = { doc, checked: checkedText(doc, config, packageVersions().version) };
  }
  mkdirSync(out, { recursive: true });
  const built: BuiltArtifact[] = [];
  for (const t of targets)
    if (!o.only || o.only.includes(t.name)) built.push(await buildTarget(t, out, shipped));
  return built;
}

/** Repo-relative source files an artifact was built from (for "is dist stale?"). */
export function artifactInputs(name: TargetName, out = defaultOutDir): string[] {
  return JSON.parse(readFileSync(join(out, `${name}.inputs.json`), 'utf8')) as string[];
}

export const relativeToRepo = (p: string): string => relative(repoRoot, p);
