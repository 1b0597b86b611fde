/**
 * infra/gcp/main.tf.json, validated offline (no Terraform binary here): the JSON configuration syntax of
 * Terraform's "JSON Configuration Syntax" page (top-level blocks, `${...}` references to declared
 * variables, locals and resources, depends_on, the arguments the google provider's docs mark required
 * for each resource used), then what floatip relies on: the custom role's permissions read from
 * custom-role.yaml, both functions built from the gcp-functions zip with the entry points the artifact
 * registers, the scheduler publishing to the topic the sweep function is triggered by. It does not
 * check argument types against the provider schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
type Obj = Record<string, unknown>;

/** Arguments the google provider documents as required, for the resource types main.tf.json uses. */
const required: Record<string, string[]> = {
  google_service_account: ['account_id'],
  google_project_iam_custom_role: ['role_id', 'title', 'permissions'],
  google_project_iam_member: ['project', 'role', 'member'],
  google_secret_manager_secret_iam_member: ['secret_id', 'role', 'member'],
  google_storage_bucket: ['name', 'location'],
  google_storage_bucket_object: ['name', 'bucket'],
  google_pubsub_topic: ['name'],
  google_cloud_scheduler_job: ['name'],
  google_cloudfunctions2_function: ['name', 'location'],
  google_cloud_run_service_iam_member: ['location', 'service', 'role', 'member'],
};
const functions = new Set(['yamldecode', 'file', 'filemd5', 'base64encode']);
const topLevel = new Set([
  '//',
  'terraform',
  'variable',
  'provider',
  'locals',
  'resource',
  'data',
  'output',
  'module',
]);

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

export function lintTerraformJson(tf: Obj): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(tf)) if (!topLevel.has(k)) problems.push(`unknown block ${k}`);
  const vars = (tf.variable ?? {}) as Obj;
  const locals = (tf.locals ?? {}) as Obj;
  const resources = (tf.resource ?? {}) as Record<string, Obj>;
  const usedVars = new Set<string>();
  for (const s of strings(tf))
    for (const m of s.matchAll(/\$\{([^}]*(?:\{[^}]*\}[^}]*)*)\}/g)) {
      const expr = m[1] ?? '';
      for (const f of expr.matchAll(/\b([a-z0-9_]+)\(/g))
        if (!functions.has(f[1] ?? '')) problems.push(`unknown function ${f[1]}() in ${s}`);
      for (const r of expr.replace(/"[^"]*"/g, '').matchAll(/\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)/g)) {
        const [, kind = '', name = ''] = r;
        const missing =
          kind === 'var'
            ? vars[name] === undefined
            : kind === 'local'
              ? locals[name] === undefined
              : kind.startsWith('google_') && resources[kind]?.[name] === undefined;
        if (kind === 'var') usedVars.add(name);
        if (missing)
          problems.push(
            `undeclared ${kind === 'var' ? 'variable' : kind === 'local' ? 'local' : 'resource'} ${kind === 'var' || kind === 'local' ? name : `${kind}.${name}`}`,
          );
      }
    }
  for (const name of Object.keys(vars))
    if (!usedVars.has(name)) problems.push(`variable ${name} is never used`);
  for (const [type, byName] of Object.entries(resources)) {
    if (!required[type]) problems.push(`resource type ${type} is not one this check knows`);
    for (const [name, body] of Object.entries(byName)) {
      const b = body as Obj;
      for (const arg of required[type] ?? [])
        if (b[arg] === undefined) problems.push(`${type}.${name}: missing ${arg}`);
      for (const d of (b.depends_on ?? []) as string[]) {
        const [t = '', n = ''] = d.split('.');
        if (resources[t]?.[n] === undefined)
          problems.push(`${type}.${name}: depends_on ${d} is not declared`);
      }
    }
  }
  return problems;
}

const tf = JSON.parse(readFileSync(join(root, 'infra/gcp/main.tf.json'), 'utf8')) as Obj;
const res = tf.resource as Record<string, Record<string, Obj>>;

test('GCP Terraform JSON: structurally valid; functions, topic, scheduler and role fit together', () => {
  assert.deepEqual(lintTerraformJson(tf), []);
  const role = res.google_project_iam_custom_role?.floatip ?? {};
  assert.equal(role.permissions, '${local.role.includedPermissions}');
  assert.equal((tf.locals as Obj).role, '${yamldecode(file("${path.module}/custom-role.yaml"))}');
  const yaml = parse(readFileSync(join(root, 'infra/gcp/custom-role.yaml'), 'utf8')) as {
    includedPermissions: string[];
  };
  assert.ok(yaml.includedPermissions.length > 0 && !yaml.includedPermissions.some((p) => p.includes('*')));
  assert.equal(((tf.variable as Obj).artifact_zip as Obj).default, '../../dist/functions/gcp-functions.zip');

  const registered = readFileSync(join(root, 'functions/gcp-functions/index.ts'), 'utf8');
  const fns = res.google_cloudfunctions2_function ?? {};
  for (const f of Object.values(fns)) {
    const build = f.build_config as {
      runtime: string;
      entry_point: string;
      source: { storage_source: { object: string } };
    };
    assert.equal(build.runtime, 'nodejs22');
    assert.match(
      registered,
      new RegExp(`ff\\.(http|cloudEvent)(<[^>]+>)?\\('${build.entry_point}'`),
      build.entry_point,
    );
    assert.equal(build.source.storage_source.object, '${google_storage_bucket_object.source.name}');
    const svc = f.service_config as { service_account_email: string; vpc_connector: string };
    assert.equal(svc.service_account_email, '${google_service_account.floatip.email}');
    assert.equal(svc.vpc_connector, '${var.vpc_connector}');
  }
  const trigger = fns.sweep?.event_trigger as { event_type: string; pubsub_topic: string };
  assert.equal(trigger.event_type, 'google.cloud.pubsub.topic.v1.messagePublished');
  const job = res.google_cloud_scheduler_job?.sweep?.pubsub_target as { topic_name: string };
  assert.equal(
    job.topic_name,
    trigger.pubsub_topic,
    'the scheduler publishes to the topic the sweep listens on',
  );
  assert.equal(
    res.google_project_iam_member?.floatip_failover?.member,
    'serviceAccount:${google_service_account.floatip.email}',
  );
});

test('the Terraform JSON check rejects an undeclared variable, a dangling reference and a missing argument', () => {
  const broken = JSON.parse(
    JSON.stringify(tf)
      .replace('${var.vpc_connector}', '${var.vpc_conector}')
      .replace('${google_pubsub_topic.sweep.id}', '${google_pubsub_topic.sweeps.id}'),
  ) as Obj;
  delete ((broken.resource as Record<string, Record<string, Obj>>).google_storage_bucket?.source ?? {})
    .location;
  const problems = lintTerraformJson(broken).join('\n');
  assert.match(problems, /undeclared variable vpc_conector/);
  assert.match(problems, /undeclared resource google_pubsub_topic\.sweeps/);
  assert.match(problems, /google_storage_bucket\.source: missing location/);
});
