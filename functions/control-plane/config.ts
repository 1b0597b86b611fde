import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { ControlPlaneConfig } from '../../core/config/control-plane.ts';
import { parseControlPlaneConfig } from '../../core/config/control-plane.ts';
import { firstDuplicateName } from '../../core/config/json-names.ts';
import type { ResolvedToken } from '../../adapters/http/index.ts';
import { readChecked } from './checked.ts';
import { controlPlaneProblems } from './problems.ts';

/** Set by the cloud-function build (scripts/functions/build.ts, esbuild `define`); absent elsewhere. */
declare const FLOATIP_ARTIFACT: { version: string } | undefined;
const artifactVersion = typeof FLOATIP_ARTIFACT === 'undefined' ? undefined : FLOATIP_ARTIFACT.version;

/** A config problem, already formatted as `file: path: message` lines. */
export class ControlConfigError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
  }
}

/**
 * Reads a floatip YAML/JSON file and validates its `controlPlane:` section. `checkedBy`: the floatip
 * version whose checked copy of this very document may stand for the validation (./checked.ts); an
 * artifact passes its own, everything else validates.
 */
export async function loadControlPlaneConfig(
  file: string,
  checkedBy: string | undefined = artifactVersion,
): Promise<ControlPlaneConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ControlConfigError([`${file}: cannot read: ${(err as Error).message}`]);
  }
  const checked = checkedBy === undefined ? undefined : readChecked(file, text, checkedBy);
  if (checked !== undefined) return checked;
  const doc = parseDocument(file, text);
  const section =
    typeof doc === 'object' && doc !== null && 'controlPlane' in doc
      ? (doc as { controlPlane: unknown }).controlPlane
      : undefined;
  if (section === undefined)
    throw new ControlConfigError([`${file}: controlPlane: missing (the control-plane section)`]);
  const r = parseControlPlaneConfig(section);
  if (!r.ok) throw new ControlConfigError(r.errors.map((e) => `${file}: ${e.path}: ${e.message}`));
  const problems = controlPlaneProblems(r.config);
  if (problems.length > 0) throw new ControlConfigError(problems.map((p) => `${file}: ${p}`));
  return r.config;
}

/**
 * A `.json` file is read by JSON.parse (a function's cold start: the YAML reader is ~8 % of the
 * instructions to its first answer, bench:functions-instructions; npm run build:functions ships the config
 * as JSON), with the one check YAML makes that JSON.parse does not: no name twice in one object. Anything
 * else is YAML (of which JSON is a subset). test/functions/control-plane/config-json.test.ts.
 */
export function parseDocument(file: string, text: string): unknown {
  if (file.endsWith('.json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ControlConfigError([`${file}: ${(err as Error).message}`]);
    }
    const dup = firstDuplicateName(text);
    if (dup)
      throw new ControlConfigError([`${file}: line ${dup.line}: "${dup.name}" appears twice in one object`]);
    return doc;
  }
  try {
    return parse(text, { prettyErrors: true }) as unknown;
  } catch (err) {
    throw new ControlConfigError([`${file}: ${(err as Error).message.split('\n')[0]}`]);
  }
}

/** Resolves secrets named by `env` from the environment; a missing variable is an error, never a default. */
export function resolveSecret(
  s: { value?: string; env?: string },
  where: string,
  env: NodeJS.ProcessEnv,
): string {
  if (s.value !== undefined) return s.value;
  const v = s.env === undefined ? undefined : env[s.env];
  if (v === undefined || v === '')
    throw new ControlConfigError([`${where}: environment variable ${s.env} is not set`]);
  return v;
}

export function resolveTokens(config: ControlPlaneConfig, env: NodeJS.ProcessEnv): ResolvedToken[] {
  return config.tokens.map((t, i) => ({
    name: t.name,
    secret: resolveSecret(t, `controlPlane.tokens[${i}]`, env),
    scopes: t.scopes,
    ...(t.agents ? { agents: t.agents } : {}),
  }));
}
