/**
 * The routes, rules and static addresses with protocol keepalived in a lab node, as `ip -j` reports them,
 * normalised for comparison between nodes: sorted, one VIP renamed, and the kernel's per-node fields
 * (cache, expiry) left out.
 */
import type { Lab, LabNode } from '../../../helpers/netns.ts';

type Row = Record<string, unknown>;

const json = (lab: Lab, node: LabNode | string, argv: string[]): Row[] => {
  const out = lab.exec(node, argv).trim();
  return out ? (JSON.parse(out) as Row[]) : [];
};

/** Every route and rule of protocol keepalived in `node` (IPv4 and IPv6), one string per entry. */
export function keepalivedEntries(
  lab: Lab,
  node: LabNode | string,
  rename: Record<string, string> = {},
): string[] {
  const rows: string[] = [];
  const fix = (s: string) => Object.entries(rename).reduce((t, [from, to]) => t.split(from).join(to), s);
  for (const fam of ['-4', '-6']) {
    for (const r of json(lab, node, ['ip', '-j', fam, 'route', 'show', 'table', 'all']))
      if (r['protocol'] === 'keepalived') rows.push(fix(`route ${fam} ${JSON.stringify(r)}`));
    for (const r of json(lab, node, ['ip', '-j', fam, 'rule', 'show']))
      if (r['protocol'] === 'keepalived') rows.push(fix(`rule ${fam} ${JSON.stringify(r)}`));
  }
  return rows.sort();
}

/** The addresses on `dev` in `node`, as `ADDR/LEN`. */
export function addressesOn(lab: Lab, node: LabNode | string, dev: string): string[] {
  const out: string[] = [];
  for (const link of json(lab, node, ['ip', '-j', 'addr', 'show', 'dev', dev]))
    for (const a of (link['addr_info'] as Row[] | undefined) ?? [])
      out.push(`${String(a['local'])}/${String(a['prefixlen'])}`);
  return out;
}
