/**
 * The CDK app: `npx cdk synth --app "node infra/aws/app.ts" -c vpcId=... -c subnetIds=a,b
 * -c securityGroupIds=sg -c redisUrlParameter=/floatip/redis-url -c secretName=floatip/control`
 * (deploy likewise). Every value is a name or an id; the secrets stay in Secrets Manager.
 */
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ControlPlaneStack } from './control-plane-stack.ts';

const app = new App();
const need = (key: string): string => {
  const v: unknown = app.node.tryGetContext(key);
  if (typeof v !== 'string' || v === '') throw new Error(`cdk context ${key} is required (-c ${key}=...)`);
  return v;
};
const list = (key: string): string[] =>
  need(key)
    .split(',')
    .filter((s) => s !== '');
new ControlPlaneStack(app, 'FloatipControlPlane', {
  codeZip:
    (app.node.tryGetContext('codeZip') as string | undefined) ??
    join(import.meta.dirname, '../../dist/functions/aws-lambda.zip'),
  vpcId: need('vpcId'),
  subnetIds: list('subnetIds'),
  securityGroupIds: list('securityGroupIds'),
  redisUrlParameter: need('redisUrlParameter'),
  secretName: need('secretName'),
});
app.synth();
