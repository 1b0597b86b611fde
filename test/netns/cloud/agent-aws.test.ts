// @needs root iproute2
/**
 * Agent cloud mode end to end: two real `floatip agent` processes in lab namespaces run VRRP over
 * unicast_peer, and a `floatip-cloud.yaml` overlay next to keepalived.conf names an aws provider whose
 * endpoint is the EC2 emulator, running as its own process in the lab's client namespace. The real AWS SDK
 * inside the agents signs and sends every call over the lab bridge; the test reads and changes the
 * emulator's state with the same SDK. States are polled with generous bounds; no timing is asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { main } from '../../../functions/cli/main.ts';
import { assertLabPrerequisites, createLab, waitFor, type Lab, type LabNode } from '../../helpers/netns.ts';
import {
  startCloudAgent,
  startLabEc2,
  testAwsEnv,
  type CloudAgent,
  type LabEc2,
} from '../../helpers/netns-cloud.ts';

const EIP = 'eipalloc-0c1';
const ROUTE = '10.9.9.9/32';
const ENI = { d1: 'eni-0d1', d2: 'eni-0d2', thief: 'eni-0ff' } as const;

function keepalived(priority: number, self: LabNode, peer: LabNode): string {
  return `vrrp_instance VI_CLOUD {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 61
    priority ${priority}
    advert_int 0.2
    unicast_src_ip ${self.ipv4}
    unicast_peer {
        ${peer.ipv4}
    }
    virtual_ipaddress {
        10.99.0.161/24
    }
}
`;
}

function overlay(self: string, endpoint: string): string {
  return `cloud:
  group: netns-web
  vrrpInstance: VI_CLOUD
  self: ${self}
  reconcileMs: 300
  providers:
    aws: { type: aws, region: us-east-1, endpoint: "${endpoint}" }
  members:
    d1: { aws: { networkInterfaceId: ${ENI.d1} } }
    d2: { aws: { networkInterfaceId: ${ENI.d2} } }
  resources:
    - { id: web-eip, provider: aws, kind: elastic-ip, spec: { allocationId: ${EIP} } }
    - { id: vip-route, provider: aws, kind: route, spec: { routeTableIds: [rtb-0a1], destination: ${ROUTE} } }
  policy:
    call: { baseMs: 20, capMs: 200 }
    verify: { baseMs: 20, capMs: 200 }
`;
}

describe('floatip agents in cloud mode against the EC2 emulator (netns lab)', () => {
  let lab: Lab | undefined;
  let ec2: LabEc2 | undefined;
  let sdk: EC2Client | undefined;
  const agents: CloudAgent[] = [];

  before(async () => {
    assertLabPrerequisites();
    lab = createLab({ directors: 2, client: true });
    const c = lab.nodes['c'];
    assert.ok(c);
    ec2 = await startLabEc2(lab, c, 4566, [
      '--eni',
      `${ENI.d1}=10.0.1.11@i-0d1`,
      '--eni',
      `${ENI.d2}=10.0.1.12@i-0d2`,
      '--eni',
      `${ENI.thief}=10.0.1.99@i-0ff`,
      '--eip',
      `${EIP}=198.51.100.61`,
      '--table',
      'rtb-0a1',
    ]);
    sdk = new EC2Client({
      region: testAwsEnv.AWS_REGION,
      endpoint: ec2.localUrl,
      credentials: {
        accessKeyId: testAwsEnv.AWS_ACCESS_KEY_ID,
        secretAccessKey: testAwsEnv.AWS_SECRET_ACCESS_KEY,
      },
    });
  });
  after(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    sdk?.destroy();
    await ec2?.stop();
    lab?.destroy();
  });

  const node = (name: string): LabNode => {
    const n = lab?.nodes[name];
    assert.ok(n, `lab node ${name}`);
    return n;
  };
  const start = (name: 'd1' | 'd2', priority: number): CloudAgent => {
    const self = node(name);
    const peer = node(name === 'd1' ? 'd2' : 'd1');
    assert.ok(lab && ec2);
    const a = startCloudAgent(
      lab,
      self,
      { keepalived: keepalived(priority, self, peer), cloudOverlay: overlay(name, ec2.url) },
      { ...testAwsEnv },
    );
    agents.push(a);
    return a;
  };
  const until = (what: string, a: CloudAgent, wanted: string) =>
    waitFor(what, async () => ((await a.state('VI_CLOUD')) === wanted ? true : undefined), 60_000, 100);
  const eipHolder = async (): Promise<string | undefined> => {
    const out = await sdk?.send(new DescribeAddressesCommand({ AllocationIds: [EIP] }));
    return out?.Addresses?.[0]?.NetworkInterfaceId;
  };
  const routeTarget = async (): Promise<string | undefined> => {
    const out = await sdk?.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0a1'] }));
    return out?.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === ROUTE)?.NetworkInterfaceId;
  };
  const cloudPointsAt = (eni: string) => async () =>
    (await eipHolder()) === eni && (await routeTarget()) === eni ? true : undefined;

  let a1: CloudAgent;
  let a2: CloudAgent;

  it('the VRRP master gets the elastic IP and the route; the backup does not take them', async () => {
    assert.equal(await eipHolder(), undefined, 'the EIP starts unassociated');
    a1 = start('d1', 150);
    await until('d1 to become MASTER', a1, 'MASTER');
    a2 = start('d2', 100);
    await until('d2 to settle in BACKUP', a2, 'BACKUP');
    await waitFor(`the EIP and route to point at d1's ${ENI.d1}`, cloudPointsAt(ENI.d1), 30_000, 200);
    // A few reconcile intervals later the backup still has not pulled anything to itself.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await eipHolder(), ENI.d1);
    }
    assert.equal(await a2.state('VI_CLOUD'), 'BACKUP');
    // The same files pass `floatip check-config`, which validates the overlay as the agent does.
    const said: string[] = [];
    const io = { out: (t: string) => void said.push(t), err: (t: string) => void said.push(t) };
    assert.equal(await main(['check-config', a1.configPath], io), 0, said.join('\n'));
    assert.match(
      said.join('\n'),
      /cloud \(.*floatip-cloud\.yaml\): group netns-web, 2 member\(s\), 2 resource/,
    );
  });

  it('kill -9 of the master: the backup becomes MASTER and the elastic IP and route move to it', async () => {
    await a1.kill();
    await until('d2 to take over', a2, 'MASTER');
    await waitFor(`the EIP and route to move to d2's ${ENI.d2}`, cloudPointsAt(ENI.d2), 30_000, 200);
  });

  const associate = (eni: string) =>
    sdk?.send(
      new AssociateAddressCommand({ AllocationId: EIP, NetworkInterfaceId: eni, AllowReassociation: true }),
    );

  it('an ENI outside the members takes the elastic IP: the MASTER reports a conflict and leaves it', async () => {
    await associate(ENI.thief);
    assert.equal(await eipHolder(), ENI.thief, 'the association took effect in the emulator');
    await waitFor(
      'the MASTER to report the foreign holder',
      () => (a2.log().includes(`held by ${ENI.thief}, which is not a member`) ? true : undefined),
      30_000,
      100,
    );
    // The adapter never takes an address from something floatip does not manage.
    assert.equal(await eipHolder(), ENI.thief);
    assert.equal(await routeTarget(), ENI.d2, 'the route stayed with the MASTER');
  });

  it('the EIP is pointed back at the dead old master (keepalived #1884): the MASTER re-asserts ownership', async () => {
    await associate(ENI.d1);
    assert.equal(await eipHolder(), ENI.d1, 'the association took effect in the emulator');
    await waitFor(
      `d2 to take the EIP back from d1's ${ENI.d1}`,
      async () => ((await eipHolder()) === ENI.d2 ? true : undefined),
      30_000,
      100,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\nagent on d2:\n${a2.log().slice(-4000)}`);
    });
    assert.equal(await a2.state('VI_CLOUD'), 'MASTER');
    assert.equal(await routeTarget(), ENI.d2, 'the route stayed with the MASTER');
    // The emulator sees the association before the agent's log line is written: wait for the line.
    await waitFor(
      'the take-back to be logged as a reconcile',
      () => (/"reason":"reconcile"[^\n]*"changed"/.test(a2.log()) ? true : undefined),
      10_000,
      50,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\nagent on d2:\n${a2.log().slice(-4000)}`);
    });
  });
});
