/** Reads classic libpcap files (tcpdump -w) with Ethernet frames, enough for the VRRP captures. */
import { readFileSync } from 'node:fs';

export interface CapturedFrame {
  /** Capture time, microseconds since the epoch. */
  timeUs: number;
  /** The whole Ethernet frame. */
  frame: Uint8Array;
}

export function readPcap(path: string): CapturedFrame[] {
  const buf = new Uint8Array(readFileSync(path));
  if (buf.length < 24) return [];
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = v.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && v.getUint32(0, false) !== 0xa1b2c3d4 && v.getUint32(0, false) !== 0xa1b23c4d)
    throw new Error(`${path}: not a pcap file`);
  const nano = (le ? magic : v.getUint32(0, false)) === 0xa1b23c4d;
  const linkType = v.getUint32(20, le);
  if (linkType !== 1) throw new Error(`${path}: link type ${linkType}, expected Ethernet (1)`);
  const frames: CapturedFrame[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = v.getUint32(off, le);
    const frac = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le);
    if (off + 16 + incl > buf.length) break;
    frames.push({
      timeUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac),
      frame: buf.slice(off + 16, off + 16 + incl),
    });
    off += 16 + incl;
  }
  return frames;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function mac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}
