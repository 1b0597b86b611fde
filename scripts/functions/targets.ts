/**
 * The cloud-function artifacts `npm run build:functions` makes: which entry points each bundles, which
 * floatip providers it carries (the others are left out: one cloud's SDK does not ride in another cloud's
 * artifact), which packages the platform supplies at run time, and what else the artifact directory holds.
 */
export type TargetName = 'aws-lambda' | 'azure-functions' | 'gcp-functions';

export interface Target {
  name: TargetName;
  /** Output file (without extension) → source entry point. */
  entries: Record<string, string>;
  /** floatip provider adapters bundled (adapters/<name>); every other provider is replaced by a stub. */
  providers: readonly string[];
  /** Provided by the platform at run time, so never bundled. */
  external: readonly string[];
  /** Extra files written into the artifact directory (path → content). */
  files: (version: string, deps: Record<string, string>) => Record<string, string>;
}

/** Every provider adapter providers.ts can build; the ones a target lacks are stubbed out. */
export const allProviders = ['aws', 'azure', 'dns', 'gcp'] as const;

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export const targets: readonly Target[] = [
  {
    name: 'aws-lambda',
    // Handlers `http.handler` and `sweep.handler` (the Node.js runtime loads `.mjs` files as ES modules).
    entries: { http: 'functions/aws-lambda/http.ts', sweep: 'functions/aws-lambda/sweep.ts' },
    providers: ['aws', 'dns'],
    external: [],
    files: () => ({}),
  },
  {
    name: 'azure-functions',
    // The v4 programming model: package.json "main" registers the functions with app.http / app.timer.
    entries: { index: 'functions/azure-functions/index.ts' },
    providers: ['azure'],
    // The Node.js worker injects this module into the app (its require hook); it is not on npm.
    external: ['@azure/functions-core'],
    files: (version) => ({
      'package.json': json({ name: 'floatip-azure-functions', version, type: 'module', main: 'index.mjs' }),
      'host.json': json({
        version: '2.0',
        logging: { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: 'Request' } } },
        extensions: { http: { routePrefix: 'api' } },
        extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
        functionTimeout: '00:05:00',
      }),
    }),
  },
  {
    name: 'gcp-functions',
    // functions-framework loads package.json "main"; --target floatip (HTTP) or floatipSweep (CloudEvent).
    entries: { index: 'functions/gcp-functions/index.ts' },
    providers: ['gcp'],
    // The framework is the runner: its registry must be the one the entry registers with, so the
    // platform's build installs it from package.json and the bundle imports it.
    external: ['@google-cloud/functions-framework'],
    files: (version, deps) => ({
      'package.json': json({
        name: 'floatip-gcp-functions',
        version,
        type: 'module',
        main: 'index.mjs',
        engines: { node: '>=22' },
        dependencies: {
          '@google-cloud/functions-framework': deps['@google-cloud/functions-framework'],
        },
      }),
    }),
  },
];
