/**
 * A configured NVA played by hand over real TCP: the test writes the OPEN (with or without
 * the 4-octet AS capability) and every later message as octets, and reads back what the
 * route server sends, decoded with the session's codec context. For what no daemon can be
 * made to send (malformed or boundary UPDATEs) or to be (a 2-octet-AS-only peer).
 */
import * as net from 'node:net';
import {
  CONTEXT_2OCTET,
  CONTEXT_4OCTET,
  decodeMessage,
  encodeMessage,
  MessageReader,
  type Capability,
  type ReceivedMessage,
} from '../../src/bgp/index.js';

export interface RawPeerOptions {
  /** The route-server instance's real (127.x) address and its BGP port. */
  readonly remote: string;
  readonly port: number;
  /** Our real (127.x) address: the configured peer IP, mapped. */
  readonly local: string;
  readonly asn: number;
  readonly bgpId: number;
  /** Offer the 4-octet AS capability (RFC 6793); without it the session is 2-octet. */
  readonly fourOctetAs?: boolean;
  readonly holdTime?: number;
  /** Capabilities besides multiprotocol IPv4 unicast and (when asked) 4-octet AS. */
  readonly capabilities?: readonly Capability[];
}

export class RawPeer {
  /** Every message received, in order (decode errors kept as strings). */
  readonly received: (ReceivedMessage | string)[] = [];
  readonly closed: Promise<void>;
  private readonly reader = new MessageReader();
  private keepalive?: NodeJS.Timeout;
  private isClosed = false;

  private constructor(
    readonly socket: net.Socket,
    readonly options: RawPeerOptions,
  ) {
    const ctx = options.fourOctetAs === false ? CONTEXT_2OCTET : CONTEXT_4OCTET;
    socket.on('data', (c: Buffer) => {
      for (const f of this.reader.push(c)) {
        if (!f.ok) this.received.push(`framing error ${f.error.code}/${f.error.subcode}`);
        else {
          const d = decodeMessage(f.bytes, ctx);
          this.received.push(d.ok ? d.value : `decode error ${d.error.code}/${d.error.subcode}: ${d.error.message}`);
        }
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((r) =>
      socket.on('close', () => {
        this.isClosed = true;
        if (this.keepalive) clearInterval(this.keepalive);
        r();
      }),
    );
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Connects and sends OPEN + KEEPALIVE; resolves once the route server's KEEPALIVE came back (Established). */
  static async open(o: RawPeerOptions, timeoutMs = 20_000): Promise<RawPeer> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      const p = new RawPeer(net.connect({ host: o.remote, port: o.port, localAddress: o.local }), o);
      const connected = await new Promise<boolean>((r) =>
        p.socket.once('connect', () => r(true)).once('error', () => r(false)),
      );
      if (connected) {
        p.send(
          encodeMessage(
            {
              type: 'OPEN',
              version: 4,
              myAs: o.asn <= 0xffff ? o.asn : 23456,
              holdTime: o.holdTime ?? 90,
              bgpId: o.bgpId,
              capabilities: [
                { kind: 'multiprotocol', afi: 1, safi: 1 },
                ...(o.fourOctetAs === false ? [] : [{ kind: 'four-octet-as' as const, asn: o.asn }]),
                ...(o.capabilities ?? []),
              ],
              otherParameters: [],
            },
            CONTEXT_4OCTET,
          ),
        );
        p.send(encodeMessage({ type: 'KEEPALIVE' }, CONTEXT_4OCTET));
        const stop = Date.now() + 3000;
        while (
          Date.now() < stop &&
          p.isOpen &&
          !p.received.some((m) => typeof m !== 'string' && m.type === 'KEEPALIVE')
        )
          await new Promise((r) => setTimeout(r, 20));
        if (p.isOpen && p.received.some((m) => typeof m !== 'string' && m.type === 'KEEPALIVE')) {
          p.keepalive = setInterval(() => p.send(encodeMessage({ type: 'KEEPALIVE' }, CONTEXT_4OCTET)), 10_000);
          p.keepalive.unref();
          return p;
        }
        last = p.received.map((m) => (typeof m === 'string' ? m : m.type)).join(', ');
      }
      p.destroy();
      // The route server refuses connections while it holds off after a failed session (Idle).
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`raw peer ${o.local} never Established with ${o.remote} (last: ${last || 'no answer'})`);
  }

  send(bytes: Uint8Array): void {
    if (this.isOpen) this.socket.write(bytes);
  }

  /** The NOTIFICATIONs received, as "code/subcode". */
  notifications(): string[] {
    return this.received.flatMap((m) =>
      typeof m !== 'string' && m.type === 'NOTIFICATION' ? [`${m.code}/${m.subcode}`] : [],
    );
  }

  destroy(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.socket.destroy();
  }
}
