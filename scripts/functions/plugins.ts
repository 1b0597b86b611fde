/** esbuild plugins of the function build: leave other clouds' providers out, keep native code out. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OnResolveArgs, Plugin, PluginBuild, ResolveResult } from 'esbuild';
import { allProviders, type Target } from './targets.ts';

/** An esbuild filter matching exactly these import paths (package names). */
function exactly(names: readonly string[]): RegExp {
  return new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
}

/**
 * A provider adapter the target does not carry becomes a module whose every export throws, naming the
 * artifact and what it does carry; a config that uses it fails when the control plane is built.
 */
function failure(provider: string, target: Target): string {
  const carried = ['memory', ...target.providers].join(', ');
  const message = JSON.stringify(
    `floatip: the '${provider}' provider is not in the ${target.name} artifact (it carries: ${carried}); ` +
      `use the artifact of that cloud or the floatip worker`,
  );
  return `function notCarried() { throw new Error(${message}); }`;
}

/** A stand-in for adapters/<provider>/module.ts: its `<provider>Module` whose `make` throws. */
function stubSource(provider: string, target: Target, realModule: string): string {
  const names = [...readFileSync(realModule, 'utf8').matchAll(/^export const (\w+)/gm)].map(
    (m) => m[1] ?? '',
  );
  return [failure(provider, target), ...names.map((n) => `export const ${n} = { make: notCarried };`)].join(
    '\n',
  );
}

/** SDK packages only a provider's own code loads lazily (so no adapter import pulls them in). */
const lazySdks: Record<string, string[]> = { azure: ['@azure/identity'] };

/**
 * Replaces adapters/<provider>/module.ts (what functions/shared/providers.ts loads on a provider's first
 * call) for the providers `target` leaves out, and the SDKs only those providers load later
 * (`import('@azure/identity')`), with a module that throws the same way.
 */
export function providerStubs(root: string, target: Target): Plugin {
  const left = allProviders.filter((p) => !target.providers.includes(p));
  const filter = new RegExp(`adapters/(${left.join('|')})/module\\.ts$`);
  const sdks = left.flatMap((p) => (lazySdks[p] ?? []).map((sdk) => [sdk, p] as const));
  return {
    name: 'floatip-provider-stubs',
    setup(build) {
      if (left.length === 0) return;
      build.onResolve({ filter }, (args) => {
        const provider = filter.exec(args.path)?.[1] ?? '';
        return { path: provider, namespace: 'floatip-stub' };
      });
      for (const [sdk, provider] of sdks)
        build.onResolve({ filter: new RegExp(`^${sdk.replace('/', '\\/')}$`) }, () => ({
          path: `sdk:${provider}`,
          namespace: 'floatip-stub',
        }));
      build.onLoad({ filter: /.*/, namespace: 'floatip-stub' }, (args) => {
        if (args.path.startsWith('sdk:'))
          return {
            contents: `${failure(args.path.slice(4), target)}\nnotCarried();\nexport default {};`,
            loader: 'js',
          };
        return {
          contents: stubSource(args.path, target, join(root, 'adapters', args.path, 'module.ts')),
          loader: 'js',
        };
      });
    },
  };
}

/**
 * `@google-cloud/compute`'s index loads all ~100 Compute clients (70 MB of JavaScript); floatip uses four.
 * The default import is served from those four client modules alone.
 */
export const computeClients = ['instances', 'routes', 'zone_operations', 'global_operations'];

export function computeSubset(): Plugin {
  const className = (f: string): string =>
    `${f.replace(/(^|_)([a-z])/g, (_m, _u: string, c: string) => c.toUpperCase())}Client`;
  return {
    name: 'floatip-compute-subset',
    setup(build) {
      build.onResolve({ filter: /^@google-cloud\/compute$/ }, (args) => ({
        path: 'compute',
        namespace: 'floatip-compute',
        pluginData: args.resolveDir,
      }));
      build.onLoad({ filter: /.*/, namespace: 'floatip-compute' }, (args) => ({
        resolveDir: args.pluginData as string,
        loader: 'js',
        contents: [
          ...computeClients.map(
            (f) => `import { ${className(f)} } from '@google-cloud/compute/build/src/v1/${f}_client.js';`,
          ),
          `export default { ${computeClients.map(className).join(', ')} };`,
        ].join('\n'),
      }));
    },
  };
}

/**
 * Packages whose Node.js entry is CommonJS while the same code also ships as ES modules (for other
 * platforms), by package: the path of that build inside the package. A CommonJS module is bundled as a
 * function that V8 reads once with the bundle and compiles again, whole, when it is required; ES module
 * code is read once. yaml's ES build differs from its Node.js one only in where a YAML warning goes
 * (console.warn instead of process.emitWarning: stderr either way). yaml is now loaded only for a YAML
 * config (lazyPackages); there it saved about 17 M instructions of a Lambda cold start
 * (bench:functions-instructions, measured while the config was YAML).
 */
export const esmBuilds: Record<string, string> = { yaml: 'browser/dist/index.js' };

export function esmBuild(builds: Record<string, string> = esmBuilds): Plugin {
  const filter = exactly(Object.keys(builds));
  return {
    name: 'floatip-esm-build',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        const pkg = await build.resolve(`${args.path}/package.json`, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
        });
        if (pkg.errors.length > 0) return { errors: pkg.errors };
        const path = join(dirname(pkg.path), builds[args.path] ?? '');
        if (!existsSync(path)) return { errors: [{ text: `${args.path}: no ES module build at ${path}` }] };
        return { path };
      });
    },
  };
}

/** The on-prem native addon never belongs in a cloud function: importing it fails the build. */
export function noNativeAddon(): Plugin {
  return {
    name: 'floatip-no-native',
    setup(build) {
      build.onResolve({ filter: /^@floatip\/onprem-native$|\.node$/ }, (args) => ({
        errors: [{ text: `${args.importer} imports ${args.path}: the cloud functions carry no native code` }],
      }));
    },
  };
}

/**
 * Packages whose native acceleration is optional and cannot load from an artifact (it carries no native
 * code): each becomes a module that throws when required, as an uninstalled package does, so its user
 * takes its JavaScript path at once. msgpackr (BullMQ's job options) otherwise runs msgpackr-extract's
 * search for a prebuilt binary, libc detection included, at every cold start, to fail in the end.
 */
export const optionalNativePackages = ['msgpackr-extract'];

export function optionalNative(packages: readonly string[] = optionalNativePackages): Plugin {
  const filter = exactly(packages);
  return {
    name: 'floatip-optional-native',
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'floatip-optional-native' }));
      build.onLoad({ filter: /.*/, namespace: 'floatip-optional-native' }, (args) => ({
        loader: 'js',
        contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path}: not in the artifact (no native code)`)}), { code: 'MODULE_NOT_FOUND' });`,
      }));
    },
  };
}

/**
 * ioredis defines its ~480 commands (twice: string and Buffer replies) on Commander.prototype one at a
 * time when it loads. V8 keeps a prototype's properties fast while it is being added to, copying its whole
 * descriptor array on every addition, so the loop costs quadratic time: about 65 M instructions, a tenth
 * of a Lambda cold start to its first answer (bench:functions-instructions). Deleting a property first
 * puts the prototype in dictionary mode, where an addition is a hash insert; V8 makes a prototype fast
 * again once, when it is first used as one. The loop is found by its text: a build against an ioredis
 * whose Commander.js reads otherwise fails, naming the file, rather than losing this unseen.
 */
export function ioredisCommandTable(): Plugin {
  const loop = 'commands.forEach(function (commandName) {';
  return {
    name: 'floatip-ioredis-command-table',
    setup(build) {
      build.onLoad(
        { filter: /[\\/]node_modules[\\/]ioredis[\\/]built[\\/]utils[\\/]Commander\.js$/ },
        (args) => {
          const source = readFileSync(args.path, 'utf8');
          if (source.split(loop).length !== 2)
            return { errors: [{ text: `${args.path}: the command loop (${loop}) is not there once` }] };
          const toDictionary =
            'Commander.prototype.__floatipSetup = 0; delete Commander.prototype.__floatipSetup;\n';
          return { contents: source.replace(loop, toDictionary + loop), loader: 'js' };
        },
      );
    },
  };
}

/**
 * Marks modules whose top-level code only declares things (floatip's own core/, adapters/, functions/,
 * and the `packages` named) as free of side effects, so esbuild leaves out a module none of whose exports
 * the artifact uses, even when it is reached through an index that re-exports it. Without this, a barrel
 * import (core/model/index.ts) drags the on-prem config schemas into every function, and `bullmq`'s index
 * drags its PostgreSQL backend, relay, flow producer and sandbox into the HTTP handler's cold start.
 */
export function sideEffectFree(root: string, packages: readonly string[]): Plugin {
  const ours = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(core|adapters|functions)/`);
  const theirs = new RegExp(`/node_modules/(${packages.join('|')})/`);
  return {
    name: 'floatip-side-effect-free',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === sideEffectFree || args.namespace !== 'file') return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: sideEffectFree,
        });
        if (r.errors.length > 0 || r.external || r.namespace !== 'file') return undefined;
        const pure = (ours.test(r.path) && !r.path.includes('/node_modules/')) || theirs.test(r.path);
        return pure ? { path: r.path, sideEffects: false } : undefined;
      });
    },
  };
}

/**
 * Packages whose setup a function's first request never needs, made to load on first use: each export
 * named here becomes a stand-in that initializes the package when one of its members is first read (or,
 * for `default`, when it is called). BullMQ's job scheduler imports cron-parser (and with it luxon) at
 * module load, for cron patterns that only a worker's job scheduler parses; pino (with thread-stream and
 * sonic-boom) is set up by the first message a logger writes (adapters/system/logger.ts); yaml parses only
 * a config that is not JSON (functions/control-plane/config.ts parseDocument). Each is bundled
 * into a file of its own beside the bundle (see separateFile), so a cold start does not even parse it.
 */
export const lazyPackages: Record<string, readonly string[]> = {
  'cron-parser': ['CronExpressionParser'],
  pino: ['default'],
  // The control plane reads YAML only when its config file is not JSON (the one build:functions ships is).
  yaml: ['parse'],
};

/** The stand-in of one export: a Proxy that reads through to the loaded package. */
function lazyExport(name: string): string {
  if (name === 'default')
    return [
      // A CommonJS package's module.exports, or an ES module's default export.
      'const loadDefault = () => { const m = load(); return typeof m === "function" ? m : m.default; };',
      'export default new Proxy(() => {}, {',
      '  apply: (_t, _self, args) => Reflect.apply(loadDefault(), undefined, args),',
      '  get: (_t, key) => Reflect.get(loadDefault(), key),',
      '});',
    ].join('\n');
  // A function (yaml's parse) is called; a class or namespace (CronExpressionParser) has members read.
  const member = `load()[${JSON.stringify(name)}]`;
  return (
    `export const ${name} = new Proxy(function () {}, {` +
    ` apply: (_t, self, args) => Reflect.apply(${member}, self, args),` +
    ` get(_t, key) { const target = ${member}; const v = Reflect.get(target, key);` +
    ` return typeof v === 'function' ? v.bind(target) : v; } });`
  );
}

/**
 * Bundles `entry` alone, as CommonJS, into `file` beside the output of `build`, and returns the path its
 * code requires it by (the bundle's `require` resolves from the bundle's own directory, see the banner in
 * ./build.ts). Code that loads only on first use then costs a cold start nothing: code in the bundle, even
 * never run, is read and pre-parsed when the bundle is imported.
 */
async function separateFile(build: PluginBuild, entry: string, file: string): Promise<string> {
  const o = build.initialOptions;
  const dir = o.outdir ?? dirname(o.outfile ?? join(o.absWorkingDir ?? '.', 'out.js'));
  await build.esbuild.build({
    ...(o.absWorkingDir ? { absWorkingDir: o.absWorkingDir } : {}),
    entryPoints: [entry],
    outfile: join(dir, file),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: o.target ?? 'node22',
    minifyWhitespace: o.minifyWhitespace ?? false,
    minifySyntax: o.minifySyntax ?? false,
    legalComments: o.legalComments ?? 'eof',
    logLevel: 'error',
  });
  return `./${file}`;
}

/** Resolves an import as esbuild would without the plugin that asks (it returns early on `marker`). */
function resolvePast(build: PluginBuild, args: OnResolveArgs, marker: unknown): Promise<ResolveResult> {
  return build.resolve(args.path, {
    kind: args.kind,
    importer: args.importer,
    resolveDir: args.resolveDir,
    pluginData: marker,
  });
}

/** `./name.cjs` requires are the files separateFile writes: left to Node, not bundled. */
function separateFilesExternal(build: PluginBuild, prefix: string): void {
  build.onResolve({ filter: new RegExp(`^\\./${prefix}[\\w.-]*\\.cjs$`) }, (args) => ({
    path: args.path,
    external: true,
  }));
}

export function lazyPackage(packages: Record<string, readonly string[]> = lazyPackages): Plugin {
  const filter = exactly(Object.keys(packages));
  return {
    name: 'floatip-lazy-package',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === lazyPackages) return undefined;
        const real = await resolvePast(build, args, lazyPackages);
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: args.path, namespace: 'floatip-lazy', pluginData: real.path };
      });
      separateFilesExternal(build, 'lazy-');
      build.onLoad({ filter: /.*/, namespace: 'floatip-lazy' }, async (args) => {
        const file = `lazy-${args.path.replace(/\W+/g, '-').replace(/^-/, '')}.cjs`;
        const real = JSON.stringify(await separateFile(build, args.pluginData as string, file));
        const members = (packages[args.path] ?? []).map(lazyExport);
        return {
          loader: 'js',
          contents: [`let real;`, `const load = () => (real ??= require(${real}));`, ...members].join('\n'),
        };
      });
    },
  };
}

/**
 * prom-client's index loads all of it at once: default process metrics (and through them
 * @opentelemetry/api), Summary, Pushgateway, the cluster aggregator. floatip's functions import four
 * classes and, only when asked for default metrics, collectDefaultMetrics; they get those, the last one
 * from a file of its own (see separateFile), loaded when first called. An import of anything else fails
 * the build.
 */
export function promClientSubset(): Plugin {
  return {
    name: 'floatip-prom-client-subset',
    setup(build) {
      build.onResolve({ filter: /^prom-client$/ }, (args) => ({
        path: 'prom-client',
        namespace: 'floatip-prom-client',
        pluginData: args.resolveDir,
      }));
      separateFilesExternal(build, 'lazy-');
      build.onLoad({ filter: /.*/, namespace: 'floatip-prom-client' }, async (args) => {
        const resolveDir = args.pluginData as string;
        const defaults = await build.resolve('prom-client/lib/defaultMetrics', {
          kind: 'require-call',
          resolveDir,
        });
        if (defaults.errors.length > 0) return { errors: defaults.errors };
        const file = await separateFile(build, defaults.path, 'lazy-prom-client-default-metrics.cjs');
        return {
          resolveDir,
          loader: 'js',
          contents: [
            ...['Registry', 'Counter', 'Gauge', 'Histogram'].map(
              (c) => `export const ${c} = require('prom-client/lib/${c.toLowerCase()}');`,
            ),
            `export const collectDefaultMetrics = (config) => require(${JSON.stringify(file)})(config);`,
          ].join('\n'),
        };
      });
    },
  };
}

/**
 * `debug` (ioredis's logging) costs a cold start ~10 M instructions to load (with supports-color and
 * node:tty) although nothing is logged unless the DEBUG environment variable names a namespace. The
 * artifact gets a stand-in: when DEBUG is empty or unset, the debuggers it makes are disabled, as the real
 * package's would be; when DEBUG is set, the real package (bundled into a file of its own, see
 * separateFile) makes them, so `DEBUG=ioredis:*` works in a function as anywhere. Enabling namespaces
 * at run time (`debug.enable()`) loads the real package too, for debuggers made after that call.
 * test/infra/function-plugins.test.ts.
 */
export function debugOnDemand(): Plugin {
  return {
    name: 'floatip-debug-on-demand',
    setup(build) {
      build.onResolve({ filter: /^debug$/ }, async (args) => {
        if (args.pluginData === debugOnDemand) return undefined;
        const real = await resolvePast(build, args, debugOnDemand);
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: 'debug', namespace: 'floatip-debug', pluginData: real.path };
      });
      separateFilesExternal(build, 'lazy-');
      build.onLoad({ filter: /.*/, namespace: 'floatip-debug' }, async (args) => {
        const file = JSON.stringify(await separateFile(build, args.pluginData as string, 'lazy-debug.cjs'));
        return {
          loader: 'js',
          contents: [
            'let real;',
            `const load = () => (real ??= require(${file}));`,
            'function disabled(namespace) {',
            '  const d = () => {};',
            '  Object.assign(d, { namespace, enabled: false, useColors: false, color: 0, diff: 0 });',
            '  d.log = () => {};',
            '  d.destroy = () => false;',
            "  d.extend = (sub, delimiter = ':') => createDebug(namespace + delimiter + sub);",
            '  return d;',
            '}',
            'function createDebug(namespace) {',
            '  if (real === undefined && process.env.DEBUG) load();',
            '  return real === undefined ? disabled(namespace) : real(namespace);',
            '}',
            'createDebug.enable = (namespaces) => load().enable(namespaces);',
            "createDebug.disable = () => (real === undefined ? '' : real.disable());",
            'createDebug.enabled = (name) => (process.env.DEBUG || real !== undefined ? load().enabled(name) : false);',
            'createDebug.default = createDebug;',
            'createDebug.debug = createDebug;',
            'module.exports = createDebug;',
          ].join('\n'),
        };
      });
    },
  };
}

/**
 * Node.js built-in modules a package requires at load but uses only on a path a function's first request
 * does not take, by package: each `require` of them from that package gets a stand-in that requires the
 * module when first called or read. redis-errors loads node:assert (~11 M instructions of a cold start)
 * for two asserts in the constructor of a parser error.
 */
export const lazyBuiltins: Record<string, readonly string[]> = { 'redis-errors': ['assert'] };

export function lazyBuiltin(packages: Record<string, readonly string[]> = lazyBuiltins): Plugin {
  const names = [...new Set(Object.values(packages).flat())];
  const importers = Object.entries(packages).map(
    ([pkg, mods]) => [new RegExp(`[\\\\/]node_modules[\\\\/]${pkg}[\\\\/]`), mods] as const,
  );
  return {
    name: 'floatip-lazy-builtin',
    setup(build) {
      build.onResolve({ filter: exactly(names) }, (args) =>
        importers.some(([re, mods]) => re.test(args.importer) && mods.includes(args.path))
          ? { path: args.path, namespace: 'floatip-lazy-builtin' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'floatip-lazy-builtin' }, (args) => ({
        loader: 'js',
        contents: [
          'let real;',
          `const load = () => (real ??= require(${JSON.stringify(`node:${args.path}`)}));`,
          'module.exports = new Proxy(function () {}, {',
          '  apply: (_t, self, args) => Reflect.apply(load(), self, args),',
          '  get: (_t, key) => Reflect.get(load(), key),',
          '});',
        ].join('\n'),
      }));
    },
  };
}

/**
 * ioredis's Cluster (46 KB of the 205 KB ioredis puts in a bundle: slot maps, subscriber groups, its
 * connection pool) is loaded by every ioredis import, though only a config with `redis.cluster` makes
 * one. In the artifact, ioredis's two `require("./cluster")` get a stand-in that constructs the real
 * Cluster, bundled into a file of its own (see separateFile, with its own copy of ioredis's client), on
 * the first `new Cluster(...)`. Redis and BullMQ tell a cluster client by its `isCluster` property, which
 * that client has as before. Found by text: an ioredis whose index.js or Redis.js no longer requires
 * "./cluster" once fails the build, naming the file. test/infra/function-plugins.test.ts; on a real
 * Redis Cluster, test/e2e/redis-ha/cluster.test.ts runs the built Lambda artifact.
 */
export function ioredisClusterOnDemand(): Plugin {
  const wanted = 'require("./cluster")';
  return {
    name: 'floatip-ioredis-cluster-on-demand',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/]ioredis[\\/]built[\\/](index|Redis)\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (source.split(wanted).length !== 2)
          return { errors: [{ text: `${args.path}: ${wanted} is not there once` }] };
        return { contents: source.replace(wanted, 'require("floatip-ioredis-cluster")'), loader: 'js' };
      });
      build.onResolve({ filter: /^floatip-ioredis-cluster$/ }, async (args) => {
        const real = await build.resolve('./cluster', { kind: 'require-call', resolveDir: args.resolveDir });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: 'floatip-ioredis-cluster' };
      });
      separateFilesExternal(build, 'lazy-');
      build.onLoad({ filter: /.*/, namespace: 'floatip-ioredis-cluster' }, async (args) => {
        const file = JSON.stringify(await separateFile(build, args.path, 'lazy-ioredis-cluster.cjs'));
        return {
          loader: 'js',
          contents: [
            'let real;',
            `const load = () => (real ??= require(${file}).default);`,
            'exports.default = new Proxy(function Cluster() {}, {',
            '  construct: (_t, args) => Reflect.construct(load(), args),',
            '  get: (_t, key) => Reflect.get(load(), key),',
            '});',
          ].join('\n'),
        };
      });
    },
  };
}
