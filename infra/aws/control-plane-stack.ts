/**
 * The serverless control plane on AWS, as a CDK stack: the two Lambda functions of the built zip
 * (`http.handler` behind an API Gateway HTTP API, `sweep.handler` on an EventBridge schedule) in the
 * operator's VPC next to their Redis (ElastiCache), with the least-privilege policy of iam-policy.json
 * (the same action list test/infra/policies.test.ts checks against the adapters' SDK calls). The Redis
 * URL comes from an SSM parameter and the secrets from a Secrets Manager secret, both resolved by
 * CloudFormation at deploy time: the template holds their names, never their values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';

export interface ControlPlaneStackProps extends StackProps {
  /** dist/functions/aws-lambda.zip from `npm run build:functions -- --config FILE`. */
  codeZip: string;
  vpcId: string;
  /** Private subnets that reach Redis and the AWS APIs (NAT or VPC endpoints). */
  subnetIds: string[];
  securityGroupIds: string[];
  /** SSM parameter (String) holding the Redis URL, e.g. rediss://master.x.cache.amazonaws.com:6379. */
  redisUrlParameter: string;
  /** Secrets Manager secret (JSON) with the keys redisPassword, opsToken, hmacSecret. */
  secretName: string;
  /** Minutes between scheduled sweeps (default 1). */
  sweepEveryMinutes?: number;
}

/** The IAM policy file both the stack and the policy test read. */
export const iamPolicyFile = join(import.meta.dirname, 'iam-policy.json');

interface PolicyJson {
  Statement: {
    Sid: string;
    Effect: 'Allow';
    Action: string[];
    Resource: string | string[];
    Condition?: unknown;
  }[];
}

/** iam-policy.json as statements; `readOnly` keeps only Describe/List/Get actions (the HTTP function). */
export function policyStatements(readOnly: boolean): PolicyStatement[] {
  const doc = JSON.parse(readFileSync(iamPolicyFile, 'utf8')) as PolicyJson;
  return doc.Statement.flatMap((s) => {
    const actions = readOnly ? s.Action.filter((a) => /:(Describe|List|Get)/.test(a)) : s.Action;
    if (actions.length === 0) return [];
    return [PolicyStatement.fromJson({ ...s, Action: actions, Resource: s.Resource })];
  });
}

export class ControlPlaneStack extends Stack {
  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, props);
    const vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: props.vpcId,
      availabilityZones: this.availabilityZones,
    });
    const subnets = props.subnetIds.map((s, i) => Subnet.fromSubnetId(this, `Subnet${i}`, s));
    const securityGroups = props.securityGroupIds.map((s, i) =>
      SecurityGroup.fromSecurityGroupId(this, `Sg${i}`, s),
    );
    const secret = (field: string): string =>
      SecretValue.secretsManager(props.secretName, { jsonField: field }).unsafeUnwrap();
    const environment = {
      FLOATIP_CONFIG: '/var/task/floatip.control.json',
      FLOATIP_REDIS_URL: StringParameter.valueForStringParameter(this, props.redisUrlParameter),
      FLOATIP_REDIS_PASSWORD: secret('redisPassword'),
      FLOATIP_OPS_TOKEN: secret('opsToken'),
      FLOATIP_HMAC_SECRET: secret('hmacSecret'),
      NODE_OPTIONS: '--enable-source-maps',
    };
    const common = {
      runtime: Runtime.NODEJS_22_X,
      code: Code.fromAsset(props.codeZip),
      memorySize: 512,
      vpc,
      vpcSubnets: { subnets },
      securityGroups,
      environment,
    };
    const http = new LambdaFn(this, 'HttpFunction', {
      ...common,
      handler: 'http.handler',
      timeout: Duration.seconds(15),
    });
    const sweep = new LambdaFn(this, 'SweepFunction', {
      ...common,
      handler: 'sweep.handler',
      timeout: Duration.seconds(60),
    });
    for (const s of policyStatements(true)) http.addToRolePolicy(s);
    for (const s of policyStatements(false)) sweep.addToRolePolicy(s);
    new HttpApi(this, 'Api', { defaultIntegration: new HttpLambdaIntegration('HttpIntegration', http) });
    new Rule(this, 'SweepSchedule', {
      schedule: Schedule.rate(Duration.minutes(props.sweepEveryMinutes ?? 1)),
      targets: [new LambdaFunction(sweep, { retryAttempts: 0 })],
    });
  }
}
