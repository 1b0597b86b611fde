// IpvsDataplane.info(): IPVS_CMD_GET_INFO, answered as the kernel answers it (ip_vs_genl_get_cmd:
// IPVS_INFO_ATTR_VERSION and IPVS_INFO_ATTR_CONN_TAB_SIZE as u32), becomes the `ipvsadm -L` first line.
// This kernel has no ip_vs module, so the connection is a stand-in that checks the request it is sent
// and replies with the bytes the kernel would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessages, encodeGenl } from '../../../../adapters/onprem/genl/message.ts';
import type { GenlConnection } from '../../../../adapters/onprem/genl/connection.ts';
import { INFO_ATTR, IPVS_CMD, IpvsDataplane } from '../../../../adapters/onprem/ipvs/index.ts';
import { ipvsHeader } from '../../../../adapters/onprem/ipvs/ipvsadm-format.ts';

test('info() sends GET_INFO and decodes version and connection table size', async () => {
  const sent: number[] = [];
  let seq = 0;
  const fake = {
    nextSeq: () => ++seq,
    family: async () => ({ id: 0x1c }),
    request: async (bytes: Uint8Array) => {
      const [m] = decodeMessages(bytes);
      sent.push(m?.payload[0] ?? -1); // genlmsghdr.cmd
      const reply = encodeGenl({
        type: 0x1c,
        flags: 0,
        seq,
        pid: 0,
        cmd: IPVS_CMD.GET_INFO,
        version: 1,
        attrs: [
          { type: INFO_ATTR.VERSION, u32: 0x010201 },
          { type: INFO_ATTR.CONN_TAB_SIZE, u32: 1 << 20 },
        ],
      });
      return decodeMessages(reply);
    },
    close: () => undefined,
  } as unknown as GenlConnection;
  const ipvs = new IpvsDataplane({ connect: () => fake });
  const info = await ipvs.info();
  assert.deepEqual(sent, [IPVS_CMD.GET_INFO]);
  assert.deepEqual(info, { kind: 'ok', value: { version: 0x010201, connTabSize: 1048576 } });
  assert.equal(ipvsHeader(0x010201, 1048576), 'IP Virtual Server version 1.2.1 (size=1048576)');
});
