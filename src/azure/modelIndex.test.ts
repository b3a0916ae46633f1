import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildModel } from '../../test/helpers/model.js';
import { parsePrefix, prefixContains } from '../bgp/wire/index.js';
import { byId, connectedPeers, findSubnet } from './lookup.js';
import type { Subnet, VirtualNetwork } from './model.js';
import { overlappingSubnets } from './validate.js';

// The index must answer exactly what the scans it replaced answered: the definitions below
// are those scans, written out (a peering is Connected when the remote VNet has one back).

function scanConnected(vnets: readonly VirtualNetwork[], vnet: VirtualNetwork) {
  const out = [];
  for (const local of vnet.virtualNetworkPeerings) {
    const remote = vnets.find((v) => v.id.toLowerCase() === local.remoteVirtualNetwork.toLowerCase());
    if (!remote) continue;
    const back = remote.virtualNetworkPeerings.find(
      (p) => p.remoteVirtualNetwork.toLowerCase() === vnet.id.toLowerCase(),
    );
    if (back) out.push({ remote, local, back });
  }
  return out;
}

test('connected peers from the index equal the pairwise definition, for random peering graphs', () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const edge = fc.record({
    from: fc.constantFrom(...names),
    to: fc.constantFrom(...names, 'missing'),
    transit: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(edge, { maxLength: 14 }), (edges) => {
      const model = buildModel({
        vnets: names.map((n, i) => ({
          name: n,
          prefixes: [`10.19${i}.0.0/16`],
          subnets: [{ name: 'default', prefix: `10.19${i}.0.0/24` }],
          // Several peerings to one remote are kept (the first counts, as find did).
          peerings: edges
            .filter((e) => e.from === n && e.to !== n)
            .map((e, k) => ({ name: `p${k}`, remote: e.to, allowGatewayTransit: e.transit })),
        })),
      });
      for (const v of model.virtualNetworks) {
        assert.deepEqual(connectedPeers(model, v), scanConnected(model.virtualNetworks, v));
      }
    }),
    { numRuns: 300 },
  );
});

test('ids are found whatever their case, and a collection that grew is indexed again', () => {
  const model = buildModel({
    vnets: [{ name: 'Hub', prefixes: ['10.190.0.0/16'], subnets: [{ name: 'Default', prefix: '10.190.0.0/24' }] }],
  });
  const hub = model.virtualNetworks[0]!;
  assert.equal(byId(model.virtualNetworks, hub.id.toUpperCase()), hub);
  assert.equal(findSubnet(model, hub.subnets[0]!.id.toLowerCase())?.subnet, hub.subnets[0]);
  // A builder pushing into an array it already looked things up in.
  const list = [{ id: '/x/A' }];
  assert.equal(byId(list, '/x/a'), list[0]);
  list.push({ id: '/x/B' });
  assert.equal(byId(list, '/X/B'), list[1]);
});

function scanOverlaps(subnets: readonly Subnet[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  subnets.forEach((s, i) => {
    for (let j = i + 1; j < subnets.length; j++) {
      const t = subnets[j]!;
      if (prefixContains(s.prefix, t.prefix) || prefixContains(t.prefix, s.prefix)) {
        const l = out.get(i) ?? [];
        l.push(j);
        out.set(i, l);
      }
    }
  });
  return out;
}

test('overlapping subnets found on the sorted list equal the pairwise scan (same pairs, same order)', () => {
  // Prefixes inside 10.190.0.0/16, with lengths that make nesting and duplicates frequent.
  const subnet = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 28 })).map(([third, len]) => {
    const base = ((10 << 24) | (190 << 16) | (third << 8)) >>> 0;
    const mask = (0xffffffff << (32 - len)) >>> 0;
    const a = (base & mask) >>> 0;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}`;
  });
  fc.assert(
    fc.property(fc.array(subnet, { maxLength: 24 }), (texts) => {
      const subnets: Subnet[] = texts.map((t, i) => ({
        id: `s${i}`,
        name: `s${i}`,
        addressPrefix: t,
        prefix: parsePrefix(t)!,
      }));
      assert.deepEqual(overlappingSubnets(subnets), scanOverlaps(subnets));
    }),
    { numRuns: 500 },
  );
});
