/**
 * The address octets of the tests, one line per test source that writes an address:
 * test files run two at a time (scripts/run-tests.mjs), and in loopback mode an emulated
 * 10.N.x.y is bound as 127.N.x.y (ADR 0001), so two files binding the same N would take each
 * other's port 179. test/addressOctets.test.ts checks that no N is bound by two files and that
 * every file declares what it writes. A new test takes a free N (one no `binds` below holds,
 * outside RESERVED_OCTETS) and declares it here.
 */

export interface OctetClaim {
  /** Second octets the file binds (127.N.x.y, or 10.N.x.y through a lab): no other file may bind them. */
  readonly binds?: readonly number[];
  /**
   * Second octets the file writes without binding them: documentation data, routes,
   * in-process peers (MSEEs, on-premises routers), emulated addresses its lab maps
   * elsewhere (settings.loopbackAddresses). Any file may write them.
   */
  readonly data?: readonly number[];
}

/** Ranges held, by the name of the work they are held for, for tests that are still to merge. */
export const RESERVED_OCTETS: Readonly<Record<string, readonly [number, number]>> = {
  // None held: every branch of 2026-12-08 is merged.
};

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

export const TEST_ADDRESSES: Readonly<Record<string, OctetClaim>> = {
  // src/: unit tests outside the pure layers.
  'src/agent/agent.test.ts': { data: [0] },
  'src/agent/api.test.ts': { data: [10] },
  'src/agent/config.test.ts': { data: [10] },
  'src/agent/decide.test.ts': { data: [0] },
  'src/agent/monitor.test.ts': { data: [0] },
  'src/bgp/transport/collision.test.ts': { binds: [39, 170] },
  'src/bgp/transport/sendHold.test.ts': { binds: [174] },
  'src/bgp/transport/pcap.test.ts': { data: [0, 1, 10] },
  'src/cli/commands/network/vnet-gateway/transformers.test.ts': { data: [1] },
  'src/cli/output/json.test.ts': { data: [1] },
  'src/cli/output/query.test.ts': { data: [1] },
  'src/cli/output/seeds.test.ts': { data: [1, 2] },
  'src/cli/output/table.test.ts': { data: [1] },
  'src/cli/output/tsv_yaml.test.ts': { data: [1] },
  'src/lab/bgpNeighbor.test.ts': { data: [0] },
  'src/lab/daemons/interop.test.ts': { binds: [77], data: [10] },
  'src/lab/daemons/parsers.test.ts': { data: [1, 2, 3, 10, 77] },
  'src/lab/daemons/process.test.ts': { binds: [78] },
  'src/lab/inprocess.test.ts': { data: [0] },
  'src/lab/kinds/speaker.test.ts': { data: [198] },
  'src/lab/probe.test.ts': { data: [10] },
  'src/lab/topology/export.test.ts': { data: [10, 226] },
  'src/lab/topology/fuzz.test.ts': { data: [0, 1, 10] },
  'src/lab/topology/generated.test.ts': { data: [1, 10] },
  'src/lab/topology/import.test.ts': { data: [1, 5, 30] },
  'src/lab/topology/hybridLoad.test.ts': { data: [1, 2] },
  'src/lab/topology/load.test.ts': { data: [10] },

  // test/agent: the agent tests map seed 000's 10.10.x into their own 127.N.
  'test/agent/bareRouteServer.ts': { data: [10] },
  'test/agent/labFixture.ts': { data: [10] },
  'test/agent/watcher.test.ts': { binds: [120, 121], data: [10] },
  'test/agent/perBackend.test.ts': { binds: [122, 123], data: [10] },
  'test/agent/interop.test.ts': { binds: [124], data: [10] },
  'test/agent/e2eCli.test.ts': { binds: [125], data: [10] },
  'test/agent/sigterm.test.ts': { binds: [126], data: [10] },
  'test/agent/maintenance.test.ts': { binds: [127], data: [0, 10] },
  'test/agent/probes.test.ts': { binds: [128], data: [0] },
  'test/agent/reconnect.test.ts': { binds: [129], data: [10] },

  'test/cli/cli.test.ts': { data: [1] },
  // Seed 000's scenario, as it is: 10.10.x, 127.10.x in loopback mode.
  'test/e2e/nextHopFailover.test.ts': { binds: [10] },

  // Captures and models shared by tests (test/fixtures, test/helpers): data; their users bind.
  'test/fixtures/seed001.ts': { data: [1] },
  'test/fixtures/seed001Lab.ts': { data: [2, 3] },
  'test/fixtures/hubErLab.ts': { data: [2] },
  // Issue 13's client tests (range 'clients'): seed 000's 10.10.x moved to 127.201.x.
  'test/clients/seed000Lab.ts': { data: [10] },
  'test/clients/clients.test.ts': { binds: [201], data: [10] },
  'test/clients/sdkClient.ts': { data: [10] },
  // Issue 13 item 2 (range 'crud'): seed 000 built through the SDK in a lab on 127.11.x,
  // the lab file's on 127.12.x, an ExaBGP for watch1 in each.
  'test/clients/sdkBuild.test.ts': { binds: [11, 12], data: [10] },
  'test/clients/sdkBuild.ts': { data: [10] },
  'test/clients/seedScript.test.ts': { binds: [13], data: [10] },
  'test/api/armSpec.test.ts': { data: [202] },
  // Issue 13 items 2-3, hybrid at run time (range 'arm-verbs'): the route server on 127.100.x;
  // MSEE addresses 10.2.100.x and the sites' 10.120/10.130 are in-process data.
  'test/lab/hybridRuntime.test.ts': { binds: [100], data: [2, 120, 130] },
  'test/fixtures/hybridHubLab.ts': { data: [2, 120, 130] },
  // The same hub built by @azure/arm-network (a lab process on 127.101.x).
  'test/clients/sdkHybrid.test.ts': { binds: [101], data: [2] },
  'test/clients/sdkHybrid.ts': { data: [2] },
  'test/helpers/model.ts': { data: [10] },

  // The golden tests run the seeds' scenarios, and variants with every address moved.
  'test/golden/multiRegion.test.ts': { binds: [1, 2, 5, 6] },
  'test/golden/dualHomed.test.ts': { binds: [68, 69] },
  'test/golden/onpremTransit.test.ts': { binds: [200, 210], data: [100, 110] },

  'test/interop/bird.interop.test.ts': { binds: [31] },
  'test/interop/frr.interop.test.ts': { binds: [32] },
  'test/interop/gobgp.interop.test.ts': { binds: [33] },
  'test/interop/exabgp.interop.test.ts': { binds: [34] },
  'test/interop/ipv6.interop.test.ts': { binds: [36] },
  'test/interop/peeringChange.interop.test.ts': { binds: [37] },
  'test/interop/collision.interop.test.ts': { binds: [172] },

  'test/lab/routeServerInput.test.ts': { binds: [35] },
  'test/lab/oneInstance.test.ts': { binds: [38] },
  'test/lab/slowReader.test.ts': { binds: [171] },
  'test/lab/effectiveRouteLayers.test.ts': { binds: [190], data: [191, 192, 193, 194, 195, 196, 197] },
  'test/lab/speakerStore.test.ts': { binds: [198] },
  // hub1 at N, hub2 at N + 1 (seed001Lab); the MSEEs' 10.2.146.35 in assertions.
  'test/lab/hybrid.test.ts': { binds: [41, 42], data: [2] },
  'test/lab/gateways.test.ts': { binds: [43], data: [2, 9] },
  'test/lab/explainDualHomed.test.ts': { binds: [50] },
  'test/lab/export.test.ts': { binds: [226], data: [2] },
  'test/lab/explain.test.ts': { binds: [52, 53], data: [2] },
  'test/lab/netnsDaemons.test.ts': { binds: [61] },
  'test/lab/cleanup.test.ts': { binds: range(62, 67) },
  'test/lab/probe.test.ts': { binds: range(132, 135) },
  // Issue 10 (branch fidelity): each binds its labs' route servers; 250–252 are NVA routes.
  'test/lab/erVpnTransit.test.ts': { binds: [90, 91] },
  'test/lab/instanceProgramming.test.ts': { binds: [92, 95], data: [250, 251] },
  'test/lab/holdTime.test.ts': { binds: [93, 94], data: [252] },
  'test/lab/staticVpn.test.ts': { binds: [96, 97] },
  // The route server of the lab (98); 10.2.98.x are its MSEEs, 10.100/10.120 the routers' routes.
  'test/lab/hybridTimers.test.ts': { binds: [98], data: [2] },
  // Four in-process labs; only b2b's (142) has a route server, which listens.
  'test/lab/vpn.test.ts': { binds: [142], data: [140, 141, 143, ...range(144, 149)] },
  // No route server: nothing listens.
  'test/lab/expressRoute.test.ts': { data: range(144, 150) },
  'test/lab/routeLimits.test.ts': { binds: [109], data: [2, ...range(105, 108)] },
  'test/lab/routingPreference.test.ts': { binds: [108], data: [200, 201, 202, 210, 211, 212] },
  // The route servers of the first lab (150) and the second (155); the rest is routes and MSEEs.
  'test/lab/gatewaySubnetRouteTable.test.ts': { binds: [150, 155], data: range(151, 154) },

  // The API's guards and operation store, the lab's lifecycle (lock, crash cleanup).
  'test/api/operations.test.ts': { binds: [180] },
  'test/api/security.test.ts': { binds: [181] },
  'test/lab/lifecycle.test.ts': { binds: [187] },
  'test/lab/unencodableRoutes.test.ts': { binds: [160, 161], data: [165, 166] },
  'test/lab/unencodableExabgp.test.ts': { binds: [162], data: [165] },
  'test/fuzz/fuzz.test.ts': { binds: [163] },
  'test/lab/updateChecks.test.ts': { binds: [164] },
  // Daemons attached on premises: a circuit link's MSEE and VPN gateway instances listen here.
  'test/lab/customerEdge.test.ts': { binds: [211, 212, 213, 214] },
  'test/lab/customerTopology.test.ts': { data: [215, 216] },
  // Built-in router policies (ADR 0039): in process, nothing bound.
  'test/lab/routerPolicy.test.ts': { data: [115, 116, 117, 118] },
  'test/fixtures/routerPolicyLab.ts': { data: [115, 116, 117, 118] },
  // Router r119 and FRR on a customer link, over TCP on 127.119.x.
  'test/lab/routerPolicyWire.test.ts': { binds: [119] },
  // The web server of app20 binds 127.20.2.10; the rest is in process (circuit, routers, VPN).
  'test/lab/hopByHop.test.ts': { binds: [20], data: [21, 22, 23, 99] },
  'test/lab/labLog.test.ts': { binds: [24] },
  'test/lab/daemonHop.test.ts': { binds: [25, 26, 27], data: [28] },
  'test/lab/execNode.test.ts': { binds: [217] },

  // The lab graph: faults on every session (virtual clock in process; BIRD over TCP).
  'test/graph/sessionFaults.test.ts': { binds: [224], data: [2] },
  'test/lab/timing.test.ts': { binds: [80], data: [2, 81] },
  'test/lab/whatif.test.ts': { binds: [82] },
  'test/graph/tcpFaults.test.ts': { binds: [225] },

  // The web page (issue 14): its API on the scale lab (bench/web/scaleLab.ts at a small size:
  // 241-244 bound, 245 its routes and MSEEs) and the aggregation lab (246); in Chromium, seed
  // 000 moved to 247 and seed 001 to 248 (webLab.ts copies the scenario with its loopback
  // addresses moved; the page shows the seeds' own 10.10, 10.1 and 10.2 addresses).
  'test/web/api.test.ts': { binds: range(241, 246) },
  'test/web/nextHopFailover.test.ts': { binds: [247], data: [10] },
  'test/web/multiRegion.test.ts': { binds: [248], data: [1, 2] },
  // Expanding and collapsing a group of spokes from the page: the scale lab moved to 227-231.
  'test/web/expand.test.ts': { binds: range(227, 231) },
};
