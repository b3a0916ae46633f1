/**
 * A bare BGP speaker standing in for one Route Server instance (ARSLab's BgpPeer behind a
 * BgpListener on 127.N.1.4:179, AS 65515, passive, no route-server logic), peering with an
 * agent on 127.N.0.7 (AS 65001). It writes down what it sees on the wire, one line each —
 * `established`, `announce PREFIX via NEXTHOP path ASNS`, `withdraw PREFIX`, `down: REASON` —
 * and holds the VIP's current next hop (`rib`, "" when none).
 */
import { BgpListener, BgpPeer, describeDownReason, formatIpv4, formatPrefix } from '../../src/bgp/index.js';

export class BareRouteServer {
  readonly seen: string[] = [];
  /** The next hop held now, "" when nothing. */
  rib = '';
  readonly listener: BgpListener;
  readonly peer: BgpPeer;

  constructor(n: number, opts: { idleHoldTime?: number } = {}) {
    this.listener = new BgpListener(`127.${n}.1.4`, 179);
    this.peer = new BgpPeer({
      name: 'rs0',
      remote: { address: `127.${n}.0.7`, port: 179 },
      localAddress: `127.${n}.1.4`,
      ...(opts.idleHoldTime !== undefined ? { idleHoldTime: opts.idleHoldTime } : {}),
      fsm: {
        localAs: 65515,
        localId: 0x0a0a0104,
        peerAs: 65001,
        holdTime: 9,
        keepaliveTime: 3,
        connectRetryTime: 1,
        passive: true,
        families: ['ipv4-unicast'],
      },
      handlers: {
        onEstablished: () => this.seen.push('established'),
        onUpdate: (_p, u) => {
          for (const p of u.withdrawn) {
            this.seen.push(`withdraw ${formatPrefix(p)}`);
            this.rib = '';
          }
          for (const p of u.nlri) {
            this.rib = formatIpv4(u.attributes.nextHop!);
            this.seen.push(
              `announce ${formatPrefix(p)} via ${this.rib} path ${u.attributes.asPath?.flatMap((s) => s.asns).join(' ')}`,
            );
          }
        },
        onDown: (_p, r) => {
          this.seen.push(`down: ${describeDownReason(r)}`);
          this.rib = '';
        },
      },
    });
    this.listener.register(`127.${n}.0.7`, this.peer);
  }

  /** The UPDATE lines only (announce / withdraw). */
  updates(): string[] {
    return this.seen.filter((s) => s.startsWith('announce ') || s.startsWith('withdraw '));
  }

  async start(): Promise<void> {
    await this.listener.listen();
    this.peer.start();
  }

  async close(): Promise<void> {
    this.peer.stop();
    await this.listener.close();
  }
}

/**
 * The config of an agent on watch1 peering with a BareRouteServer at 127.n.1.4 (and .5,
 * where nobody answers): AS 65001, router id 10.10.0.7 at 127.n.0.7, hold time 9 s; the VIP
 * 100.64.0.1/32 with the watcher pattern over `backends` (one YAML flow mapping each).
 * `extra`: more top-level lines (api, maintenanceFile).
 */
export function bareAgentConfig(
  n: number,
  backends: readonly string[],
  o: { readonly extra?: string; readonly failback?: boolean } = {},
): string {
  return `asn: 65001
routerId: 10.10.0.7
localAddress: 127.${n}.0.7
connectRetry: 1s
${o.extra ?? ''}neighbors:
  - { address: 127.${n}.1.4, holdTime: 9 }
  - { address: 127.${n}.1.5, holdTime: 9 }
vips:
  - prefix: 100.64.0.1/32
    pattern: watcher
${o.failback === undefined ? '' : `    failback: ${o.failback}\n`}    backends:
${backends.map((b) => `      - ${b}\n`).join('')}`;
}
