/**
 * @module bgp/wire/capabilities/table
 * The capability dispatch table: code → descriptor for decoding, kind → descriptor for
 * encoding. Codes not listed decode as `unknown`.
 */
import type { Capability } from '../types.js';
import type { ByteWriter } from '../writer.js';
import { ADD_PATH } from './addPath.js';
import type { CapabilityDescriptor, CapabilityKind, CapabilityOf } from './descriptor.js';
import { ENHANCED_ROUTE_REFRESH } from './enhancedRouteRefresh.js';
import { EXTENDED_MESSAGE } from './extendedMessage.js';
import { FOUR_OCTET_AS } from './fourOctetAs.js';
import { FQDN } from './fqdn.js';
import { GRACEFUL_RESTART } from './gracefulRestart.js';
import { MULTIPROTOCOL } from './multiprotocol.js';
import { ROUTE_REFRESH } from './routeRefresh.js';
import { encodeUnknownCapability } from './unknown.js';

type Known = Exclude<CapabilityKind, 'unknown'>;

/** One entry per kind; the mapped type makes the compiler check that none is missing. */
const BY_KIND: { readonly [K in Known]: CapabilityDescriptor<K> } = {
  multiprotocol: MULTIPROTOCOL,
  'route-refresh': ROUTE_REFRESH,
  'four-octet-as': FOUR_OCTET_AS,
  'extended-message': EXTENDED_MESSAGE,
  'enhanced-route-refresh': ENHANCED_ROUTE_REFRESH,
  'graceful-restart': GRACEFUL_RESTART,
  'add-path': ADD_PATH,
  fqdn: FQDN,
};

/** Indexed by Capability Code; undefined for codes carried as unknown. */
export const CAPABILITIES: readonly (CapabilityDescriptor | undefined)[] = (() => {
  const table = new Array<CapabilityDescriptor | undefined>(256).fill(undefined);
  for (const d of Object.values(BY_KIND) as CapabilityDescriptor[]) table[d.code] = d;
  return Object.freeze(table);
})();

/** The Capability Code a capability is written with. */
export function capabilityCode(cap: Capability): number {
  return cap.kind === 'unknown' ? cap.code : BY_KIND[cap.kind].code;
}

/** Writes the Capability Value of `cap`. */
export function encodeCapabilityValue(cap: Capability, w: ByteWriter): void {
  if (cap.kind === 'unknown') {
    encodeUnknownCapability(cap, w);
    return;
  }
  const d = BY_KIND[cap.kind] as CapabilityDescriptor<typeof cap.kind>;
  d.encode(cap as CapabilityOf<typeof cap.kind>, w);
}
