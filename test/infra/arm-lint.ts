/**
 * A structural check of an ARM deployment template, offline (the Azure schemas and Bicep are not on this
 * machine). It covers the template grammar of "Understand the structure and syntax of ARM templates":
 * the top-level sections, parameter types and defaults, resource type / apiVersion / name shapes, the
 * expression syntax of every `[...]` string (balanced quotes and parentheses, known template functions),
 * that every parameters()/variables() reference is declared and every parameter used, and that each
 * dependsOn names a resource of the template. It does not check resource properties against the
 * resource providers' schemas; test/infra/azure-arm.test.ts checks the properties floatip relies on.
 */
const sections = new Set([
  '$schema',
  'contentVersion',
  'metadata',
  'parameters',
  'variables',
  'functions',
  'resources',
  'outputs',
  'apiProfile',
]);
const paramTypes = new Set(['string', 'securestring', 'int', 'bool', 'object', 'secureobject', 'array']);
/** ARM template functions used or likely (docs: "ARM template functions"). */
const functions = new Set([
  'concat',
  'format',
  'guid',
  'tolower',
  'toupper',
  'take',
  'skip',
  'replace',
  'uniquestring',
  'substring',
  'length',
  'split',
  'string',
  'int',
  'bool',
  'json',
  'if',
  'equals',
  'not',
  'and',
  'or',
  'empty',
  'contains',
  'resourcegroup',
  'subscription',
  'tenant',
  'deployment',
  'environment',
  'resourceid',
  'subscriptionresourceid',
  'tenantresourceid',
  'extensionresourceid',
  'reference',
  'list',
  'listkeys',
  'parameters',
  'variables',
  'union',
  'first',
  'last',
  'createarray',
  'createobject',
  'coalesce',
  'utcnow',
  'base64',
  'uri',
  'trim',
]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function strings(v: Json, at: string, out: { at: string; s: string }[] = []): { at: string; s: string }[] {
  if (typeof v === 'string') out.push({ at, s: v });
  else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${at}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, `${at}.${k}`, out);
  return out;
}

/** The problems of one `[...]` expression: unbalanced quotes/parentheses, unknown functions. */
function expressionProblems(expr: string): string[] {
  const problems: string[] = [];
  let depth = 0;
  let quoted = false;
  let word = '';
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] ?? '';
    if (quoted) {
      if (c === "'" && expr[i + 1] === "'") i++;
      else if (c === "'") quoted = false;
      continue;
    }
    if (c === "'") quoted = true;
    else if (c === '(') {
      if (word !== '' && !functions.has(word.toLowerCase())) problems.push(`unknown function ${word}()`);
      depth++;
    } else if (c === ')') depth--;
    if (depth < 0) problems.push('unbalanced )');
    word = /[A-Za-z0-9_]/.test(c) && !quoted ? word + c : '';
  }
  if (quoted) problems.push('unterminated string');
  if (depth !== 0) problems.push('unbalanced parentheses');
  return problems;
}

export function lintArmTemplate(t: Record<string, Json>): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(t)) if (!sections.has(k)) problems.push(`unknown section ${k}`);
  if (!/deploymentTemplate\.json#$/.test(String(t.$schema)))
    problems.push('$schema is not deploymentTemplate.json');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(String(t.contentVersion))) problems.push('contentVersion must be n.n.n.n');
  const params = (t.parameters ?? {}) as Record<string, Record<string, Json>>;
  const vars = (t.variables ?? {}) as Record<string, Json>;
  for (const [name, p] of Object.entries(params)) {
    const type = String(p.type).toLowerCase();
    if (!paramTypes.has(type)) problems.push(`parameters.${name}: type ${String(p.type)}`);
    if (type.startsWith('secure') && p.defaultValue !== undefined)
      problems.push(`parameters.${name}: a secure parameter with a default`);
  }
  const all = strings(t as Json, '$');
  const used = new Set<string>();
  for (const { at, s } of all) {
    if (!s.startsWith('[') || s.startsWith('[[')) continue;
    if (!s.endsWith(']')) problems.push(`${at}: expression does not end with ]`);
    for (const p of expressionProblems(s.slice(1, -1))) problems.push(`${at}: ${p}`);
    for (const m of s.matchAll(/parameters\('([^']+)'\)/g)) {
      used.add(m[1] ?? '');
      if (params[m[1] ?? ''] === undefined) problems.push(`${at}: undeclared parameter ${m[1]}`);
    }
    for (const m of s.matchAll(/variables\('([^']+)'\)/g))
      if (vars[m[1] ?? ''] === undefined) problems.push(`${at}: undeclared variable ${m[1]}`);
  }
  for (const name of Object.keys(params))
    if (!used.has(name)) problems.push(`parameters.${name}: never used`);
  const resources = (t.resources ?? []) as Record<string, Json>[];
  const types = new Set(resources.map((r) => String(r.type).toLowerCase()));
  resources.forEach((r, i) => {
    const at = `resources[${i}]`;
    if (!/^[A-Za-z]+\.[A-Za-z.]+(\/[A-Za-z]+)+$/.test(String(r.type)))
      problems.push(`${at}: type ${String(r.type)}`);
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(String(r.apiVersion)))
      problems.push(`${at}: apiVersion ${String(r.apiVersion)}`);
    if (typeof r.name !== 'string' || r.name === '') problems.push(`${at}: no name`);
    for (const d of (r.dependsOn ?? []) as string[]) {
      const dep = /resourceId\('([^']+)'/.exec(d)?.[1]?.toLowerCase();
      if (!dep || !types.has(dep)) problems.push(`${at}.dependsOn: ${d} is no resource of this template`);
    }
  });
  return problems;
}
