// A second, independent Maglev table builder written straight from the rule book's §11 text, using the
// BigInt SipHash of oracle.ts. The mh tests compare core/lb's table and lookups against it.
import { refHsiphashU32 } from './oracle.ts';

export const SIZE = 4093;
const K1 = 2654435761n;
const K2 = 2654446892n;

export interface OracleDest {
  id: string;
  fold: number;
  port: number;
  lastWeight: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const fls = (x: number): number => (x === 0 ? 0 : x.toString(2).length);

export const oracleKey = (fold: number, port: number, k: bigint, offset: number): number =>
  refHsiphashU32((offset + port + fold) % 2 ** 32, k, k);

export const oracleTable = (dests: OracleDest[]): (string | null)[] => {
  const positive = dests.map((d) => d.lastWeight).filter((w) => w > 0);
  if (positive.length === 0) return new Array<string | null>(SIZE).fill(null);
  const g = positive.reduce(gcd);
  const shift = Math.max(0, fls(Math.floor(Math.max(...positive) / g)) - 6);
  const setup = dests.map((d) => {
    const offset = oracleKey(d.fold, d.port, K1, 0) % SIZE;
    const skip = (oracleKey(d.fold, d.port, K2, 0) % (SIZE - 1)) + 1;
    const t = Math.floor(Math.floor(d.lastWeight / g) / 2 ** shift);
    return { id: d.id, perm: offset, skip, turns: t > 0 ? t : d.lastWeight !== 0 ? 1 : 0 };
  });
  const table = new Array<string | null>(SIZE).fill(null);
  let filled = 0;
  for (;;) {
    for (const s of setup) {
      for (let k = 0; k < s.turns; k++) {
        while (table[s.perm] !== null) s.perm = (s.perm + s.skip) % SIZE;
        table[s.perm] = s.id;
        if (++filled === SIZE) return table;
      }
    }
  }
};
