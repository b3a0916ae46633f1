/**
 * @module bgp/transport/listener
 * A TCP listener for one local address and port that hands each connection to the peer
 * configured for its source address. A connection from any other address is refused
 * with a NOTIFICATION Cease / Connection Rejected (RFC 4486 §4) and logged — Azure Route
 * Server accepts only its configured peer IPs (R-ARS-3).
 */
import * as net from 'node:net';
import { silentLogger, type Logger } from '../log.js';
import { CeaseSubcode, CONTEXT_4OCTET, ErrorCode, encodeMessage } from '../wire/index.js';
import type { BgpPeer } from './peer.js';

export interface RefusedConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly at: Date;
}

/** "::ffff:127.0.0.1" → "127.0.0.1" (dual-stack sockets). */
export function normalizeAddress(a: string | undefined): string {
  if (!a) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class BgpListener {
  private server?: net.Server;
  private readonly peers = new Map<string, BgpPeer>();
  readonly refused: RefusedConnection[] = [];
  private readonly logger: Logger;

  /** Called for every refused connection (the lab puts it on its timeline). */
  onRefused?: (r: RefusedConnection) => void;

  constructor(
    readonly address: string,
    readonly port: number,
    options: { logger?: Logger; name?: string } = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.name = options.name ?? `${address}:${port}`;
  }
  readonly name: string;

  register(remoteAddress: string, peer: BgpPeer): void {
    this.peers.set(normalizeAddress(remoteAddress), peer);
  }

  unregister(remoteAddress: string): void {
    this.peers.delete(normalizeAddress(remoteAddress));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      server.once('error', reject);
      server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.logger.log('error', `${this.name}: listener error: ${err.message}`));
        this.server = server;
        resolve();
      });
    });
  }

  /** Takes a connection accepted elsewhere (e.g. inside a network namespace, passed over IPC). */
  accept(socket: net.Socket, remoteAddress = normalizeAddress(socket.remoteAddress)): void {
    const peer = this.peers.get(remoteAddress);
    if (!peer) {
      const remotePort = socket.remotePort ?? 0;
      const r: RefusedConnection = { remoteAddress, remotePort, at: new Date() };
      this.refused.push(r);
      if (this.refused.length > 100) this.refused.shift();
      this.onRefused?.(r);
      this.logger.log('warn', `${this.name}: connection from unconfigured address ${remoteAddress} refused`, {
        remoteAddress,
        remotePort,
      });
      socket.on('error', () => {});
      socket.end(
        encodeMessage(
          {
            type: 'NOTIFICATION',
            code: ErrorCode.Cease,
            subcode: CeaseSubcode.ConnectionRejected,
            data: new Uint8Array(0),
          },
          CONTEXT_4OCTET,
        ),
      );
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    peer.acceptIncoming(socket);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server = undefined;
    });
  }
}
