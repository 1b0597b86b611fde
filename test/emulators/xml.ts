/** A tiny XML writer for the emulators: objects become elements, arrays become `<item>` lists (EC2 style). */
export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [k: string]: XmlValue };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function xml(value: XmlValue, itemName = 'item'): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value))
    return value.map((v) => `<${itemName}>${xml(v, itemName)}</${itemName}>`).join('');
  if (typeof value === 'object')
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${xml(v, itemName)}</${k}>`)
      .join('');
  return esc(String(value));
}

/** Reads the first `<tag>text</tag>` from an XML body (enough for the requests the emulators receive). */
export function xmlText(body: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body);
  return m?.[1];
}

/** All `<tag>...</tag>` blocks. */
export function xmlBlocks(body: string, tag: string): string[] {
  return [...body.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}
