/**
 * @module bgp/transport/reader
 * Cuts a TCP byte stream into BGP messages (RFC 4271 §4.1). Only the header is checked
 * here; bodies are decoded by the codec.
 */
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, readHeader, type BgpWireError } from '../wire/index.js';

export type Frame = { ok: true; bytes: Uint8Array; type: number } | { ok: false; error: BgpWireError };

export class MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  /** Appends bytes and returns every complete message now available. After a header error, nothing more. */
  push(chunk: Buffer): Frame[] {
    if (this.failed) return [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    const buf = this.buf;
    let off = 0;
    // Frames are plain Uint8Array views of the chunk (Buffer.subarray costs several times more).
    const view = (from: number, to: number): Uint8Array => new Uint8Array(buf.buffer, buf.byteOffset + from, to - from);
    while (this.buf.length - off >= HEADER_LENGTH) {
      // RFC 7313 §5: a ROUTE-REFRESH of the wrong length is judged on its subtype, which
      // follows the header; such a message is read whole before the header is judged.
      const claimed = (this.buf[off + 16]! << 8) | this.buf[off + 17]!;
      const whole =
        this.buf[off + 18] === MessageType.ROUTE_REFRESH && claimed > HEADER_LENGTH && claimed <= MAX_MESSAGE_LENGTH;
      if (whole && this.buf.length - off < claimed) break;
      const h = readHeader(view(off, off + (whole ? claimed : HEADER_LENGTH)));
      if (!h.ok) {
        this.failed = true;
        out.push({ ok: false, error: h.error });
        this.buf = Buffer.alloc(0);
        return out;
      }
      const len = h.value.length;
      if (this.buf.length - off < len) break;
      out.push({ ok: true, bytes: view(off, off + len), type: h.value.type });
      off += len;
    }
    // Keep only the partial tail; copy so the big chunk can be freed.
    this.buf = off === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    return out;
  }
}
