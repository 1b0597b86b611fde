/**
 * Applies keepalived route / rule lines through the rtnetlink RouteManager inside a lab namespace (tests
 * start it with `ip netns exec`), printing one JSON line per line: `{ ok: true }` or `{ error }`.
 *
 *   add|remove route|rule 'LINE' ['LINE' …]
 */
import { openRouteManager } from '../../../../adapters/onprem/rtnetlink/index.ts';
import { parseRouteWords, parseRuleWords } from '../../../../core/config/ip-route-words.ts';
import type { RouteOrRule } from '../../../../core/ports/index.ts';

const [op, kind, ...lines] = process.argv.slice(2);
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

function entry(line: string): RouteOrRule {
  const words = line.split(/\s+/).filter(Boolean);
  const options = { noTrack: false, allowTrackGroup: false };
  if (kind === 'route') {
    const r = parseRouteWords(words, options);
    if (!r.ok) throw new Error(r.error.message);
    return { kind: 'route', route: r.value };
  }
  const r = parseRuleWords(words, options);
  if (!r.ok) throw new Error(r.error.message);
  return { kind: 'rule', rule: { ...r.value, priority: r.value.priority ?? 16384 } };
}

const routes = openRouteManager();
try {
  for (const line of lines) {
    try {
      await (op === 'add' ? routes.add(entry(line)) : routes.remove(entry(line)));
      out({ ok: true });
    } catch (e) {
      out({ error: (e as Error).message });
    }
  }
} finally {
  routes.close();
}
