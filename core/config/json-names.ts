/**
 * JSON.parse keeps the last of two equal member names in one object (RFC 8259 §4 leaves it open); a
 * config file with one is almost always a mistake, and the YAML reader refuses it. This finds the first
 * such name in text that JSON.parse has already accepted, so it only follows strings and brackets.
 */
export interface DuplicateName {
  name: string;
  /** 1-based line of the second occurrence. */
  line: number;
}

export function firstDuplicateName(text: string): DuplicateName | null {
  // One set of names per open object; arrays hold null.
  const open: (Set<string> | null)[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    else if (c === 0x7b /* { */) open.push(new Set());
    else if (c === 0x5b /* [ */) open.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop();
    else if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const names = open.at(-1);
      if (!names) continue;
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      if (text[j] !== ':') continue;
      const raw = text.slice(start, i + 1);
      const name = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      if (names.has(name)) return { name, line };
      names.add(name);
    }
  }
  return null;
}
