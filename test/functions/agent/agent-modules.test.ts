// What a VRRP-only agent loads: the agent's modules (the CLI's `agent` command and the composition root)
// bring neither node:http nor, through it, Node's bundled undici (imported as an ES module, node:http
// loads undici, whose ~0.8 MB source then stays on the heap; the metrics server imports it when asked).
// Nor do they bring what only some configurations use, each loaded when the config asks for it: the
// native format's YAML parser (functions/shared/config-files.ts), node:crypto (BFD discriminators,
// functions/agent/bfd-agent.ts), the IPVS sync daemon's netlink adapter (functions/agent/lvs-sync-daemon.ts),
// the cloud failover core (the adapters/system barrel's provider-deps), node:child_process (scripts,
// adapters/system/notifier.ts and script-queue.ts) and node:v8 / node:vm (the heap-shrinking collection
// of adapters/onprem/memory.ts, only with virtual servers): README "what the agent costs".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

/** The builtins and the files (relative to the checkout) that importing `modules` loads. */
function loadedBy(modules: string[]): { builtins: string[]; files: string[] } {
  const script = `
    import nodeModule from 'node:module';
    const files = [];
    nodeModule.registerHooks({
      load(url, context, next) {
        if (url.startsWith('file:')) files.push(url.slice(${JSON.stringify(`file://${process.cwd()}/`.length)}));
        return next(url, context);
      },
    });
    for (const m of ${JSON.stringify(modules)}) await import('./' + m);
    console.log(JSON.stringify({ builtins: process.moduleLoadList, files }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim()) as { builtins: string[]; files: string[] };
}

const agentModules = ['functions/cli/commands/agent.ts', 'functions/agent/run-agent.ts'];

test('the agent command and run-agent load no node:http and no undici', () => {
  const { builtins } = loadedBy(agentModules);
  assert.deepEqual(
    builtins.filter((m) => /undici|NativeModule http$/.test(m)),
    [],
  );
});

test('the agent command and run-agent load no YAML parser, node:crypto, node:child_process, node:v8, IPVS, BFD or cloud failover modules', () => {
  const { builtins, files } = loadedBy(agentModules);
  assert.deepEqual(
    builtins.filter((m) => /NativeModule (crypto|child_process|v8|vm)$/.test(m)),
    [],
  );
  const unwanted =
    /node_modules\/yaml\/|core\/config\/native\.ts|adapters\/onprem\/(ipvs|genl)\/|adapters\/onprem\/bfd-socket\.ts|functions\/agent\/bfd\.ts|core\/bfd\/|core\/failover\/|adapters\/system\/(index|random)\.ts/;
  assert.deepEqual(
    files.filter((f) => unwanted.test(f)),
    [],
  );
  // control: the modules are found where they are used
  const lazy = loadedBy([
    'functions/agent/bfd.ts',
    'adapters/onprem/ipvs/sync-daemon.ts',
    'core/config/detect.ts',
  ]);
  assert.ok(lazy.builtins.includes('NativeModule crypto'));
  for (const f of ['node_modules/yaml/', 'adapters/onprem/ipvs/sync-daemon.ts', 'core/bfd/'])
    assert.ok(
      lazy.files.some((u) => u.includes(f)),
      f,
    );
});
