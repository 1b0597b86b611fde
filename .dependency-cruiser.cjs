/** The folder dependency rule of docs/architecture.md, checked on every `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'core/ imports nothing outside core/ and no node builtins',
      from: { path: '^core/' },
      to: { pathNot: ['^core/', '^node_modules/(zod|yaml)/'] }, // zod, yaml: pure, no I/O
    },
    {
      name: 'model-imports-nothing',
      severity: 'error',
      from: { path: '^core/model/' },
      to: { path: '^core/', pathNot: '^core/model/' },
    },
    {
      name: 'ports-import-model-only',
      severity: 'error',
      from: { path: '^core/ports/' },
      to: { path: '^core/', pathNot: '^core/(model|ports)/' },
    },
    {
      name: 'engines-import-model-only',
      severity: 'error',
      comment:
        'config, vrrp, lb, health, failover and bfd depend on model (and ports) only; only core/app composes them',
      from: { path: '^core/(config|vrrp|lb|health|failover|bfd)/' },
      to: { path: '^core/', pathNot: ['^core/(model|ports)/', '^core/$1/'] },
    },
    {
      name: 'adapters-not-functions',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(functions|test|infra)/' },
    },
    {
      name: 'adapters-not-each-other',
      severity: 'error',
      comment:
        'a cloud lives in one adapter folder; adapters share only core (system/memory are allowed helpers)',
      from: { path: '^adapters/([^/]+)/' },
      to: { path: '^adapters/', pathNot: ['^adapters/$1/', '^adapters/(system|memory)/'] },
    },
    {
      name: 'infra-no-app-code',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(core|adapters|functions)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
