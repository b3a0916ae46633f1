/**
 * Two minimal BGP speakers for the route-server benchmark, in this process:
 *
 * - the *sink*, the cheapest receiver possible, to measure what a sender can push (its
 *   ceiling): it counts the IPv4 NLRI of each UPDATE by walking the prefix length octets (no
 *   objects per prefix, no attribute decoding);
 * - the *blaster*, the fastest sender possible, to measure what a receiver can take when the
 *   sender is not the limit: it writes UPDATEs encoded before the session starts (the same
 *   routes and attributes as the BIRD sender, packed 256 prefixes per UPDATE as BIRD packs
 *   them) as fast as TCP takes them.
 *
 * Both answer or send an OPEN (IPv4 unicast, 4-octet AS, route refresh), become Established
 * on the first KEEPALIVE after the OPENs, and send a KEEPALIVE every 30 s. Times are
 * wall-clock milliseconds (`performance.timeOrigin + performance.now()`), comparable with the
 * daemons' timestamps on the same machine.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { CONTEXT_4OCTET, packUpdates, v4Prefix, type Prefix } from '../../src/bgp/wire/index.js';
import { COMMUNITY, LARGE_COMMUNITY, prefixAddr, SENDER_ASN } from './configs.js';

export interface SessionResult {
  /** Remote address of the connection. */
  peer: string;
  /** Wall-clock ms when the session became Established (first KEEPALIVE after the OPENs). */
  establishedAt: number;
  /** Sink: when the `target`-th prefix arrived. Blaster: when the kernel took the last byte. */
  doneAt?: number;
  /** Sink: the IPv4 End-of-RIB (an empty UPDATE), if the sender sent one. */
  endOfRibAt?: number;
  prefixes: number;
  updates: number;
  bytes: number;
}

export interface LiteOptions {
  /** Our address: where we listen, or the source of our connection. */
  address: string;
  port?: number;
  asn: number;
  routerId: string;
  /** Sink: the prefix count that completes a session. */
  target?: number;
  /** Blaster: the UPDATEs to send once Established. */
  updates?: Buffer;
  /** Sessions to accept (listening) before refusing more. */
  maxSessions?: number;
}

const now = (): number => performance.timeOrigin + performance.now();

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map((x) => Number(x) & 255);
}

function message(type: number, body: number[] | Uint8Array): Buffer {
  const b = Buffer.alloc(19 + body.length);
  b.fill(0xff, 0, 16);
  b.writeUInt16BE(19 + body.length, 16);
  b[18] = type;
  Buffer.from(body).copy(b, 19);
  return b;
}

function openMessage(asn: number, routerId: string, hold: number): Buffer {
  const caps = [
    ...[1, 4, 0, 1, 0, 1], // MP: IPv4 unicast
    ...[2, 0], // route refresh
    ...[65, 4, (asn >>> 24) & 255, (asn >>> 16) & 255, (asn >>> 8) & 255, asn & 255], // 4-octet AS
  ];
  const params = [2, caps.length, ...caps];
  const as2 = asn > 0xffff ? 23456 : asn;
  return message(1, [4, as2 >> 8, as2 & 255, hold >> 8, hold & 255, ...ipv4Bytes(routerId), params.length, ...params]);
}

/**
 * The benchmark's routes as UPDATEs: `routes` /24s from 11.0.0.0, ORIGIN IGP, AS_PATH
 * [65001], NEXT_HOP `nextHop`, COMMUNITIES 65001:100, LARGE_COMMUNITY 65001:0:1 (what the BIRD
 * sender sends), `perUpdate` prefixes per UPDATE, then an IPv4 End-of-RIB.
 */
export function benchUpdates(routes: number, nextHop: string, perUpdate = 256): Buffer {
  const [c1, c2] = COMMUNITY.split(':').map(Number) as [number, number];
  const [g, l1, l2] = LARGE_COMMUNITY.split(':').map(Number) as [number, number, number];
  const nh = ipv4Bytes(nextHop);
  const attributes = {
    origin: 0 as const,
    asPath: [{ type: 2 as const, asns: [SENDER_ASN] }],
    nextHop: ((nh[0]! << 24) | (nh[1]! << 16) | (nh[2]! << 8) | nh[3]!) >>> 0,
    communities: [((c1 << 16) | c2) >>> 0],
    largeCommunities: [{ globalAdmin: g, localData1: l1, localData2: l2 }],
  };
  const frames: Uint8Array[] = [];
  for (let i = 0; i < routes; i += perUpdate) {
    const nlri: Prefix[] = [];
    for (let j = i; j < Math.min(routes, i + perUpdate); j++) nlri.push(v4Prefix(prefixAddr(j), 24));
    frames.push(...packUpdates({ withdrawn: [], announce: { attributes, nlri } }, CONTEXT_4OCTET));
  }
  frames.push(message(2, [0, 0, 0, 0])); // End-of-RIB
  return Buffer.concat(frames);
}

/** A sink or a blaster (see the module comment); listens, or connects with connect(). */
export class LiteSpeaker {
  private server?: Server;
  private readonly sockets: Socket[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  readonly sessions: SessionResult[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly o: LiteOptions) {}

  async listen(): Promise<void> {
    this.server = createServer((s) => {
      if (this.sockets.length >= (this.o.maxSessions ?? 1)) {
        s.destroy();
        return;
      }
      this.session(s);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.o.port ?? 179, this.o.address, () => resolve());
    });
  }

  /** Opens the session ourselves (the blaster towards the sink). */
  connect(remote: string, port = 179): void {
    const s = createConnection({ host: remote, port, localAddress: this.o.address });
    this.session(s);
  }

  /** Resolves once `n` sessions are done (sink: target reached; blaster: everything written). */
  async done(n = 1): Promise<SessionResult[]> {
    while (this.sessions.filter((s) => s.doneAt !== undefined).length < n)
      await new Promise<void>((r) => this.waiters.push(r));
    return this.sessions;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private session(s: Socket): void {
    this.sockets.push(s);
    s.setNoDelay(true);
    const r: SessionResult = { peer: '', establishedAt: 0, prefixes: 0, updates: 0, bytes: 0 };
    let buf: Buffer = Buffer.alloc(0);
    let gotOpen = false;
    const start = () => {
      r.peer = s.remoteAddress ?? '';
      this.sessions.push(r);
      s.write(openMessage(this.o.asn, this.o.routerId, 180));
    };
    if (s.connecting) s.once('connect', start);
    else start();
    s.on('error', () => {});
    s.on('data', (chunk: Buffer) => {
      r.bytes += chunk.length;
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      while (buf.length - off >= 19) {
        const len = buf.readUInt16BE(off + 16);
        if (len < 19 || buf.length - off < len) break;
        const type = buf[off + 18]!;
        if (type === 1 && !gotOpen) {
          gotOpen = true;
          s.write(message(4, []));
        } else if (type === 4 && gotOpen && r.establishedAt === 0) {
          r.establishedAt = now();
          const t = setInterval(() => s.write(message(4, [])), 30_000);
          t.unref();
          this.timers.push(t);
          if (this.o.updates) {
            s.write(this.o.updates, () => {
              r.doneAt = now();
              r.prefixes = this.o.target ?? 0;
              this.wake();
            });
          }
        } else if (type === 2 && !this.o.updates) this.update(r, buf, off + 19, off + len);
        off += len;
      }
      buf = off === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
    });
  }

  private update(r: SessionResult, b: Buffer, start: number, end: number): void {
    r.updates++;
    const wlen = b.readUInt16BE(start);
    const alen = b.readUInt16BE(start + 2 + wlen);
    let p = start + 4 + wlen + alen;
    if (wlen === 0 && alen === 0 && p === end) {
      r.endOfRibAt ??= now();
      return;
    }
    let n = 0;
    while (p < end) {
      p += 1 + ((b[p]! + 7) >> 3);
      n++;
    }
    r.prefixes += n;
    if (r.doneAt === undefined && this.o.target !== undefined && r.prefixes >= this.o.target) {
      r.doneAt = now();
      this.wake();
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }
}
