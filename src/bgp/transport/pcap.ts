/**
 * @module bgp/transport/pcap
 * Records one BGP session to a pcap file by synthesising the packets from the byte streams
 * the speaker writes to and reads from its TCP socket (see docs/adr/0003-pcap-from-streams.md).
 *
 * File format: classic libpcap, nanosecond variant (magic 0xa1b23c4d, written little-endian,
 * version 2.4, snaplen 262144), link type LINKTYPE_RAW (101): every record is a bare IPv4 or
 * IPv6 packet, no link-layer header and so no invented MAC addresses. Wireshark/tshark pick
 * IPv4 or IPv6 from the version nibble.
 *
 * Each connection looks like a clean, loss-free TCP connection:
 *  - at construction: SYN (initiator), SYN/ACK (responder), ACK (initiator), with MSS,
 *    window scale (shift 7) and SACK-permitted options on the SYNs;
 *  - `sent(bytes)` / `received(bytes)`: the bytes as PSH/ACK data segments of at most
 *    65495 bytes (a larger write is split), each followed by a pure ACK from the peer;
 *  - `close(by)`: FIN/ACK from `by`, FIN/ACK from the other side, final ACK;
 *  - `abort(by)`: a RST from `by` (Wireshark flags RST as a warning, as it would on the wire).
 * Sequence/acknowledgement numbers, IPv4 header checksums and TCP checksums are correct;
 * the advertised window is constant (2048 << 7 = 256 KiB).
 *
 * Ports: by default the *listening* endpoint (the side that did not initiate) is written with
 * the BGP well-known port 179, whatever port the lab really listens on (e.g. 1179 when not
 * root), so that Wireshark decodes BGP with no "decode as". This is what the connection looks
 * like in Azure, where every speaker listens on 179. The initiator keeps its (ephemeral) port.
 * Pass `wellKnownPort: false` to write the ports exactly as given.
 *
 * Cost to the session: each call builds the packets into a shared slab buffer (one copy of
 * the payload plus a checksum pass over it) and returns; slabs are appended to the file by an
 * fs WriteStream on the next turn of the event loop. Measured: ~0.7 µs per KEEPALIVE or small
 * UPDATE, ~4.4 µs per 4 KiB UPDATE (data segment and its ACK included). Once constructed,
 * nothing here throws into the caller: an I/O error is reported once through `onError` and
 * recording stops.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';

export interface PcapEndpoint {
  readonly address: string;
  readonly port: number;
}

export type Side = 'local' | 'remote';

export interface PcapRecorderOptions {
  /** Path of the pcap file; created or truncated. */
  readonly file: string;
  /** Our end of the connection, as it should appear in the capture (the emulated address). */
  readonly local: PcapEndpoint;
  /** The peer's end. Same address family as `local`. */
  readonly remote: PcapEndpoint;
  /** The side that opened the TCP connection (sent the SYN). */
  readonly initiator: Side;
  /** Nanoseconds since the Unix epoch. Default: wall clock at load + process.hrtime delta. */
  readonly clock?: () => bigint;
  /** Port written for the listening (non-initiator) endpoint; default 179; false keeps ports as given. */
  readonly wellKnownPort?: number | false;
  /** Initial sequence numbers; default random. For tests (e.g. sequence wrap-around). */
  readonly isn?: { readonly local: number; readonly remote: number };
  /** Called once, on the first I/O error (or when the writer falls too far behind); recording stops. */
  readonly onError?: (err: Error) => void;
  /** Bytes the file stream may hold unwritten before packets are dropped; default 64 MiB. */
  readonly maxBufferedBytes?: number;
}

/** What a session needs from a recorder; `createPcapRecorder(undefined)` gives a no-op one. */
export interface SessionRecorder {
  /** Bytes written by the local side to the socket. */
  sent(bytes: Uint8Array): void;
  /** Bytes read from the socket (written by the remote side). */
  received(bytes: Uint8Array): void;
  /** Orderly close started by `by`: FIN exchange. Later data is ignored. Idempotent. */
  close(by: Side): void;
  /** Connection reset by `by` (socket destroyed). Later data is ignored. Idempotent. */
  abort(by: Side): void;
  /** Resolves once everything recorded so far is in the file (or recording failed). Never rejects. */
  flush(): Promise<void>;
  /** Flushes and closes the file. Does not add a FIN: call `close` first for a clean teardown. Never rejects. */
  end(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Constants

const PCAP_MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_RAW = 101;
const SNAPLEN = 262144;
/** Largest TCP payload per segment: 65535 (IPv4 total length) - 20 (IPv4) - 20 (TCP). */
export const MAX_SEGMENT_PAYLOAD = 65495;
const WINDOW_SHIFT = 7;
const WINDOW_FIELD = 2048; // scaled: 256 KiB, far above one segment, so never "window full"
const SYN_WINDOW = 65535; // unscaled in SYN and SYN/ACK (RFC 7323 §2.2)
const TTL = 64;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

/** MSS 65495, NOP, window scale 7, NOP, NOP, SACK permitted: 12 bytes. */
const SYN_OPTIONS = Uint8Array.of(
  2,
  4,
  MAX_SEGMENT_PAYLOAD >> 8,
  MAX_SEGMENT_PAYLOAD & 0xff, // MSS
  1,
  3,
  3,
  WINDOW_SHIFT, // NOP, window scale
  1,
  1,
  4,
  2, // NOP, NOP, SACK permitted
);
const NO_OPTIONS = new Uint8Array(0);
const EMPTY = new Uint8Array(0);

const SLAB_SIZE = 256 * 1024;

// ---------------------------------------------------------------------------
// Clock

const wallBaseNs = BigInt(Date.now()) * 1_000_000n;
const hrBaseNs = process.hrtime.bigint();
/** Wall-clock nanoseconds with hrtime resolution (monotonic within the process). */
export function wallClockNs(): bigint {
  return wallBaseNs + (process.hrtime.bigint() - hrBaseNs);
}

// ---------------------------------------------------------------------------
// Addresses

/** Parses an IPv4 or IPv6 literal (zone id ignored) into 4 or 16 bytes. Throws TypeError if neither. */
export function parseIpAddress(text: string): Uint8Array {
  const address = text.replace(/%.*$/, '');
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new TypeError(`pcap: not an IPv4 or IPv6 address: ${text}`);
  const out = new Uint8Array(16);
  let head = address;
  let tail = '';
  const gap = address.indexOf('::');
  if (gap >= 0) {
    head = address.slice(0, gap);
    tail = address.slice(gap + 2);
  }
  const words = (part: string): number[] => {
    if (part === '') return [];
    const result: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = group.split('.').map(Number);
        result.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        result.push(parseInt(group, 16));
      }
    }
    return result;
  };
  const h = words(head);
  const t = words(tail);
  h.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  t.forEach((w, i) => {
    const j = 8 - t.length + i;
    out[2 * j] = w >> 8;
    out[2 * j + 1] = w & 0xff;
  });
  return out;
}

// ---------------------------------------------------------------------------
// Checksums

/** Adds big-endian 16-bit words of `buf[start, end)` to `sum` (odd length padded with zero). */
function sumWords(buf: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  const even = end - ((end - start) & 1);
  // Keep `sum` below 2^53: fold every 64 Ki words.
  while (i < even) {
    const stop = Math.min(even, i + 131072);
    for (; i < stop; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
    sum = (sum & 0xffff) + Math.floor(sum / 65536);
  }
  if (even < end) sum += buf[even]! << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------------------
// Recorder

interface Direction {
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Pseudo-header sum without the TCP length. */
  readonly pseudoSum: number;
  nextSeq: number;
  ipId: number;
}

export class PcapRecorder implements SessionRecorder {
  /** The endpoints as written to the capture (after the well-known port substitution). */
  readonly endpoints: { readonly local: PcapEndpoint; readonly remote: PcapEndpoint };
  /** Packets recorded (including handshake and ACKs). */
  packets = 0;
  /** The first I/O error, once recording has failed. */
  error: Error | undefined;

  private readonly file: string;
  private readonly ipv6: boolean;
  private readonly clock: () => bigint;
  private readonly onError: (err: Error) => void;
  private readonly maxBuffered: number;
  private readonly out: Direction; // local -> remote
  private readonly back: Direction; // remote -> local
  private stream: WriteStream | undefined;
  private lastTs = 0n;
  /** The current timestamp, split once per call rather than per packet. */
  private tsSec = 0;
  private tsNsec = 0;
  private state: 'open' | 'closed' = 'open';
  private slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  private used = 0;
  private scheduled = false;
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(options: PcapRecorderOptions) {
    const localAddr = parseIpAddress(options.local.address);
    const remoteAddr = parseIpAddress(options.remote.address);
    if (localAddr.length !== remoteAddr.length) {
      throw new TypeError(`pcap: address families differ: ${options.local.address} / ${options.remote.address}`);
    }
    for (const e of [options.local, options.remote]) {
      if (!Number.isInteger(e.port) || e.port < 0 || e.port > 65535) throw new TypeError(`pcap: bad port ${e.port}`);
    }
    this.file = options.file;
    this.ipv6 = localAddr.length === 16;
    this.clock = options.clock ?? wallClockNs;
    this.onError =
      options.onError ?? ((err) => console.warn(`pcap: recording to ${this.file} stopped: ${err.message}`));
    this.maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;

    const wellKnown = options.wellKnownPort ?? 179;
    let localPort = options.local.port;
    let remotePort = options.remote.port;
    if (wellKnown !== false) {
      if (options.initiator === 'local') remotePort = wellKnown;
      else localPort = wellKnown;
    }
    this.endpoints = {
      local: { address: options.local.address, port: localPort },
      remote: { address: options.remote.address, port: remotePort },
    };

    const isnLocal = (options.isn?.local ?? randomInt(0, 2 ** 32)) >>> 0;
    const isnRemote = (options.isn?.remote ?? randomInt(0, 2 ** 32)) >>> 0;
    this.out = this.direction(localAddr, remoteAddr, localPort, remotePort, isnLocal);
    this.back = this.direction(remoteAddr, localAddr, remotePort, localPort, isnRemote);

    try {
      this.stream = createWriteStream(this.file, { flags: 'w' });
      this.stream.on('error', (err) => this.fail(err));
    } catch (err) {
      this.fail(err);
    }

    // Global header (little-endian).
    const at = this.reserve(24);
    if (at >= 0) {
      const buf = this.slab;
      buf.writeUInt32LE(PCAP_MAGIC_NS, at);
      buf.writeUInt16LE(2, at + 4);
      buf.writeUInt16LE(4, at + 6);
      buf.writeInt32LE(0, at + 8); // thiszone
      buf.writeUInt32LE(0, at + 12); // sigfigs
      buf.writeUInt32LE(SNAPLEN, at + 16);
      buf.writeUInt32LE(LINKTYPE_RAW, at + 20);
    }

    // Three-way handshake.
    const [i, r] = options.initiator === 'local' ? [this.out, this.back] : [this.back, this.out];
    this.tick();
    this.packet(i, SYN, i.nextSeq, 0, SYN_WINDOW, SYN_OPTIONS, EMPTY, 0, 0);
    i.nextSeq = (i.nextSeq + 1) >>> 0;
    this.packet(r, SYN | ACK, r.nextSeq, i.nextSeq, SYN_WINDOW, SYN_OPTIONS, EMPTY, 0, 0);
    r.nextSeq = (r.nextSeq + 1) >>> 0;
    this.packet(i, ACK, i.nextSeq, r.nextSeq, WINDOW_FIELD, NO_OPTIONS, EMPTY, 0, 0);
  }

  sent(bytes: Uint8Array): void {
    this.data(this.out, this.back, bytes);
  }

  received(bytes: Uint8Array): void {
    this.data(this.back, this.out, bytes);
  }

  close(by: Side): void {
    if (this.state !== 'open') return;
    this.state = 'closed';
    const [c, o] = by === 'local' ? [this.out, this.back] : [this.back, this.out];
    this.tick();
    this.packet(c, FIN | ACK, c.nextSeq, o.nextSeq, WINDOW_FIELD, NO_OPTIONS, EMPTY, 0, 0);
    c.nextSeq = (c.nextSeq + 1) >>> 0;
    this.packet(o, FIN | ACK, o.nextSeq, c.nextSeq, WINDOW_FIELD, NO_OPTIONS, EMPTY, 0, 0);
    o.nextSeq = (o.nextSeq + 1) >>> 0;
    this.packet(c, ACK, c.nextSeq, o.nextSeq, WINDOW_FIELD, NO_OPTIONS, EMPTY, 0, 0);
  }

  abort(by: Side): void {
    if (this.state !== 'open') return;
    this.state = 'closed';
    const [c, o] = by === 'local' ? [this.out, this.back] : [this.back, this.out];
    this.tick();
    this.packet(c, RST | ACK, c.nextSeq, o.nextSeq, 0, NO_OPTIONS, EMPTY, 0, 0);
  }

  flush(): Promise<void> {
    this.handOff();
    return this.lastWrite;
  }

  async end(): Promise<void> {
    this.handOff();
    const stream = this.stream;
    this.stream = undefined;
    this.state = 'closed';
    if (!stream) return this.lastWrite;
    await this.lastWrite;
    if (!stream.destroyed) stream.end();
    await finished(stream).catch(() => undefined);
  }

  // -------------------------------------------------------------------------

  private direction(src: Uint8Array, dst: Uint8Array, srcPort: number, dstPort: number, isn: number): Direction {
    let pseudoSum = sumWords(src, 0, src.length, 0);
    pseudoSum = sumWords(dst, 0, dst.length, pseudoSum);
    pseudoSum += 6; // protocol TCP (IPv6: next header, in the low byte of a 32-bit word)
    return { src, dst, srcPort, dstPort, pseudoSum, nextSeq: isn, ipId: randomInt(0, 65536) };
  }

  /** Reads the clock (never going back) into tsSec/tsNsec. */
  private tick(): void {
    const ts = this.clock();
    if (ts <= this.lastTs) return;
    this.lastTs = ts;
    this.tsSec = Number(ts / 1_000_000_000n);
    this.tsNsec = Number(ts % 1_000_000_000n);
  }

  private data(from: Direction, to: Direction, bytes: Uint8Array): void {
    if (this.state !== 'open' || bytes.length === 0 || !this.stream) return;
    this.tick();
    for (let off = 0; off < bytes.length; off += MAX_SEGMENT_PAYLOAD) {
      const end = Math.min(bytes.length, off + MAX_SEGMENT_PAYLOAD);
      const flags = end === bytes.length ? PSH | ACK : ACK;
      this.packet(from, flags, from.nextSeq, to.nextSeq, WINDOW_FIELD, NO_OPTIONS, bytes, off, end);
      from.nextSeq = (from.nextSeq + (end - off)) >>> 0;
      this.packet(to, ACK, to.nextSeq, from.nextSeq, WINDOW_FIELD, NO_OPTIONS, EMPTY, 0, 0);
    }
  }

  /** Writes one pcap record (record header, IP header, TCP header, payload) into the slab. */
  private packet(
    d: Direction,
    flags: number,
    seq: number,
    ack: number,
    window: number,
    options: Uint8Array,
    payload: Uint8Array,
    start: number,
    end: number,
  ): void {
    const ipLen = this.ipv6 ? 40 : 20;
    const tcpLen = 20 + options.length;
    const dataLen = end - start;
    const pktLen = ipLen + tcpLen + dataLen;
    let p = this.reserve(16 + pktLen);
    if (p < 0) return;
    const buf = this.slab;
    this.packets++;

    // pcap record header (nanosecond timestamps).
    buf.writeUInt32LE(this.tsSec, p);
    buf.writeUInt32LE(this.tsNsec, p + 4);
    buf.writeUInt32LE(pktLen, p + 8);
    buf.writeUInt32LE(pktLen, p + 12);
    p += 16;

    // IP header.
    if (this.ipv6) {
      buf.writeUInt32BE(0x60000000, p); // version 6, traffic class 0, flow label 0
      buf.writeUInt16BE(tcpLen + dataLen, p + 4); // payload length
      buf[p + 6] = 6; // next header: TCP
      buf[p + 7] = TTL; // hop limit
      buf.set(d.src, p + 8);
      buf.set(d.dst, p + 24);
    } else {
      buf[p] = 0x45; // version 4, IHL 5
      buf[p + 1] = 0; // DSCP/ECN
      buf.writeUInt16BE(pktLen, p + 2);
      buf.writeUInt16BE(d.ipId, p + 4);
      d.ipId = (d.ipId + 1) & 0xffff;
      buf.writeUInt16BE(0x4000, p + 6); // DF, fragment offset 0
      buf[p + 8] = TTL;
      buf[p + 9] = 6; // protocol: TCP
      buf.writeUInt16BE(0, p + 10);
      buf.set(d.src, p + 12);
      buf.set(d.dst, p + 16);
      buf.writeUInt16BE(fold(sumWords(buf, p, p + 20, 0)), p + 10);
    }
    p += ipLen;

    // TCP header.
    const tcp = p;
    buf.writeUInt16BE(d.srcPort, p);
    buf.writeUInt16BE(d.dstPort, p + 2);
    buf.writeUInt32BE(seq >>> 0, p + 4);
    buf.writeUInt32BE(flags & ACK ? ack >>> 0 : 0, p + 8);
    buf[p + 12] = (tcpLen / 4) << 4;
    buf[p + 13] = flags;
    buf.writeUInt16BE(window, p + 14);
    buf.writeUInt16BE(0, p + 16); // checksum, below
    buf.writeUInt16BE(0, p + 18); // urgent pointer
    buf.set(options, p + 20);
    p += tcpLen;
    if (dataLen > 0) buf.set(start === 0 && end === payload.length ? payload : payload.subarray(start, end), p);
    const sum = sumWords(buf, tcp, tcp + tcpLen + dataLen, d.pseudoSum + tcpLen + dataLen);
    buf.writeUInt16BE(fold(sum), tcp + 16);
  }

  /** Offset of room for `size` bytes in `this.slab`, or -1 when recording has stopped. */
  private reserve(size: number): number {
    const stream = this.stream;
    if (!stream || this.error) return -1;
    if (stream.writableLength > this.maxBuffered) {
      this.fail(new Error(`writer ${stream.writableLength} bytes behind; capture truncated`));
      return -1;
    }
    if (this.used + size > this.slab.length) {
      this.handOff();
      if (size > this.slab.length) this.slab = Buffer.allocUnsafe(size);
    }
    const at = this.used;
    this.used += size;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.handOff());
    }
    return at;
  }

  /** Passes the filled part of the slab to the file stream and starts a new slab. */
  private handOff(): void {
    this.scheduled = false;
    if (this.used === 0) return;
    const chunk = this.slab.subarray(0, this.used);
    const rest = this.slab.length - this.used;
    // Keep the unused tail as the next slab when it is still large; otherwise a fresh one.
    this.slab = rest >= 16 * 1024 ? this.slab.subarray(this.used) : Buffer.allocUnsafe(SLAB_SIZE);
    this.used = 0;
    const stream = this.stream;
    if (!stream || this.error || stream.destroyed) return;
    this.lastWrite = new Promise<void>((resolve) => {
      try {
        stream.write(chunk, (err) => {
          if (err) this.fail(err);
          resolve();
        });
      } catch (err) {
        this.fail(err);
        resolve();
      }
    });
  }

  private fail(err: unknown): void {
    if (this.error) return;
    this.error = err instanceof Error ? err : new Error(String(err));
    this.state = 'closed';
    try {
      this.onError(this.error);
    } catch {
      // The callback's own failure must not reach the session either.
    }
    const stream = this.stream;
    if (stream && !stream.destroyed) stream.destroy();
  }
}

const NULL_RECORDER: SessionRecorder = Object.freeze({
  sent: () => undefined,
  received: () => undefined,
  close: () => undefined,
  abort: () => undefined,
  flush: () => Promise.resolve(),
  end: () => Promise.resolve(),
});

/**
 * The recorder for a session: a `PcapRecorder` when `options` is given, otherwise a no-op
 * recorder, so session code calls `recorder.sent(...)` unconditionally.
 */
export function createPcapRecorder(options: PcapRecorderOptions): PcapRecorder;
export function createPcapRecorder(options: PcapRecorderOptions | undefined): SessionRecorder;
export function createPcapRecorder(options: PcapRecorderOptions | undefined): SessionRecorder {
  return options ? new PcapRecorder(options) : NULL_RECORDER;
}
