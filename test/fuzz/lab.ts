/**
 * The labs the fuzz suite runs against: per hub (its own second octet N, 10.N.0.0/16), one
 * route server whose instances are 10.N.0.4 / .5, an observer NVA 10.N.1.4 (AS 65100) and up
 * to 7 fuzzing NVAs 10.N.1.10+i (AS 65001+i) — Azure's 8 peerings per route server (R-ARS-3).
 * Nothing runs on the NVA addresses: the suite plays them over raw TCP.
 *
 * The corpus (test/fixtures/fuzz/corpus) is written for the reference lab: one hub, N = 163,
 * replayed by fuzzer 0 on instance IN_0 (its octets name those addresses).
 */
import { routeServerLabYaml } from '../helpers/routeServerLab.js';
import type { InstanceTarget, PeerAddress } from './driver.js';

export const REFERENCE_OCTET = 163;
export const OBSERVER_ASN = 65100;

export interface HubLayout {
  readonly octet: number;
  readonly fuzzers: number;
}

export function fuzzLabYaml(name: string, hubs: readonly HubLayout[]): string {
  return routeServerLabYaml(
    name,
    hubs.map((h) => ({
      octet: h.octet,
      peers: [
        { name: 'observer', host: 4, asn: OBSERVER_ASN },
        ...Array.from({ length: h.fuzzers }, (_, i) => ({ name: `fuzz${i}`, host: 10 + i, asn: 65001 + i })),
      ],
    })),
  );
}

/** Instance `i` of hub `h`, as the suite reaches it (loopback mode: 127.N.x.y stands for 10.N.x.y). */
export function instanceOf(h: HubLayout, i: 0 | 1, port: number): InstanceTarget {
  return { remote: `127.${h.octet}.0.${4 + i}`, emulated: `10.${h.octet}.0.${4 + i}`, port };
}

export function observerOf(h: HubLayout): PeerAddress {
  return { local: `127.${h.octet}.1.4`, emulated: `10.${h.octet}.1.4`, asn: OBSERVER_ASN };
}

export function fuzzerOf(h: HubLayout, i: number): PeerAddress {
  return { local: `127.${h.octet}.1.${10 + i}`, emulated: `10.${h.octet}.1.${10 + i}`, asn: 65001 + i };
}

export const vnetPrefixOf = (h: HubLayout) => `10.${h.octet}.0.0/16`;
