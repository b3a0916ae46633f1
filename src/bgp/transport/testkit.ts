/**
 * @module bgp/transport/testkit
 * Real-socket stand-ins for transport tests and benchmarks (the lab never uses them):
 *
 * - `blackHole`: an address and port that answer no SYN, as a firewalled or overloaded NVA
 *   does — a listening socket whose accept queue is full (Linux then drops SYNs: the
 *   connecting side stays in SYN_SENT and retries), held by a small python3 process;
 * - `RawPeer`: a BGP speaker on a plain socket that the test drives: it opens the session,
 *   keeps sending KEEPALIVEs on a timer, sends the UPDATEs it is given and keeps the routes it
 *   is sent — and it can stop reading, or read slowly, which no real daemon lets a test do.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import {
  CONTEXT_4OCTET,
  decodeMessage,
  encodeMessage,
  formatPrefix,
  type NotificationMessage,
  type PathAttributes,
} from '../wire/index.js';
import type { Endpoint } from './peer.js';
import { MessageReader } from './reader.js';

// ---------------------------------------------------------------------------------------------

const BLACK_HOLE_PY = `
import socket, sys, time, select
addr, port, life = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(0)
# listen(0) queues one connection; this one fills the queue, and it is never accepted.
f = socket.create_connection((addr, port))
print("ready", flush=True)
select.select([sys.stdin], [], [], life)
`;

export interface BlackHole {
  readonly pid: number;
  close(): void;
}

/**
 * Holds `address:port` so that connections to it never complete. Checked before it is
 * returned: a connection attempt must still be pending after 300 ms. Ends with close(), when
 * this process exits (its stdin closes), or after `maxSeconds`.
 */
export async function blackHole(address: string, port: number, maxSeconds = 120): Promise<BlackHole> {
  const child = spawn('python3', ['-c', BLACK_HOLE_PY, address, String(port), String(maxSeconds)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid ?? 0;
  const close = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`black hole on ${address}:${port} exited (${code}): ${stderr}`)));
  });
  const answered = await new Promise<boolean>((resolve) => {
    const s = net.connect({ host: address, port });
    s.on('error', () => resolve(true));
    s.once('connect', () => resolve(true));
    setTimeout(() => resolve(false), 300);
    setTimeout(() => s.destroy(), 300);
  });
  if (answered) {
    close();
    throw new Error(`black hole on ${address}:${port}: a connection attempt was answered`);
  }
  return { pid, close };
}

// ---------------------------------------------------------------------------------------------

export interface RawPeerOptions {
  readonly remote: Endpoint;
  readonly localAddress: string;
  readonly asn: number;
  /** BGP Identifier, uint32. */
  readonly routerId: number;
  /** Hold time offered, seconds (default 90); KEEPALIVEs every third of it. */
  readonly holdTime?: number;
  /** Bound on the handshake, ms (default 10,000). */
  readonly timeoutMs?: number;
}

/** A BGP speaker on a plain socket (module comment). Open with RawPeer.open(). */
export class RawPeer {
  /** What the other side advertises to us now: prefix ("10.1.0.0/24") → attributes. */
  readonly routes = new Map<string, PathAttributes>();
  readonly notifications: NotificationMessage[] = [];
  bytesReceived = 0;
  updatesReceived = 0;
  /** Resolves when the TCP connection is gone. */
  readonly closed: Promise<void>;
  private readonly reader = new MessageReader();
  private keepalive?: NodeJS.Timeout;
  private throttle?: { rate: number; used: number; timer?: NodeJS.Timeout };
  private onKeepalive?: () => void;

  private constructor(
    readonly socket: net.Socket,
    readonly options: RawPeerOptions,
  ) {
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => this.onData(c));
    this.closed.then(() => clearInterval(this.keepalive));
  }

  /** Connects, exchanges OPEN and KEEPALIVE; resolves once Established. */
  static async open(o: RawPeerOptions): Promise<RawPeer> {
    const socket = net.connect({ host: o.remote.address, port: o.remote.port, localAddress: o.localAddress });
    socket.setNoDelay(true);
    const p = new RawPeer(socket, o);
    const hold = o.holdTime ?? 90;
    const up = new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`${o.localAddress}: no session within the bound`)),
        o.timeoutMs ?? 10_000,
      );
      p.onKeepalive = () => {
        clearTimeout(t);
        resolve();
      };
      p.closed.then(() => {
        clearTimeout(t);
        reject(new Error(`${o.localAddress}: connection closed during the handshake`));
      });
    });
    socket.once('connect', () => {
      socket.write(
        encodeMessage(
          {
            type: 'OPEN',
            version: 4,
            myAs: o.asn > 0xffff ? 23456 : o.asn,
            holdTime: hold,
            bgpId: o.routerId,
            capabilities: [
              { kind: 'multiprotocol', afi: 1, safi: 1 },
              { kind: 'route-refresh' },
              { kind: 'four-octet-as', asn: o.asn },
            ],
            otherParameters: [],
          },
          CONTEXT_4OCTET,
        ),
      );
    });
    await up;
    p.onKeepalive = undefined;
    if (hold > 0) {
      p.keepalive = setInterval(() => p.write(encodeMessage({ type: 'KEEPALIVE' }, CONTEXT_4OCTET)), (hold * 1000) / 3);
      p.keepalive.unref();
    }
    return p;
  }

  private onData(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    for (const f of this.reader.push(chunk)) {
      if (!f.ok) continue;
      const d = decodeMessage(f.bytes, CONTEXT_4OCTET);
      if (!d.ok) continue;
      const m = d.value;
      if (m.type === 'OPEN') this.write(encodeMessage({ type: 'KEEPALIVE' }, CONTEXT_4OCTET));
      else if (m.type === 'KEEPALIVE') this.onKeepalive?.();
      else if (m.type === 'NOTIFICATION') this.notifications.push(m);
      else if (m.type === 'UPDATE') {
        this.updatesReceived++;
        for (const p of m.withdrawn) this.routes.delete(formatPrefix(p));
        for (const p of m.nlri) this.routes.set(formatPrefix(p), m.attributes);
      }
    }
    const t = this.throttle;
    if (t) {
      // Pause for as long as reading these bytes takes at the set rate (a chunk can be 64 KiB).
      t.used += chunk.length;
      if (t.used >= t.rate / 10 && !t.timer) {
        this.socket.pause();
        t.timer = setTimeout(
          () => {
            t.timer = undefined;
            t.used = 0;
            if (this.throttle === t) this.socket.resume();
          },
          (t.used / t.rate) * 1000,
        );
      }
    }
  }

  /** Writes bytes; resolves when the kernel has taken them. */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Sends frames in order; resolves when the kernel has taken the last one. */
  async send(frames: readonly Uint8Array[]): Promise<void> {
    if (frames.length === 0) return;
    this.socket.cork();
    for (let i = 0; i < frames.length - 1; i++) this.socket.write(frames[i]!);
    const last = this.write(frames[frames.length - 1]!);
    this.socket.uncork();
    await last;
  }

  /** Stops reading: the kernel's receive buffer fills and the sender's window closes. KEEPALIVEs go on. */
  stopReading(): void {
    this.throttle = undefined;
    this.socket.pause();
  }

  /** Reads at full speed again. */
  readAgain(): void {
    if (this.throttle?.timer) clearTimeout(this.throttle.timer);
    this.throttle = undefined;
    this.socket.resume();
  }

  /** Reads about `bytesPerSecond` on average (pausing after each tenth of it). */
  readSlowly(bytesPerSecond: number): void {
    if (this.throttle?.timer) clearTimeout(this.throttle.timer);
    this.throttle = { rate: Math.max(1, bytesPerSecond), used: 0 };
    this.socket.resume();
  }

  close(): void {
    clearInterval(this.keepalive);
    if (this.throttle?.timer) clearTimeout(this.throttle.timer);
    this.socket.destroy();
  }
}
