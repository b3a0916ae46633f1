/**
 * @module lab/announceCommand
 * The ExaBGP text API commands the seeds use, parsed for the built-in speaker:
 *   announce route 100.64.0.1/32 next-hop 10.10.0.4 [as-path [65001 65001]] [origin igp|egp|incomplete]
 *            [med N] [community [65535:65282 no-export ...]] [large-community [65001:0:1 ...]]
 *   withdraw route 100.64.0.1/32 [next-hop 10.10.0.4]
 * so that a seed's `echo "announce route …"` works the same against a built-in speaker
 * and against a real ExaBGP.
 */
import { parsePrefix } from '../bgp/wire/index.js';
import type { SpeakerRouteSpec } from './spec.js';

export type AnnounceCommand =
  | { readonly action: 'announce'; readonly route: SpeakerRouteSpec }
  | { readonly action: 'withdraw'; readonly prefix: string };

export type ParseResult = { ok: true; command: AnnounceCommand } | { ok: false; error: string };

/** Splits on spaces, keeping "[a b]" groups as one token. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /\[([^\]]*)\]|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] !== undefined ? `[${m[1].trim()}]` : m[2]!);
  return out;
}

function list(tok: string): string[] {
  return tok.startsWith('[')
    ? tok
        .slice(1, -1)
        .split(/[\s,]+/)
        .filter(Boolean)
    : [tok];
}

export function parseAnnounceCommand(text: string): ParseResult {
  const t = tokenize(text.trim());
  const verb = t[0];
  if ((verb !== 'announce' && verb !== 'withdraw') || t[1] !== 'route' || !t[2]) {
    return { ok: false, error: `expected "announce route PREFIX …" or "withdraw route PREFIX", got "${text.trim()}"` };
  }
  const prefixText = t[2].includes('/') ? t[2] : `${t[2]}/32`;
  const p = parsePrefix(prefixText);
  if (!p) return { ok: false, error: `not a prefix: ${t[2]}` };
  if (verb === 'withdraw') return { ok: true, command: { action: 'withdraw', prefix: prefixText } };
  const route: { -readonly [K in keyof SpeakerRouteSpec]: SpeakerRouteSpec[K] } = { prefix: prefixText };
  for (let i = 3; i < t.length; i += 2) {
    const key = t[i]!;
    const val = t[i + 1];
    if (val === undefined) return { ok: false, error: `${key} needs a value` };
    switch (key) {
      case 'next-hop':
        route.nextHop = val === 'self' ? undefined : val;
        break;
      case 'as-path': {
        const asns = list(val).map(Number);
        if (asns.some((a) => !Number.isInteger(a) || a < 0 || a > 4294967295))
          return { ok: false, error: `bad as-path ${val}` };
        route.asPath = asns;
        break;
      }
      case 'origin':
        if (val !== 'igp' && val !== 'egp' && val !== 'incomplete') return { ok: false, error: `bad origin ${val}` };
        route.origin = val;
        break;
      case 'med':
        if (!/^\d+$/.test(val)) return { ok: false, error: `bad med ${val}` };
        route.med = Number(val);
        break;
      case 'community':
        route.communities = list(val);
        break;
      case 'large-community':
        route.largeCommunities = list(val);
        break;
      default:
        return {
          ok: false,
          error: `unknown attribute "${key}" (known: next-hop as-path origin med community large-community)`,
        };
    }
  }
  return { ok: true, command: { action: 'announce', route } };
}
