/**
 * @module bgp/wire/testkit
 * Helpers for the codec's tests: building byte vectors field by field, finding the
 * repository, and comparing decoded messages with the values they were encoded from.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BgpMessage, ReceivedMessage } from './types.js';

type Part = number | readonly number[] | Uint8Array;

/** Concatenates octets: numbers are single octets, arrays and Uint8Arrays are spliced in. */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const b of p) out.push(b);
  }
  return Uint8Array.from(out);
}

/** Two octets, big-endian. */
export function u16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

/** Four octets, big-endian. */
export function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export const MARKER: readonly number[] = new Array<number>(16).fill(0xff);

/** A whole message: Marker, Length (computed), Type, then the body parts. */
export function message(type: number, ...body: Part[]): Uint8Array {
  const b = bytes(...body);
  return bytes(MARKER, u16(19 + b.length), type, b);
}

/** An UPDATE whose three length fields are computed from the parts. */
export function update(parts: { withdrawn?: Part[]; attributes?: Part[]; nlri?: Part[] }): Uint8Array {
  const w = bytes(...(parts.withdrawn ?? []));
  const a = bytes(...(parts.attributes ?? []));
  const n = bytes(...(parts.nlri ?? []));
  return message(2, u16(w.length), w, u16(a.length), a, n);
}

/** One path attribute: flags, type, 1-octet length (2 when flags has Extended Length), value. */
export function attr(flags: number, type: number, ...value: Part[]): Uint8Array {
  const v = bytes(...value);
  return flags & 0x10 ? bytes(flags, type, u16(v.length), v) : bytes(flags, type, v.length, v);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex'));
}

/** The repository root: the nearest folder above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** A decoded message without the RFC 7606 verdict, to compare with what was encoded. */
export function plain(m: ReceivedMessage): BgpMessage {
  if (m.type !== 'UPDATE') return m;
  return { type: 'UPDATE', withdrawn: m.withdrawn, attributes: m.attributes, nlri: m.nlri };
}

/** JSON.stringify that shows bigints and octets, for assertion messages. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? hex(x) : x,
  );
}
