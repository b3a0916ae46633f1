/**
 * @module azure/hybridAddresses
 * The addresses a lab derives for hybrid resources when nobody gives them — a gateway's two
 * instances, a circuit's MSEE addresses, the addresses at which a gateway sees a connected
 * circuit's MSEEs. One derivation for both ways a lab is built: the lab-file loader
 * (lab/topology/build) and the run-time changes through ARM (azure/mutate), so that a design
 * built either way gets the same addresses (`arslab export` writes none of them).
 */
import { formatIpv4, type Ipv4Prefix, type Prefix } from '../bgp/wire/index.js';
import type { GatewayType } from './model.js';

/**
 * Where a gateway's two instances are when the file does not say: an ExpressRoute
 * gateway at the 12th and 13th addresses of GatewaySubnet (seed 001: 10.1.3.12, .13); a VPN
 * gateway at the last two usable ones (instance 0 at the last, as Azure's active-standby
 * BGP address: .30 of a /27), clear of the ExpressRoute gateway and of the MSEE peer
 * addresses counted up from .4.
 */
export function defaultInstanceAddresses(type: GatewayType, subnet: Prefix): [string, string] {
  const base = subnet.afi === 1 ? (subnet as Ipv4Prefix).addr : 0;
  const size = 2 ** (32 - subnet.len);
  const at = (offset: number) => formatIpv4((base + offset) >>> 0);
  return type === 'ExpressRoute' ? [at(12), at(13)] : [at(size - 2), at(size - 3)];
}

/**
 * R-ER-4: a circuit's MSEE addresses, derived from its name (FNV-1a) so that a lab always
 * gets the same ones: 10.x.y.z and the next address, outside every VNet of the lab and
 * apart from other circuits' (`avoid`).
 */
export function derivedMseeAddresses(name: string, avoid: (address: number) => boolean): [string, string] {
  for (let attempt = 0; attempt < 4096; attempt++) {
    let h = 0x811c9dc5;
    for (const ch of attempt === 0 ? name.toLowerCase() : `${name.toLowerCase()}#${attempt}`) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    const first = ((10 << 24) | (h & 0x00ffff00) | (1 + ((h & 0xff) % 253))) >>> 0;
    if (!avoid(first) && !avoid(first + 1)) return [formatIpv4(first), formatIpv4(first + 1)];
  }
  throw new Error(`internal: no MSEE addresses left for circuit ${name}`);
}

/**
 * The addresses at which an ExpressRoute gateway sees a connected circuit's MSEEs when
 * nobody gives them: the first pair of GatewaySubnet from .4/.5 up (.4/.5 for the gateway's
 * first ExpressRoute connection, .6/.7 for the next: seed 001) with neither address in
 * `taken` (gateway instances, VMs, other connections' pairs). Undefined when none is left.
 */
export function freeMseePeerPair(subnet: Prefix, taken: ReadonlySet<string>): readonly [string, string] | undefined {
  if (subnet.afi !== 1) return undefined;
  const base = (subnet as Ipv4Prefix).addr;
  const size = 2 ** (32 - subnet.len);
  for (let offset = 4; offset + 1 < size - 1; offset += 2) {
    const pair = [formatIpv4((base + offset) >>> 0), formatIpv4((base + offset + 1) >>> 0)] as const;
    if (!taken.has(pair[0]) && !taken.has(pair[1])) return pair;
  }
  return undefined;
}
