import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLabFileError, loadLabFile, type LabFileError, type LoadResult } from './index.js';
import { edit, errorsOf, formatted, LAB_PATH, lineOf, load, SEED_000_LAB } from './testFixtures.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const NET_RG = `/subscriptions/${SUB}/resourceGroups/next-hop-ip-rg/providers/Microsoft.Network`;
const VM_RG = `/subscriptions/${SUB}/resourceGroups/next-hop-ip-vm-rg/providers`;

/** Asserts one error at `field` on `line`, whose message matches `message`. */
function expectError(
  result: LoadResult,
  expected: { field: string; line: number; message: RegExp; column?: number },
): LabFileError {
  assert.equal(result.ok, false, 'the lab should not load');
  const errors = errorsOf(result);
  const hit = errors.find((e) => e.field === expected.field && expected.message.test(e.message));
  assert.ok(hit, `no error at ${expected.field} matching ${expected.message}; got:\n${formatted(errors)}`);
  assert.equal(hit.line, expected.line, `line of ${formatLabFileError(hit)}`);
  if (expected.column !== undefined) assert.equal(hit.column, expected.column, `column of ${formatLabFileError(hit)}`);
  assert.equal(hit.file, LAB_PATH);
  return hit;
}

const RS = 'resourceGroups.next-hop-ip-rg.routeServers.next-hop-ip-routeserver';
const VNET = 'resourceGroups.next-hop-ip-rg.virtualNetworks.next-hop-ip-vnet';
const RT = 'resourceGroups.next-hop-ip-rg.routeTables.next-hop-ip-rt';
const VMS = 'resourceGroups.next-hop-ip-vm-rg.virtualMachines';

// ---------------------------------------------------------------------------
// A valid lab

test('seed 000 lab loads from disk into the expected model', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'arslab-topology-'));
  try {
    await mkdir(join(dir, 'watch1'));
    await writeFile(join(dir, 'watch1', 'exabgp.conf'), 'neighbor 10.10.1.4 { }\n');
    await writeFile(join(dir, 'watch1', 'exabgp.loopback.conf'), 'neighbor 127.10.1.4 { }\n');
    const file = join(dir, 'lab.yml');
    await writeFile(file, SEED_000_LAB);

    const result = await loadLabFile(file);
    assert.ok(result.ok, result.ok ? '' : formatted(result.errors));
    const { spec } = result;
    assert.equal(spec.name, 'next-hop-failover');
    assert.equal(spec.file, file);
    assert.deepEqual(spec.warnings, []);
    assert.deepEqual(spec.settings, {
      bgpPort: 'auto',
      addressing: 'loopback',
      loopbackAddresses: { '10.10.0.7': '127.10.0.7' },
      connectRetryTime: 5,
      capture: false,
      // ADR 0018: ideal unless the file asks for Azure's programming timing.
      timing: { profile: 'ideal', seed: 1 },
    });

    const m = spec.model;
    assert.equal(m.subscriptionId, SUB);
    assert.equal(m.systemRouteProfile, 'seed-2021');
    assert.deepEqual(m.routeServerSettings, {
      maxRoutesPerPeer: 4000,
      maxRoutesTotal: 10000,
      maxEcmpPaths: 8,
      holdTime: 180,
      keepaliveTime: 60,
      // R-ARS-22: by default any hold time an NVA asks for is taken (the lower one wins).
      minHoldTime: 0,
      maxPeerings: 8,
    });
    assert.deepEqual(m.resourceGroups, [
      { name: 'next-hop-ip-rg', location: 'uksouth' },
      { name: 'next-hop-ip-vm-rg', location: 'uksouth' },
    ]);

    const [vnet] = m.virtualNetworks;
    assert.equal(vnet?.id, `${NET_RG}/virtualNetworks/next-hop-ip-vnet`);
    assert.deepEqual(vnet.prefixes, [{ afi: 1, addr: 0x0a0a0000, len: 16 }]);
    assert.deepEqual(
      vnet.subnets.map((s) => [s.name, s.addressPrefix, s.routeTable]),
      [
        ['default', '10.10.0.0/24', `${NET_RG}/routeTables/next-hop-ip-rt`],
        ['RouteServerSubnet', '10.10.1.0/24', undefined],
        ['AzureBastionSubnet', '10.10.2.0/24', undefined],
      ],
    );
    assert.equal(vnet.subnets[0]?.id, `${NET_RG}/virtualNetworks/next-hop-ip-vnet/subnets/default`);
    assert.deepEqual(vnet.subnets[1]?.prefix, { afi: 1, addr: 0x0a0a0100, len: 24 });

    assert.deepEqual(m.routeTables, [
      {
        id: `${NET_RG}/routeTables/next-hop-ip-rt`,
        name: 'next-hop-ip-rt',
        resourceGroup: 'next-hop-ip-rg',
        location: 'uksouth',
        disableBgpRoutePropagation: false,
        routes: [
          {
            name: 'to-nva',
            addressPrefix: '0.0.0.0/0',
            nextHopType: 'VirtualAppliance',
            nextHopIpAddress: '10.10.0.7',
          },
        ],
      },
    ]);

    // R-ARS-1: ASN 65515, the 4th and 5th addresses of RouteServerSubnet.
    assert.deepEqual(m.routeServers, [
      {
        id: `${NET_RG}/virtualHubs/next-hop-ip-routeserver`,
        name: 'next-hop-ip-routeserver',
        resourceGroup: 'next-hop-ip-rg',
        location: 'uksouth',
        subnet: `${NET_RG}/virtualNetworks/next-hop-ip-vnet/subnets/RouteServerSubnet`,
        virtualNetwork: `${NET_RG}/virtualNetworks/next-hop-ip-vnet`,
        virtualRouterAsn: 65515,
        virtualRouterIps: ['10.10.1.4', '10.10.1.5'],
        allowBranchToBranchTraffic: false,
        hubRoutingPreference: 'ExpressRoute',
        bgpConnections: [
          {
            id: `${NET_RG}/virtualHubs/next-hop-ip-routeserver/bgpConnections/watcher`,
            name: 'watcher',
            peerIp: '10.10.0.7',
            peerAsn: 65001,
          },
        ],
      },
    ]);

    // One NIC per VM, named as az vm create names it, in the VM's group.
    assert.deepEqual(
      m.networkInterfaces.map((n) => [n.name, n.ipConfigurations[0]?.privateIPAddress, n.enableIPForwarding]),
      [
        ['ws1VMNic', '10.10.0.4', true],
        ['ws2VMNic', '10.10.0.5', true],
        ['lt1VMNic', '10.10.0.6', false],
        ['watch1VMNic', '10.10.0.7', false],
        ['watch2VMNic', '10.10.0.8', false],
      ],
    );
    assert.deepEqual(m.networkInterfaces[0], {
      id: `${VM_RG}/Microsoft.Network/networkInterfaces/ws1VMNic`,
      name: 'ws1VMNic',
      resourceGroup: 'next-hop-ip-vm-rg',
      location: 'uksouth',
      enableIPForwarding: true,
      virtualMachine: `${VM_RG}/Microsoft.Compute/virtualMachines/ws1`,
      ipConfigurations: [
        {
          name: 'ipconfigws1',
          privateIPAddress: '10.10.0.4',
          subnet: `${NET_RG}/virtualNetworks/next-hop-ip-vnet/subnets/default`,
          primary: true,
        },
      ],
    });
    assert.deepEqual(m.virtualMachines[3], {
      id: `${VM_RG}/Microsoft.Compute/virtualMachines/watch1`,
      name: 'watch1',
      resourceGroup: 'next-hop-ip-vm-rg',
      location: 'uksouth',
      networkInterfaces: [`${VM_RG}/Microsoft.Network/networkInterfaces/watch1VMNic`],
    });

    assert.deepEqual(spec.nodes, [
      {
        name: 'watch1',
        vm: `${VM_RG}/Microsoft.Compute/virtualMachines/watch1`,
        address: '10.10.0.7',
        kind: 'exabgp',
        config: join(dir, 'watch1', 'exabgp.conf'),
        loopbackConfig: join(dir, 'watch1', 'exabgp.loopback.conf'),
        env: { exabgp_api_ack: 'false' },
      },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a speaker node gets its defaults and the ASN and routes as written', () => {
  const text = edit(
    SEED_000_LAB,
    '          watcher: { peerIp: 10.10.0.7, peerAsn: 65001 }\n',
    '          watcher: { peerIp: 10.10.0.7, peerAsn: 65001 }\n          nva2: { peerIp: 10.10.0.8, peerAsn: 65002 }\n',
  );
  const result = load(
    `${text}  nva2:
    kind: speaker
    vm: watch2
    asn: 65002
    routes:
      - { prefix: 10.2.0.0/16, nextHop: 10.10.0.8, asPath: [65002], origin: igp, med: 0, communities: [no-advertise, "65002:1"], largeCommunities: ["65002:0:1"] }
`,
  );
  assert.ok(result.ok, formatted(errorsOf(result)));
  assert.deepEqual(result.spec.nodes[1], {
    name: 'nva2',
    vm: `${VM_RG}/Microsoft.Compute/virtualMachines/watch2`,
    address: '10.10.0.8',
    kind: 'speaker',
    asn: 65002,
    holdTime: 180,
    peerWith: 'both',
    routes: [
      {
        prefix: '10.2.0.0/16',
        origin: 'igp',
        nextHop: '10.10.0.8',
        asPath: [65002],
        med: 0,
        communities: ['no-advertise', '65002:1'],
        largeCommunities: ['65002:0:1'],
      },
    ],
  });
  assert.deepEqual(result.spec.warnings, []);
});

test('references resolve by name, group/name and ARM id, without regard to case', () => {
  let text = edit(SEED_000_LAB, 'routeTable: next-hop-ip-rt }', `routeTable: ${NET_RG}/routeTables/NEXT-HOP-IP-RT }`);
  text = edit(
    text,
    'subnet: next-hop-ip-vnet/RouteServerSubnet',
    'subnet: Next-Hop-IP-RG/next-hop-ip-vnet/routeserversubnet',
  );
  text = edit(text, 'vm: next-hop-ip-vm-rg/watch1', 'vm: WATCH1');
  const result = load(text);
  assert.ok(result.ok, formatted(errorsOf(result)));
  // Ids keep the case of the declaration, not of the reference.
  assert.equal(result.spec.model.virtualNetworks[0]?.subnets[0]?.routeTable, `${NET_RG}/routeTables/next-hop-ip-rt`);
  assert.equal(
    result.spec.model.routeServers[0]?.subnet,
    `${NET_RG}/virtualNetworks/next-hop-ip-vnet/subnets/RouteServerSubnet`,
  );
  assert.equal(result.spec.nodes[0]?.address, '10.10.0.7');
});

test('a VM without privateIPAddress gets the lowest free address of its subnet', () => {
  const result = load(
    edit(
      SEED_000_LAB,
      'lt1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.6 }',
      'lt1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default }',
    ),
  );
  assert.ok(result.ok, formatted(errorsOf(result)));
  // .4 and .5 are taken by ws1 and ws2, .6 is free again; statics later in the file are reserved first.
  assert.equal(
    result.spec.model.networkInterfaces.find((n) => n.name === 'lt1VMNic')?.ipConfigurations[0]?.privateIPAddress,
    '10.10.0.6',
  );
});

test('warnings: a node no route server peers with, a peering no node answers', () => {
  const text = edit(
    SEED_000_LAB,
    'watcher: { peerIp: 10.10.0.7, peerAsn: 65001 }',
    'watcher: { peerIp: 10.10.0.9, peerAsn: 65001 } # <-',
  );
  const result = load(text);
  assert.ok(result.ok, formatted(errorsOf(result)));
  const warnings = result.warnings;
  const peering = warnings.find((w) => w.field === `${RS}.peerings.watcher.peerIp`);
  assert.match(peering?.message ?? '', /no node and no virtual machine has 10\.10\.0\.9/);
  assert.equal(peering?.line, lineOf(text, '# <-'));
  const node = warnings.find((w) => w.field === 'nodes.watch1.vm');
  assert.match(node?.message ?? '', /no route server has a peering/);
  assert.deepEqual(result.spec.warnings, warnings.map(formatLabFileError));
});

// ---------------------------------------------------------------------------
// Bad labs: each error at its line and field

test('YAML syntax error: reported at its line, nothing else checked', () => {
  const text = edit(
    SEED_000_LAB,
    '        addressPrefixes: [10.10.0.0/16]\n',
    '        addressPrefixes: [10.10.0.0/16\n',
  );
  const errors = errorsOf(load(text));
  assert.ok(errors.length >= 1);
  assert.ok(
    errors.every((e) => e.field === '' && e.message.startsWith('YAML: ')),
    formatted(errors),
  );
  assert.ok(
    errors.some((e) => e.line >= lineOf(text, 'addressPrefixes: [10.10.0.0/16')),
    formatted(errors),
  );
});

test('YAML duplicate key: reported where the second one is', () => {
  const text = edit(SEED_000_LAB, 'capture: false\n', 'capture: false\n  capture: true # <-\n');
  const errors = errorsOf(load(text));
  assert.equal(errors.length, 1, formatted(errors));
  assert.equal(errors[0]?.line, lineOf(text, '# <-'));
  assert.match(errors[0]?.message ?? '', /unique/);
});

test('unknown key: at the key, with the key it resembles', () => {
  const text = edit(
    SEED_000_LAB,
    'RouteServerSubnet: { addressPrefix: 10.10.1.0/24 }',
    'RouteServerSubnet: { adressPrefix: 10.10.1.0/24 } # <-',
  );
  const e = expectError(load(text), {
    field: `${VNET}.subnets.RouteServerSubnet.adressPrefix`,
    line: lineOf(text, '# <-'),
    column: 32,
    message:
      /^unknown key 'adressPrefix' \(did you mean 'addressPrefix'\?\); allowed here: addressPrefix, routeTable and networkSecurityGroup$/,
  });
  // The "missing addressPrefix" that zod also reports adds nothing to it.
  assert.equal(errorsOf(load(text)).filter((x) => x.line === e.line).length, 1, formatted(errorsOf(load(text))));
});

test('unknown key that differs in case only says keys are case-sensitive', () => {
  const text = edit(
    SEED_000_LAB,
    'lt1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.6 }',
    'lt1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIpAddress: 10.10.0.6 } # <-',
  );
  expectError(load(text), {
    field: `${VMS}.lt1.privateIpAddress`,
    line: lineOf(text, '# <-'),
    message: /did you mean 'privateIPAddress'\? keys are case-sensitive/,
  });
});

test('missing required key: at the object that lacks it', () => {
  const text = edit(
    SEED_000_LAB,
    'watcher: { peerIp: 10.10.0.7, peerAsn: 65001 }',
    'watcher: { peerIp: 10.10.0.7 } # <-',
  );
  expectError(load(text), {
    field: `${RS}.peerings.watcher.peerAsn`,
    line: lineOf(text, '# <-'),
    column: 11,
    message: /^missing required key 'peerAsn'$/,
  });
});

test('wrong type: says what was expected and what was found', () => {
  const text = edit(SEED_000_LAB, 'peerAsn: 65001 }', 'peerAsn: "65001" } # <-');
  expectError(load(text), {
    field: `${RS}.peerings.watcher.peerAsn`,
    line: lineOf(text, '# <-'),
    message: /^expected a number, got '65001'$/,
  });
  const list = edit(SEED_000_LAB, 'addressPrefixes: [10.10.0.0/16]', 'addressPrefixes: 10.10.0.0/16 # <-');
  expectError(load(list), {
    field: `${VNET}.addressPrefixes`,
    line: lineOf(list, '# <-'),
    message: /^expected a list, got '10\.10\.0\.0\/16'$/,
  });
});

test('bad enum value: lists the allowed values and the likely one', () => {
  const text = edit(SEED_000_LAB, 'nextHopType: VirtualAppliance,', 'nextHopType: Virtualappliance, # <-');
  expectError(load(edit(text, '# <-', '')), {
    field: `${RT}.routes.to-nva.nextHopType`,
    line: lineOf(text, '# <-'),
    message:
      /'Virtualappliance' is not one of: VirtualAppliance, VirtualNetworkGateway, VnetLocal, Internet, None \(did you mean 'VirtualAppliance'\?\)/,
  });
});

test('bad prefix: host bits set, with the prefix Azure would expect (InvalidCIDRNotation)', () => {
  const text = edit(
    SEED_000_LAB,
    'default: { addressPrefix: 10.10.0.0/24,',
    'default: { addressPrefix: 10.10.0.1/24, # <-',
  );
  expectError(load(edit(text, '# <-', '')), {
    field: `${VNET}.subnets.default.addressPrefix`,
    line: lineOf(text, '# <-'),
    message:
      /10\.10\.0\.1\/24 is not a valid CIDR notation: for prefix length \/24 the address prefix should be 10\.10\.0\.0\/24 \(InvalidCIDRNotation\)/,
  });
  const shape = edit(SEED_000_LAB, 'addressPrefixes: [10.10.0.0/16]', 'addressPrefixes: [10.10.0.0/33] # <-');
  expectError(load(shape), {
    field: `${VNET}.addressPrefixes[0]`,
    line: lineOf(shape, '# <-'),
    message: /not an IPv4 prefix/,
  });
});

test('subnet outside the VNet (NetcfgSubnetRangeOutsideVnet)', () => {
  const text = edit(
    SEED_000_LAB,
    'AzureBastionSubnet: { addressPrefix: 10.10.2.0/24 }',
    'AzureBastionSubnet: { addressPrefix: 10.20.2.0/24 } # <-',
  );
  expectError(load(text), {
    field: `${VNET}.subnets.AzureBastionSubnet.addressPrefix`,
    line: lineOf(text, '# <-'),
    message: /outside the address space.*\(NetcfgSubnetRangeOutsideVnet\)$/,
  });
});

test('overlapping subnets (NetcfgSubnetRangesOverlap), at the second', () => {
  const text = edit(
    SEED_000_LAB,
    'AzureBastionSubnet: { addressPrefix: 10.10.2.0/24 }',
    'AzureBastionSubnet: { addressPrefix: 10.10.0.128/25 } # <-',
  );
  expectError(load(text), {
    field: `${VNET}.subnets.AzureBastionSubnet.addressPrefix`,
    line: lineOf(text, '# <-'),
    message: /overlaps with subnet 'default'.*\(NetcfgSubnetRangesOverlap\)$/,
  });
});

test('VM address outside its subnet, reserved, or used twice', () => {
  const outside = edit(SEED_000_LAB, 'privateIPAddress: 10.10.0.6 }', 'privateIPAddress: 10.10.1.6 } # <-');
  expectError(load(outside), {
    field: `${VMS}.lt1.privateIPAddress`,
    line: lineOf(outside, '# <-'),
    message: /10\.10\.1\.6 is not in the range of subnet 'default'.*\(PrivateIPAddressNotInSubnet\)$/,
  });
  for (const reserved of ['10.10.0.0', '10.10.0.1', '10.10.0.2', '10.10.0.3', '10.10.0.255']) {
    const text = edit(SEED_000_LAB, 'privateIPAddress: 10.10.0.6 }', `privateIPAddress: ${reserved} } # <-`);
    expectError(load(text), {
      field: `${VMS}.lt1.privateIPAddress`,
      line: lineOf(text, '# <-'),
      message: /is reserved in subnet 'default'.*\(PrivateIPAddressInReservedRange\)$/,
    });
  }
  const twice = edit(SEED_000_LAB, 'privateIPAddress: 10.10.0.6 }', 'privateIPAddress: 10.10.0.5 } # <-');
  expectError(load(twice), {
    field: `${VMS}.lt1.privateIPAddress`,
    line: lineOf(twice, '# <-'),
    message: /10\.10\.0\.5 is already in use by ws2VMNic.*\(PrivateIPAddressIsAllocated\)$/,
  });
});

test('Route Server in a subnet not named RouteServerSubnet (R-ARS-2)', () => {
  const text = edit(
    SEED_000_LAB,
    'subnet: next-hop-ip-vnet/RouteServerSubnet',
    'subnet: next-hop-ip-vnet/AzureBastionSubnet # <-',
  );
  expectError(load(text), {
    field: `${RS}.subnet`,
    line: lineOf(text, '# <-'),
    message: /subnet named 'RouteServerSubnet'; got 'AzureBastionSubnet'.*\(InvalidRouteServerSubnetName\)$/,
  });
});

test('RouteServerSubnet /28 is too small (R-ARS-2)', () => {
  const text = edit(
    SEED_000_LAB,
    'subnet: next-hop-ip-vnet/RouteServerSubnet',
    'subnet: next-hop-ip-vnet/RouteServerSubnet # <-',
  );
  expectError(load(edit(text, '10.10.1.0/24', '10.10.1.0/28')), {
    field: `${RS}.subnet`,
    line: lineOf(text, '# <-'),
    message: /10\.10\.1\.0\/28 is too small.*\(RouteServerSubnetPrefixLengthTooLong\)$/,
  });
  // A /27 loads, with a warning.
  const small = load(edit(SEED_000_LAB, '10.10.1.0/24', '10.10.1.0/27'));
  assert.ok(small.ok, formatted(errorsOf(small)));
  assert.ok(
    small.warnings.some((w) => w.field === `${RS}.subnet` && /RouteServerSubnetSmallerThanRecommended/.test(w.message)),
  );
});

test('route table on RouteServerSubnet (R-ARS-2)', () => {
  const text = edit(
    SEED_000_LAB,
    'RouteServerSubnet: { addressPrefix: 10.10.1.0/24 }',
    'RouteServerSubnet: { addressPrefix: 10.10.1.0/24, routeTable: next-hop-ip-rt } # <-',
  );
  expectError(load(text), {
    field: `${VNET}.subnets.RouteServerSubnet.routeTable`,
    line: lineOf(text, '# <-'),
    message: /\(RouteServerSubnetCannotHaveRouteTable\)$/,
  });
});

test('reserved and 32-bit peer ASNs are refused, naming the ASN (R-ARS-3)', () => {
  for (const [asn, code] of [
    [65515, 'BgpPeerAsnIsReserved'],
    [12076, 'BgpPeerAsnIsReserved'],
    [4200000000, 'InvalidBgpPeerAsn'],
  ] as const) {
    const text = edit(SEED_000_LAB, 'peerAsn: 65001 }', `peerAsn: ${asn} } # <-`);
    const e = expectError(load(text), {
      field: `${RS}.peerings.watcher.peerAsn`,
      line: lineOf(text, '# <-'),
      message: new RegExp(`^Peer ASN ${asn} .*\\(${code}\\)$`),
    });
    assert.equal(e.column, text.split('\n')[e.line - 1]!.indexOf(String(asn)) + 1);
  }
  // The built-in speaker's own ASN goes through the same rule.
  const speaker = `${SEED_000_LAB}  nva2: { kind: speaker, vm: watch2, asn: 65517 } # <-\n`;
  expectError(load(speaker), {
    field: 'nodes.nva2.asn',
    line: lineOf(speaker, '# <-'),
    message: /^Peer ASN 65517 is reserved/,
  });
});

test('more than 8 peerings (R-ARS-3), at the peerings key', () => {
  const extra = Array.from(
    { length: 8 },
    (_, i) => `          nva${i}: { peerIp: 10.10.0.${20 + i}, peerAsn: 65010 }\n`,
  ).join('');
  const text = edit(SEED_000_LAB, '        peerings:\n', `        peerings: # <-\n${extra}`);
  expectError(load(text), {
    field: `${RS}.peerings`,
    line: lineOf(text, '# <-'),
    message: /cannot have more than 8 peerings.*\(MaxBgpConnectionsPerVirtualHubReached\)$/,
  });
});

test('two routes with one prefix in a route table (RouteConflict, R-NIC-3)', () => {
  const text = edit(
    SEED_000_LAB,
    'nextHopIpAddress: 10.10.0.7 }\n',
    'nextHopIpAddress: 10.10.0.7 }\n          default-out: { addressPrefix: 0.0.0.0/0, nextHopType: Internet } # <-\n',
  );
  expectError(load(text), {
    field: `${RT}.routes.default-out.addressPrefix`,
    line: lineOf(text, '# <-'),
    message: /more than one route with address prefix 0\.0\.0\.0\/0.*\(RouteConflict\)$/,
  });
});

test('VirtualAppliance without nextHopIpAddress, at the route', () => {
  const text = edit(
    SEED_000_LAB,
    'to-nva: { addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.10.0.7 }',
    'to-nva: { addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance } # <-',
  );
  expectError(load(text), {
    field: `${RT}.routes.to-nva.nextHopIpAddress`,
    line: lineOf(text, '# <-'),
    column: 11,
    message: /needs nextHopIpAddress \(InvalidNextHop\)$/,
  });
});

test('unknown references list the candidates', () => {
  const rt = edit(SEED_000_LAB, 'routeTable: next-hop-ip-rt }', 'routeTable: next-hop-ip-rtx } # <-');
  expectError(load(rt), {
    field: `${VNET}.subnets.default.routeTable`,
    line: lineOf(rt, '# <-'),
    message:
      /^no route table 'next-hop-ip-rtx' \(did you mean 'next-hop-ip-rg\/next-hop-ip-rt'\?\); route tables in this lab: next-hop-ip-rg\/next-hop-ip-rt$/,
  });
  const vnet = edit(
    SEED_000_LAB,
    'subnet: next-hop-ip-vnet/RouteServerSubnet',
    'subnet: hub-vnet/RouteServerSubnet # <-',
  );
  expectError(load(vnet), {
    field: `${RS}.subnet`,
    line: lineOf(vnet, '# <-'),
    message:
      /^no subnet 'hub-vnet\/RouteServerSubnet'; subnets in this lab: next-hop-ip-rg\/next-hop-ip-vnet\/default, next-hop-ip-rg\/next-hop-ip-vnet\/RouteServerSubnet and next-hop-ip-rg\/next-hop-ip-vnet\/AzureBastionSubnet$/,
  });
  const vm = edit(SEED_000_LAB, 'vm: next-hop-ip-vm-rg/watch1', 'vm: watch3 # <-');
  expectError(load(vm.replace('# <-', '')), {
    field: 'nodes.watch1.vm',
    line: lineOf(vm, '# <-'),
    message:
      /^no virtual machine 'watch3' \(did you mean 'next-hop-ip-vm-rg\/watch1'\?\); virtual machines in this lab: next-hop-ip-vm-rg\/ws1, .*watch2$/,
  });
  const group = edit(SEED_000_LAB, 'vm: next-hop-ip-vm-rg/watch1', 'vm: next-hop-ip-vms/watch1');
  expectError(load(group), {
    field: 'nodes.watch1.vm',
    line: lineOf(group, 'next-hop-ip-vms/watch1'),
    message:
      /^resource group 'next-hop-ip-vms' is not in this lab \(did you mean 'next-hop-ip-vm-rg'\?\); resource groups: 'next-hop-ip-rg' and 'next-hop-ip-vm-rg'$/,
  });
  const peering = edit(
    SEED_000_LAB,
    '        subnets:\n',
    '        virtualNetworkPeerings:\n          to-spoke: { remoteVirtualNetwork: spoke-vnet } # <-\n        subnets:\n',
  );
  expectError(load(peering), {
    field: `${VNET}.virtualNetworkPeerings.to-spoke.remoteVirtualNetwork`,
    line: lineOf(peering, '# <-'),
    message: /^no virtual network 'spoke-vnet'; virtual networks in this lab: next-hop-ip-rg\/next-hop-ip-vnet$/,
  });
  const arm = edit(
    SEED_000_LAB,
    'routeTable: next-hop-ip-rt }',
    `routeTable: ${NET_RG}/virtualNetworks/next-hop-ip-vnet } # <-`,
  );
  expectError(load(arm), {
    field: `${VNET}.subnets.default.routeTable`,
    line: lineOf(arm, '# <-'),
    message: /is the id of a Microsoft\.Network\/virtualNetworks resource, not of a route table/,
  });
});

test('a reference that matches in several resource groups is ambiguous', () => {
  const text = `${SEED_000_LAB.replace('nodes:\n', '')}  other-rg:
    virtualMachines:
      watch1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.9 }
nodes:
  watch1: { kind: exabgp, vm: watch1, config: watch1/exabgp.conf } # <-
`.replace(/^ {2}watch1: \{ kind: exabgp, vm: next-hop-ip-vm-rg.*\n/m, '');
  expectError(load(text), {
    field: 'nodes.watch1.vm',
    line: lineOf(text, '# <-'),
    message:
      /^'watch1' is ambiguous: virtual machines of that name are in resource groups 'next-hop-ip-vm-rg' and 'other-rg'; write RESOURCE-GROUP\/NAME or an ARM id$/,
  });
});

test('names that differ only in case are one name to Azure', () => {
  const text = edit(
    SEED_000_LAB,
    '          AzureBastionSubnet:',
    '          routeserversubnet: { addressPrefix: 10.10.3.0/24 } # <-\n          AzureBastionSubnet:',
  );
  expectError(load(text), {
    field: `${VNET}.subnets.routeserversubnet`,
    line: lineOf(text, '# <-'),
    column: 11,
    message: /^subnet 'routeserversubnet' and 'RouteServerSubnet' are the same name: Azure names are case-insensitive$/,
  });
});

test('node kind unknown: lists the known kinds', () => {
  const text = edit(SEED_000_LAB, 'kind: exabgp,', 'kind: quagga, # <-');
  expectError(load(edit(text, '# <-', '')), {
    field: 'nodes.watch1.kind',
    line: lineOf(text, '# <-'),
    message: /^unknown node kind 'quagga'; known kinds: bird, frr, gobgp, exabgp, agent, exec, speaker, http$/,
  });
  const missing = `${SEED_000_LAB}  nva2: { vm: watch2 } # <-\n`;
  expectError(load(missing), {
    field: 'nodes.nva2.kind',
    line: lineOf(missing, '# <-'),
    message: /^missing required key 'kind': one of bird, frr, gobgp, exabgp, agent, exec, speaker, http$/,
  });
});

test('http nodes: a web server on a VM address, beside a BGP node if need be', () => {
  const text = `${SEED_000_LAB}  ws1: { kind: http, vm: ws1 }\n  agent: { kind: http, vm: watch1, port: 8080, loopbackPort: 18080, body: "up\\n" }\n`;
  const r = load(text);
  assert.ok(r.ok, r.ok ? '' : formatted(r.errors));
  assert.deepEqual(r.spec.warnings, []);
  assert.deepEqual(r.spec.nodes.slice(1), [
    { name: 'ws1', kind: 'http', vm: `${VM_RG}/Microsoft.Compute/virtualMachines/ws1`, address: '10.10.0.4', port: 80 },
    {
      name: 'agent',
      kind: 'http',
      vm: `${VM_RG}/Microsoft.Compute/virtualMachines/watch1`,
      address: '10.10.0.7',
      port: 8080,
      loopbackPort: 18080,
      body: 'up\n',
    },
  ]);
});

test('http node errors name the field and line: bad port, unknown VM, unknown key, taken port', () => {
  for (const [port, message] of [
    ['0', /^must be at least 1, got 0$/],
    ['65536', /^must be at most 65535, got 65536$/],
    ['80.5', /^expected a whole number, got 80\.5$/],
    ['"80"', /^expected a number, got '80'$/],
  ] as const) {
    const text = `${SEED_000_LAB}  web: { kind: http, vm: ws1, port: ${port} } # <-\n`;
    const e = expectError(load(text), { field: 'nodes.web.port', line: lineOf(text, '# <-'), message });
    assert.equal(e.column, text.split('\n')[e.line - 1]!.indexOf(`port: ${port}`) + 'port: '.length + 1);
  }
  const vm = `${SEED_000_LAB}  web: { kind: http, vm: ws9 } # <-\n`;
  expectError(load(vm), {
    field: 'nodes.web.vm',
    line: lineOf(vm, '# <-'),
    message: /^no virtual machine 'ws9' \(did you mean 'next-hop-ip-vm-rg\/ws1'\?\)/,
  });
  const key = `${SEED_000_LAB}  web: { kind: http, vm: ws1, asn: 65001 } # <-\n`;
  expectError(load(key), {
    field: 'nodes.web.asn',
    line: lineOf(key, '# <-'),
    message: /^unknown key 'asn'; allowed here: kind, vm, port, loopbackPort and body$/,
  });
  const twice = `${SEED_000_LAB}  web: { kind: http, vm: ws1 }\n  web2: { kind: http, vm: ws1, port: 1080 } # <-\n`;
  expectError(load(twice), {
    field: 'nodes.web2.port',
    line: lineOf(twice, '# <-'),
    message:
      /where node 'web' already serves 10\.10\.0\.4:80 \(bound as port 1080 in loopback mode without root\): one HTTP server per address and port$/,
  });
  const bgp = `${SEED_000_LAB}  web: { kind: http, vm: watch1, port: 179 } # <-\n`;
  expectError(load(bgp), {
    field: 'nodes.web.port',
    line: lineOf(bgp, '# <-'),
    message: /^node 'web' would serve port 179 at 10\.10\.0\.7, where node 'watch1' speaks BGP on it/,
  });
});

test('missing config file: the resolved path and where relative paths resolve', () => {
  const text = edit(SEED_000_LAB, 'config: watch1/exabgp.conf,', 'config: watch1/exabgp.cfg, # <-');
  expectError(load(edit(text, '# <-', '')), {
    field: 'nodes.watch1.config',
    line: lineOf(text, '# <-'),
    message:
      /^file not found: \/labs\/next-hop\/watch1\/exabgp\.cfg \(relative paths resolve against the lab file's folder, \/labs\/next-hop\)$/,
  });
});

test('two nodes on one VM address are refused', () => {
  const text = `${SEED_000_LAB}  again: { kind: bird, vm: watch1, config: watch1/exabgp.conf } # <-\n`;
  expectError(load(text), {
    field: 'nodes.again.vm',
    line: lineOf(text, '# <-'),
    message: /where node 'watch1' already runs: one node per address$/,
  });
});

test('several errors in one file are all reported at once, in file order', () => {
  let text = edit(
    SEED_000_LAB,
    'default: { addressPrefix: 10.10.0.0/24, routeTable: next-hop-ip-rt }',
    'default: { adressPrefix: 10.10.0.0/24, routeTable: next-hop-ip-rt }',
  );
  text = edit(text, 'peerAsn: 65001 }', 'peerAsn: 65515 }');
  text = edit(text, 'privateIPAddress: 10.10.0.6 }', 'privateIPAddress: 10.10.9.6 }');
  text = edit(text, 'kind: exabgp,', 'kind: exabgpp,');
  text = edit(text, 'nextHopType: VirtualAppliance, nextHopIpAddress: 10.10.0.7 }', 'nextHopType: VirtualAppliance }');
  text = edit(text, 'connectRetryTime: 5', 'connectRetryTime: 0');
  const errors = errorsOf(load(text));
  assert.deepEqual(
    errors.map((e) => e.field),
    [
      'settings.connectRetryTime',
      `${VNET}.subnets.default.adressPrefix`,
      `${RT}.routes.to-nva.nextHopIpAddress`,
      `${RS}.peerings.watcher.peerAsn`,
      'nodes.watch1.kind',
    ],
    formatted(errors),
  );
  // lt1's subnet was set aside with the typo; its bad address is found on the next run
  // rather than reported against a subnet the loader could not read.
  assert.ok(errors.every((e, i) => i === 0 || errors[i - 1]!.line <= e.line));
});

test('a schema error does not turn references to the entry into "not found"', () => {
  // The route table is unreadable (bad route); the subnet that references it is fine.
  const text = edit(SEED_000_LAB, 'nextHopType: VirtualAppliance,', 'nextHopType: Appliance,');
  const errors = errorsOf(load(text));
  assert.deepEqual(
    errors.map((e) => e.field),
    [`${RT}.routes.to-nva.nextHopType`],
    formatted(errors),
  );
});

test('file-level problems: empty file, unreadable file, alias bomb', async () => {
  const empty = errorsOf(load(''));
  assert.deepEqual(empty.map(formatLabFileError), [
    `${LAB_PATH}:1:1: the lab file is empty: it needs at least name, location and resourceGroups`,
  ]);

  const missing = await loadLabFile('/nonexistent/arslab/lab.yml');
  assert.equal(missing.ok, false);
  assert.match(
    formatLabFileError(errorsOf(missing)[0]!),
    /^\/nonexistent\/arslab\/lab\.yml: cannot read the lab file: ENOENT/,
  );

  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++)
    bomb.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(', ')}]`,
    );
  const result = load(bomb.join('\n'));
  assert.equal(result.ok, false);
  assert.match(errorsOf(result)[0]?.message ?? '', /cannot be expanded/);
});

test('a lab file that is not UTF-8 is refused at the line and column of each bad byte, not loaded with U+FFFD', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'arslab-topology-'));
  try {
    const file = join(dir, 'lab.yml');
    // A comment saved as Latin-1 ("café", é = 0xe9) and a value with a lone continuation byte:
    // decoded with replacement, both would load silently.
    const enc = new TextEncoder();
    const text = SEED_000_LAB.replace(/^name: .*$/m, (l) => `# caf\u0000 notes\n${l}`);
    const [before, after] = text.split('\u0000');
    await writeFile(file, Buffer.concat([enc.encode(before), Buffer.from([0xe9]), enc.encode(after)]));
    const result = await loadLabFile(file);
    assert.equal(result.ok, false);
    const line = (before!.match(/\n/g) ?? []).length + 1;
    assert.deepEqual(errorsOf(result).map(formatLabFileError), [
      `${file}:${line}:6: not UTF-8: bytes e9 20 6e 6f… do not form a character here (a lab file is UTF-8 text; save it as UTF-8)`,
    ]);

    // Valid UTF-8 with multi-byte characters (and a BOM) still loads; columns count characters.
    await mkdir(join(dir, 'watch1'));
    await writeFile(join(dir, 'watch1', 'exabgp.conf'), 'neighbor 10.10.1.4 { }\n');
    await writeFile(join(dir, 'watch1', 'exabgp.loopback.conf'), 'neighbor 127.10.1.4 { }\n');
    await writeFile(file, `\ufeff# café ☕ 𝄞\n${SEED_000_LAB}`);
    const ok = await loadLabFile(file);
    assert.ok(ok.ok, ok.ok ? '' : formatted(ok.errors));
    await writeFile(file, Buffer.concat([enc.encode('# ☕ '), Buffer.from([0x80]), enc.encode('\nname: x\n')]));
    assert.deepEqual(
      errorsOf(await loadLabFile(file)).map((e) => `${e.line}:${e.column}`),
      ['1:5'],
      'after "# ☕ " (4 characters)',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('nesting too deep for a lab file is refused before the YAML composer recurses', () => {
  const text = `name: x\nlocation: uksouth\nresourceGroups: ${'['.repeat(20000)}\n`;
  const errors = errorsOf(load(text));
  assert.deepEqual(errors.map(formatLabFileError), [
    `${LAB_PATH}:3:80: YAML: collections nested more than 64 levels deep (a lab file needs 7)`,
  ]);
});

test('a name Azure refuses is reported at the name', () => {
  const text = edit(SEED_000_LAB, '      lt1: {', '      lt1!: { # <-');
  expectError(load(edit(text, ' # <-', '')), {
    field: `${VMS}["lt1!"]`,
    line: lineOf(text, '# <-'),
    column: 7,
    message: /^'lt1!' is not a valid virtual machine name: 1-64 letters, digits, '_', '\.' and '-'/,
  });
});

test('formatLabFileError: file:line:col: field: message', () => {
  assert.equal(
    formatLabFileError({ file: 'lab.yml', line: 3, column: 7, field: 'nodes.r1.kind', message: 'm' }),
    'lab.yml:3:7: nodes.r1.kind: m',
  );
  assert.equal(formatLabFileError({ file: 'lab.yml', line: 3, column: 7, field: '', message: 'm' }), 'lab.yml:3:7: m');
  assert.equal(formatLabFileError({ file: 'lab.yml', line: 0, column: 0, field: '', message: 'm' }), 'lab.yml: m');
});

test('settings.timing: the azure profile and its seed load; a wrong profile or seed is refused at its place', () => {
  const ok = load(
    edit(SEED_000_LAB, 'connectRetryTime: 5', 'connectRetryTime: 5\n  timing: { profile: azure, seed: 42 }'),
  );
  assert.ok(ok.ok, ok.ok ? '' : formatted(ok.errors));
  assert.deepEqual(ok.spec.settings.timing, { profile: 'azure', seed: 42 });
  const bad = edit(SEED_000_LAB, 'connectRetryTime: 5', 'connectRetryTime: 5\n  timing: { profile: azur } # <-');
  const e = expectError(load(bad), {
    field: 'settings.timing.profile',
    line: lineOf(bad, '# <-'),
    message: /^'azur' is not one of: ideal, azure \(did you mean 'azure'\?\)$/,
  });
  assert.match(formatLabFileError(e), /^\S+:\d+:\d+: settings\.timing\.profile: /);
  const seed = edit(SEED_000_LAB, 'connectRetryTime: 5', 'connectRetryTime: 5\n  timing: { seed: -1 } # <-');
  expectError(load(seed), { field: 'settings.timing.seed', line: lineOf(seed, '# <-'), message: /0|too small/ });
});
