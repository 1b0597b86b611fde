/**
 * core/config: the configuration layer. keepalived.conf and the native YAML/JSON format both end in the
 * same resolved `Config` (see core/model/config.ts). Pure: file access is injected.
 *
 * @example
 * const r = parseKeepalived(text, { file: '/etc/keepalived/keepalived.conf', readFile, glob });
 * if (!r.ok) for (const d of r.diagnostics) console.error(formatDiagnostic(d));
 */
export { parseKeepalived, translateKeepalived, type ParseOptions, type ParseResult } from './keepalived.ts';
export { Diagnostics, type SourcePos } from './diagnostics.ts';
export type { Locate } from './resolve.ts';
export { configuredScripts, type ConfiguredScript } from './scripts.ts';
export { closest, editDistance } from './suggest.ts';
export { defaultLimits, type Limits, type SourceAccess } from './preprocess.ts';
export { summarizeConfig, type ConfigSummary } from './summary.ts';
export type { Config, ConfigDiagnostic, ConfigInput } from '../model/index.ts';
export { ConfigError, formatDiagnostic } from '../model/index.ts';
export { parseNative, toNative, type NativeFormat, type NativeOptions } from './native.ts';
export { parseConfigText, detectFormat, type ConfigFormat } from './detect.ts';
export {
  diffConfigs,
  sameData,
  virtualServerKey,
  realServerKey,
  type ConfigDiff,
  type KeyedDiff,
  type VirtualServerDiff,
} from './diff.ts';
