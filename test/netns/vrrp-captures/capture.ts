/**
 * Regenerates test/fixtures/vrrp-captures/*.json: keepalived's own adverts, captured off the wire.
 *
 *   node test/netns/vrrp-captures/capture.ts [FILE...]   (root; needs keepalived and tcpdump)
 *
 * With FILE names (e.g. v2-ipv4-ah.json) only those variants run and only their fixtures are rewritten.
 *
 * One keepalived (Debian's package) runs five instances in lab director d1; tcpdump in d2 records what
 * reaches the wire. After the instances became master, keepalived is stopped (SIGTERM) so the priority-0
 * adverts are captured too. Each fixture keeps the config block that produced it, the IP and Ethernet
 * header fields, and the raw bytes, so codec golden tests need no lab.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIp } from '../../../adapters/onprem/net/ip-address.ts';
import { assertLabPrerequisites, createLab, waitFor } from '../../helpers/netns.ts';
import { startKeepalived } from '../vrrp/lib/keepalived.ts';
import { hex, mac, readPcap } from '../vrrp/lib/pcap.ts';

interface Variant {
  file: string;
  name: string;
  family: 4 | 6;
  expect: Record<string, unknown>;
  block: string;
}

const variants: Variant[] = [
  {
    file: 'v2-ipv4-noauth.json',
    name: 'V2_NOAUTH',
    family: 4,
    expect: {
      version: 2,
      vrid: 21,
      priority: 150,
      advertIntSeconds: 1,
      addresses: ['10.99.0.240'],
      authType: 0,
    },
    block: `vrrp_instance V2_NOAUTH {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 21
    priority 150
    advert_int 1
    virtual_ipaddress {
        10.99.0.240/24
    }
}`,
  },
  {
    file: 'v2-ipv4-pass.json',
    name: 'V2_PASS',
    family: 4,
    expect: {
      version: 2,
      vrid: 22,
      priority: 140,
      advertIntSeconds: 1,
      addresses: ['10.99.0.241', '10.99.0.242'],
      authType: 1,
      authPass: 'secret12',
    },
    block: `vrrp_instance V2_PASS {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 22
    priority 140
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret12
    }
    virtual_ipaddress {
        10.99.0.241/24
        10.99.0.242/24
    }
}`,
  },
  {
    file: 'v3-ipv4.json',
    name: 'V3_V4',
    family: 4,
    expect: { version: 3, vrid: 23, priority: 120, advertIntCentiseconds: 10, addresses: ['10.99.0.243'] },
    block: `vrrp_instance V3_V4 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 23
    priority 120
    advert_int 0.1
    virtual_ipaddress {
        10.99.0.243/24
    }
}`,
  },
  {
    file: 'v3-ipv6.json',
    name: 'V3_V6',
    family: 6,
    expect: {
      version: 3,
      vrid: 24,
      priority: 110,
      advertIntCentiseconds: 5,
      addresses: ['fe80::99:24', 'fd00:99::244'],
    },
    block: `vrrp_instance V3_V6 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 24
    priority 110
    advert_int 0.05
    virtual_ipaddress {
        fe80::99:24/64
        fd00:99::244/64
    }
}`,
  },
  {
    file: 'v3-ipv4-unicast.json',
    name: 'V3_UNICAST',
    family: 4,
    expect: {
      version: 3,
      vrid: 25,
      priority: 100,
      advertIntCentiseconds: 100,
      addresses: ['10.99.0.245'],
      unicastSource: '10.99.0.11',
      unicastPeer: '10.99.0.12',
    },
    block: `vrrp_instance V3_UNICAST {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 25
    priority 100
    advert_int 1
    unicast_src_ip 10.99.0.11
    unicast_peer {
        10.99.0.12
    }
    virtual_ipaddress {
        10.99.0.245/24
    }
}`,
  },
  {
    file: 'v2-ipv4-ah.json',
    name: 'V2_AH',
    family: 4,
    expect: {
      version: 2,
      vrid: 26,
      priority: 130,
      advertIntSeconds: 1,
      addresses: ['10.99.0.246', '10.99.0.247'],
      authType: 2,
      authPass: 'ahsecret',
    },
    block: `vrrp_instance V2_AH {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 26
    priority 130
    advert_int 1
    authentication {
        auth_type AH
        auth_pass ahsecret
    }
    virtual_ipaddress {
        10.99.0.246/24
        10.99.0.247/24
    }
}`,
  },
  {
    file: 'v2-ipv4-ah-unicast.json',
    name: 'V2_AH_UNICAST',
    family: 4,
    expect: {
      version: 2,
      vrid: 27,
      priority: 120,
      advertIntSeconds: 1,
      addresses: ['10.99.0.248'],
      authType: 2,
      authPass: 'key',
      unicastSource: '10.99.0.11',
      unicastPeer: '10.99.0.12',
    },
    block: `vrrp_instance V2_AH_UNICAST {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 27
    priority 120
    advert_int 1
    unicast_src_ip 10.99.0.11
    unicast_peer {
        10.99.0.12
    }
    authentication {
        auth_type AH
        auth_pass key
    }
    virtual_ipaddress {
        10.99.0.248/24
    }
}`,
  },
];

const globalDefs = `global_defs {
    router_id capture
    vrrp_garp_master_delay 0
}`;

async function main(): Promise<void> {
  assertLabPrerequisites(['keepalived', 'tcpdump']);
  const only = process.argv.slice(2);
  const unknown = only.filter((f) => !variants.some((v) => v.file === f));
  if (unknown.length > 0) throw new Error(`no capture variant writes ${unknown.join(', ')}`);
  const chosen = only.length > 0 ? variants.filter((v) => only.includes(v.file)) : variants;
  const keepalivedVersion = execFileSync('sh', ['-c', 'keepalived --version 2>&1'], { encoding: 'utf8' })
    .split('\n')[0]
    ?.trim();
  const lab = createLab({ directors: 2, client: false });
  const dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-capture-'));
  try {
    const pcapPath = join(dir, 'vrrp.pcap');
    const tcpdump = lab.spawn('d2', [
      'tcpdump',
      '-i',
      'eth0',
      '-U',
      '-w',
      pcapPath,
      'ip proto 112 or ip6 proto 112 or ip proto 51',
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    const config = [globalDefs, ...chosen.map((v) => v.block)].join('\n\n') + '\n';
    const ka = startKeepalived(lab, 'd1', config);
    // v2 at advert_int 1 and priority 140 needs 3 + 116/256 s to become master; give it margin.
    await waitFor(
      'keepalived to become master of every instance',
      () => (chosen.every((v) => ka.log().includes(`(${v.name}) Entering MASTER STATE`)) ? true : undefined),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    await ka.stop();
    await new Promise((r) => setTimeout(r, 500));
    tcpdump.kill('SIGINT');
    await new Promise((r) => tcpdump.once('exit', r));

    const frames = readPcap(pcapPath);
    for (const variant of chosen) {
      const packets = frames
        .map((f) => describe(f.frame))
        .filter((p): p is Described => p !== null && p.vrid === (variant.expect['vrid'] as number));
      const adverts = packets.filter((p) => p.priority !== 0);
      const zero = packets.filter((p) => p.priority === 0);
      const first = adverts[0];
      const last = zero[zero.length - 1];
      if (!first || !last) throw new Error(`${variant.name}: no advert or no priority-0 advert captured`);
      const fixture = {
        description: `${variant.name}: adverts keepalived sent on the wire, captured with tcpdump in a netns lab`,
        producedBy: keepalivedVersion,
        capturedWith: 'test/netns/vrrp-captures/capture.ts',
        config: `${globalDefs}\n\n${variant.block}\n`,
        expect: { family: variant.family, ...variant.expect },
        packets: [
          { kind: 'advert', ...strip(first) },
          { kind: 'priority-zero-on-stop', ...strip(last) },
        ],
      };
      writeFileSync(
        join('test/fixtures/vrrp-captures', variant.file),
        JSON.stringify(fixture, null, 2) + '\n',
      );
      console.log(`wrote ${variant.file}: ${packets.length} packets seen, kept 2`);
    }
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Described {
  vrid: number;
  priority: number;
  ethernet: { source: string; destination: string; etherType: string };
  ip: Record<string, unknown>;
  vrrpHex: string;
  ipPacketHex: string;
  /** IPsec AH adverts (protocol 51): the AH as sent, between the IP header and the VRRP message. */
  ahHex?: string;
}

function strip(p: Described): Omit<Described, 'vrid' | 'priority'> {
  return {
    ethernet: p.ethernet,
    ip: p.ip,
    ...(p.ahHex === undefined ? {} : { ahHex: p.ahHex }),
    vrrpHex: p.vrrpHex,
    ipPacketHex: p.ipPacketHex,
  };
}

function describe(frame: Uint8Array): Described | null {
  if (frame.length < 14) return null;
  const etherType = ((frame[12] ?? 0) << 8) | (frame[13] ?? 0);
  const ipPacket = frame.slice(14);
  const ethernet = {
    source: mac(frame.slice(6, 12)),
    destination: mac(frame.slice(0, 6)),
    etherType: `0x${etherType.toString(16).padStart(4, '0')}`,
  };
  if (etherType === 0x0800) {
    const ihl = ((ipPacket[0] ?? 0) & 0x0f) * 4;
    const totalLength = ((ipPacket[2] ?? 0) << 8) | (ipPacket[3] ?? 0);
    // AH (protocol 51, 24 octets with keepalived's HMAC-MD5-96) sits between the IP header and VRRP.
    const ah = ipPacket[9] === 51 ? ipPacket.slice(ihl, ihl + 24) : undefined;
    const vrrp = ipPacket.slice(ihl + (ah ? 24 : 0), totalLength);
    return {
      ...(ah ? { ahHex: hex(ah) } : {}),
      vrid: vrrp[1] ?? -1,
      priority: vrrp[2] ?? -1,
      ethernet,
      ip: {
        version: 4,
        headerLength: ihl,
        tos: ipPacket[1],
        totalLength,
        flagsAndFragment: ((ipPacket[6] ?? 0) << 8) | (ipPacket[7] ?? 0),
        ttl: ipPacket[8],
        protocol: ipPacket[9],
        source: Array.from(ipPacket.slice(12, 16)).join('.'),
        destination: Array.from(ipPacket.slice(16, 20)).join('.'),
      },
      vrrpHex: hex(vrrp),
      ipPacketHex: hex(ipPacket.slice(0, totalLength)),
    };
  }
  if (etherType === 0x86dd) {
    const payloadLength = ((ipPacket[4] ?? 0) << 8) | (ipPacket[5] ?? 0);
    const vrrp = ipPacket.slice(40, 40 + payloadLength);
    return {
      vrid: vrrp[1] ?? -1,
      priority: vrrp[2] ?? -1,
      ethernet,
      ip: {
        version: 6,
        trafficClass: (((ipPacket[0] ?? 0) & 0x0f) << 4) | ((ipPacket[1] ?? 0) >> 4),
        payloadLength,
        nextHeader: ipPacket[6],
        hopLimit: ipPacket[7],
        source: formatIp(ipPacket.slice(8, 24)),
        destination: formatIp(ipPacket.slice(24, 40)),
      },
      vrrpHex: hex(vrrp),
      ipPacketHex: hex(ipPacket.slice(0, 40 + payloadLength)),
    };
  }
  return null;
}

await main();
