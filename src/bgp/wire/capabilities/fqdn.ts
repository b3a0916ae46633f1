/**
 * @module bgp/wire/capabilities/fqdn
 * FQDN, code 73 (draft-walton-bgp-hostname-capability §3): Hostname Length (1), Hostname,
 * Domain Name Length (1), Domain Name. Names that are not UTF-8 are carried as an unknown
 * capability, so nothing received is lost or altered.
 */
import { CapabilityCode } from '../types.js';
import type { ByteWriter } from '../writer.js';
import type { CapabilityDescriptor } from './descriptor.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function text(b: Uint8Array, start: number, end: number): string | undefined {
  try {
    return utf8.decode(b.subarray(start, end));
  } catch {
    return undefined;
  }
}

function writeName(w: ByteWriter, name: string, what: string): void {
  const bytes = utf8Encoder.encode(name);
  if (bytes.length > 255) throw new RangeError(`FQDN ${what} is ${bytes.length} octets, more than 255`);
  w.u8(bytes.length);
  w.bytes(bytes);
}

export const FQDN: CapabilityDescriptor<'fqdn'> = {
  code: CapabilityCode.Fqdn,
  kind: 'fqdn',
  name: 'FQDN',
  decode(b, start, end) {
    if (end - start < 2) return undefined;
    const hostEnd = start + 1 + b[start]!;
    if (hostEnd + 1 > end) return undefined;
    const domainEnd = hostEnd + 1 + b[hostEnd]!;
    if (domainEnd !== end) return undefined;
    const hostname = text(b, start + 1, hostEnd);
    const domain = text(b, hostEnd + 1, domainEnd);
    if (hostname === undefined || domain === undefined)
      return { kind: 'unknown', code: CapabilityCode.Fqdn, value: b.slice(start, end) };
    return { kind: 'fqdn', hostname, domain };
  },
  encode(cap, w) {
    writeName(w, cap.hostname, 'hostname');
    writeName(w, cap.domain, 'domain name');
  },
};
