/**
 * The checked copy of a shipped config. `npm run build:functions --config FILE` validates the config and
 * ships it in every artifact as `floatip.control.json`, and beside it `floatip.control.checked.json`: the
 * validated result, the SHA-256 of the document it came from and the floatip version that checked it.
 * An artifact reading its config takes the checked result when the document is byte for byte the one
 * that was checked, by the same version; building and running the config schema (zod) was ~40 M
 * instructions, 6 % of a Lambda cold start to its first answer (bench:functions-instructions). An edited
 * document (in the console, in the zip) no longer matches and is validated as any other; a checked copy
 * that is missing, unreadable or from another version is ignored the same way. Outside an artifact (the
 * CLI, the worker from source) the document is always validated.
 *
 * Tests: test/functions/control-plane/checked.test.ts (the copy is used only when it matches) and
 * test/infra/build-functions.test.ts (the build writes it; an artifact reads an edited document anew).
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ControlPlaneConfig } from '../../core/config/control-plane.ts';

/** The checked copy's path beside a `.json` document (none for YAML: the build ships JSON). */
export function checkedPath(file: string): string | undefined {
  return file.endsWith('.json') ? `${file.slice(0, -'.json'.length)}.checked.json` : undefined;
}

interface Checked {
  format: 1;
  floatip: string;
  sha256: string;
  controlPlane: ControlPlaneConfig;
}

/** The checked copy of `docText` (what build:functions writes). */
export function checkedText(docText: string, config: ControlPlaneConfig, version: string): string {
  const c: Checked = { format: 1, floatip: version, sha256: hash('sha256', docText), controlPlane: config };
  return `${JSON.stringify(c)}\n`;
}

/**
 * The validated config of `file` (whose text is `docText`) from its checked copy, when that copy exists,
 * was made by floatip `version` and was made from exactly this text; otherwise undefined (validate).
 */
export function readChecked(file: string, docText: string, version: string): ControlPlaneConfig | undefined {
  const path = checkedPath(file);
  if (path === undefined) return undefined;
  let c: Partial<Checked>;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Partial<Checked>;
  } catch {
    return undefined;
  }
  const matches =
    c.format === 1 &&
    c.floatip === version &&
    c.sha256 === hash('sha256', docText) &&
    typeof c.controlPlane === 'object' &&
    c.controlPlane !== null;
  return matches ? c.controlPlane : undefined;
}
