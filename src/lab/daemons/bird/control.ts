/**
 * @module lab/daemons/bird/control
 * BIRD's CLI protocol spoken directly on the control socket (what birdc does), and the
 * wrapper configuration that holds what announce() added.
 */
import { createConnection } from 'node:net';
import { DaemonError, type AddressFamily, type AnnounceRoute } from '../types.js';
import { checkAnnouncement } from '../common.js';

export interface BirdReply {
  /** Final reply code: 0xxx success, 8xxx run-time error, 9xxx syntax error. */
  code: number;
  /** Every line, codes removed. */
  lines: { code: number; text: string }[];
}

/** Sends one command on BIRD's control socket. */
export function birdRequest(socketPath: string, command: string, timeoutMs = 10_000): Promise<BirdReply> {
  return new Promise((resolvePromise, reject) => {
    const sock = createConnection({ path: socketPath });
    let buf = '';
    let greeted = false;
    let lastCode = 0;
    const lines: BirdReply['lines'] = [];
    const timer = setTimeout(
      () => done(new DaemonError('timeout', `BIRD ${socketPath}: "${command}" not answered within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let settled = false;
    const done = (err?: Error, reply?: BirdReply) => {
      // destroy() below fires 'close': only the first outcome counts.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolvePromise(reply!);
    };
    sock.setEncoding('utf8');
    sock.on('error', (err) => done(new DaemonError('command', `BIRD ${socketPath}: ${err.message}`)));
    sock.on('close', () =>
      done(new DaemonError('command', `BIRD ${socketPath}: connection closed during "${command}"`)),
    );
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('+')) continue; // asynchronous message (log echo), not part of the reply
        const m = /^(\d{4})([ -])(.*)$/.exec(line);
        const code = m ? Number(m[1]) : lastCode;
        const text = m ? m[3]! : line.slice(1); // continuation: one leading space
        lastCode = code;
        if (!greeted) {
          // "0001 BIRD 2.0.12 ready." then our command.
          if (m && m[2] === ' ') {
            greeted = true;
            sock.write(command + '\n');
          }
          continue;
        }
        lines.push({ code, text });
        if (m && m[2] === ' ') return done(undefined, { code, lines });
      }
    });
  });
}

/** The reply as birdc prints it: codes removed, code-0 lines (bare "OK") left out. */
export const replyText = (r: BirdReply): string =>
  r.lines
    .filter((l) => l.code !== 0)
    .map((l) => l.text)
    .join('\n');

function renderAnnouncement(route: AnnounceRoute, communities: string[], large: string[]): string {
  const attrs: string[] = [`bgp_next_hop = ${route.nextHop};`, 'bgp_origin = ORIGIN_IGP;'];
  for (const c of communities) attrs.push(`bgp_community.add((${c.replace(':', ',')}));`);
  for (const c of large) attrs.push(`bgp_large_community.add((${c.split(':').join(',')}));`);
  // prepend() puts an ASN in front: the last of the list goes first.
  for (const asn of [...(route.asPathPrepend ?? [])].reverse()) attrs.push(`bgp_path.prepend(${asn});`);
  if (route.med !== undefined) attrs.push(`bgp_med = ${route.med};`);
  return `  route ${route.prefix} blackhole {\n${attrs.map((a) => `    ${a}`).join('\n')}\n  };`;
}

export function renderBirdWrapper(userConfig: string, announced: Iterable<AnnounceRoute>): string {
  const byFamily: Record<AddressFamily, string[]> = { ipv4: [], ipv6: [] };
  for (const r of announced) {
    const { family, communities, largeCommunities } = checkAnnouncement(r);
    byFamily[family].push(renderAnnouncement(r, communities, largeCommunities));
  }
  const parts = [
    "# Rendered by ARSLab: the user's configuration, included verbatim, then the routes",
    '# announced through the driver. Regenerated on every announce()/withdraw().',
    'log stderr all;',
    `include "${userConfig.replace(/["\\]/g, '\\$&')}";`,
  ];
  for (const fam of ['ipv4', 'ipv6'] as const) {
    if (byFamily[fam].length === 0) continue;
    parts.push(`protocol static arslab_announce${fam === 'ipv4' ? 4 : 6} {\n  ${fam};\n${byFamily[fam].join('\n')}\n}`);
  }
  return parts.join('\n') + '\n';
}
