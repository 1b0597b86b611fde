/**
 * The CDK app synthesized offline (no account, no network, no CDK CLI) and checked with
 * aws-cdk-lib/assertions: handlers that exist in the built zip, a Node.js 22+ runtime, least privilege
 * from iam-policy.json with no wildcard action, the sweep schedule, VPC access, Redis and secrets from
 * SSM / Secrets Manager by reference only. CDK's CloudFormation validation rules run as errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ControlPlaneStack, iamPolicyFile } from '../../infra/aws/control-plane-stack.ts';
import { cleanDir, ensureArtifacts, unpackArtifact } from './artifacts.ts';
import { defaultOutDir } from '../../scripts/functions/build.ts';

type Res = { Type: string; Properties: Record<string, unknown> };

const policyActions = (): string[] =>
  (
    JSON.parse(readFileSync(iamPolicyFile, 'utf8')) as { Statement: { Action: string[] }[] }
  ).Statement.flatMap((s) => s.Action);

test('CDK: the control-plane stack synthesizes and the template holds what a deployment needs', async (t) => {
  await ensureArtifacts();
  // CDK's own CloudFormation validation (resource schemas) as errors, not warnings.
  const app = new App({
    outdir: cleanDir(t, 'cdk-out'),
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
  });
  const stack = new ControlPlaneStack(app, 'FloatipControlPlane', {
    env: { account: '123456789012', region: 'eu-west-1' },
    codeZip: join(defaultOutDir, 'aws-lambda.zip'),
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    securityGroupIds: ['sg-0123456789abcdef0'],
    redisUrlParameter: '/floatip/redis-url',
    secretName: 'floatip/control',
  });
  const template = Template.fromStack(stack);
  const json = JSON.stringify(template.toJSON());
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, Res>;
  assert.equal(Object.keys(functions).length, 2);

  // Each handler names a module and an export of the built zip.
  const root = cleanDir(t, 'cdk-zip');
  unpackArtifact('aws-lambda', root);
  for (const f of Object.values(functions)) {
    const p = f.Properties as {
      Handler: string;
      Runtime: string;
      VpcConfig: { SubnetIds: string[] };
      Environment: { Variables: Record<string, unknown> };
    };
    assert.match(p.Runtime, /^nodejs(2[2-9]|[3-9]\d)\.x$/);
    const [mod = '', fn = ''] = p.Handler.split('.');
    const exported = (await import(pathToFileURL(join(root, `${mod}.mjs`)).href)) as Record<string, unknown>;
    assert.equal(typeof exported[fn], 'function', `${p.Handler} is not a function of the zip`);
    assert.deepEqual(p.VpcConfig.SubnetIds, ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210']);
    const vars = p.Environment.Variables;
    assert.deepEqual(
      Object.keys(vars.FLOATIP_REDIS_URL as object),
      ['Ref'],
      'Redis URL from an SSM parameter',
    );
    for (const k of ['FLOATIP_REDIS_PASSWORD', 'FLOATIP_OPS_TOKEN', 'FLOATIP_HMAC_SECRET'])
      assert.match(JSON.stringify(vars[k]), /\{\{resolve:secretsmanager:floatip\/control:SecretString:/, k);
  }
  assert.deepEqual(
    Object.values(functions)
      .map((f) => f.Properties.Handler)
      .sort(),
    ['http.handler', 'sweep.handler'],
  );
  const ssm = template.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
  assert.ok(
    Object.values(ssm).some(
      (p) => p.Type === 'AWS::SSM::Parameter::Value<String>' && p.Default === '/floatip/redis-url',
    ),
  );

  // Least privilege: the provider actions of iam-policy.json, none a wildcard; the HTTP role only reads.
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Res>;
  const actionsOf = (role: string): string[] =>
    Object.values(policies)
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      )
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  const sweepActions = actionsOf('SweepFunctionServiceRole');
  const httpActions = actionsOf('HttpFunctionServiceRole');
  for (const a of [...sweepActions, ...httpActions]) assert.ok(!a.includes('*'), `wildcard action ${a}`);
  assert.deepEqual([...new Set(sweepActions)].sort(), [...new Set(policyActions())].sort());
  assert.ok(
    httpActions.length > 0 && httpActions.every((a) => /:(Describe|List|Get)/.test(a)),
    httpActions.join(),
  );
  template.hasResourceProperties('AWS::IAM::Role', {
    ManagedPolicyArns: Match.arrayWith([
      Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']),
        ]),
      }),
    ]),
  });

  // The schedule and the HTTP API in front of the HTTP function.
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(1 minute)',
    State: 'ENABLED',
  });
  template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
    IntegrationType: 'AWS_PROXY',
    PayloadFormatVersion: '2.0',
  });
  assert.ok(!/"(AKIA|ASIA)[A-Z0-9]{12}/.test(json), 'no literal credentials');
});
