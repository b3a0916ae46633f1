/**
 * @module lab/topology/export
 * A lab as a lab file: the inverse of the loader, read from what a lab runs — its Azure
 * model, nodes, routers and settings — not from the file it may have come from, so a lab
 * built or changed any other way is written the same way (ADR 0016).
 *
 * What it writes: keys in the schema's order, resources in the model's order under their
 * resource groups; values equal to the loader's defaults left out; references in their
 * shortest form that resolves to the same resource. Values the loader derives (a VM's
 * dynamic address, gateway instance addresses, circuit MSEE addresses, MSEE peer
 * addresses) are left out only where deriving them from the written file gives the
 * running lab's values: the exporter loads what it wrote, and writes explicitly every
 * derived value that came out different, until the file reproduces the lab. Whatever a
 * lab file cannot say (a NIC with two IP configurations, say) is reported, never dropped
 * silently: `differences` lists it, path by path.
 */
import { isAbsolute, join, relative } from 'node:path';
import { Document, isScalar, isSeq, visit } from 'yaml';
import {
  DEFAULT_GATEWAY_SKU,
  DEFAULT_ROUTE_SERVER_SETTINGS,
  DEFAULT_SUBSCRIPTION,
  idKey,
  ROUTE_SERVER_ASN,
  sameName,
  type AzureModel,
  type ExpressRouteCircuit,
  type VirtualMachine,
  type VirtualNetworkGateway,
  type VirtualNetworkGatewayConnection,
} from '../../azure/index.js';
import {
  DEFAULT_LAB_SETTINGS,
  DEFAULT_TIMING_SETTINGS,
  type Attachment,
  type LabSettings,
  type NodeSpec,
  type CustomerLinkSpec,
  type NeighborPolicySpec,
  type RoutePolicyEntrySpec,
  type RouterNodeSpec,
  type SpeakerRouteSpec,
} from '../spec.js';
import { ipConfigurationName } from './build.js';
import { loadLabText } from './load.js';

/** What a lab is, as the runtime holds it: enough to write its file. */
export interface LabSnapshot {
  readonly name: string;
  readonly settings: LabSettings;
  readonly model: AzureModel;
  readonly nodes: readonly NodeSpec[];
  readonly routers: readonly RouterNodeSpec[];
  /** Customer links (lab file `links`); a router's per-link policy names them. */
  readonly links?: readonly CustomerLinkSpec[];
}

export interface ExportOptions {
  /**
   * The folder the file will be written in: node configuration files under it are written
   * relative to it (as lab files usually name them); others, and all when absent, absolute.
   */
  readonly relativeTo?: string;
}

export interface ExportResult {
  /** The lab file. */
  readonly text: string;
  /**
   * What the file does not reproduce, `path: running lab → file` (empty when loading the
   * file gives back the lab exactly), or the loader's errors when it does not load.
   */
  readonly differences: readonly string[];
}

type Obj = Record<string, unknown>;

/** Derived values to write explicitly, by idKey of the resource that holds them. */
interface Explicit {
  readonly all: boolean;
  readonly keys: ReadonlySet<string>;
}

/** At most this many rounds of "load what was written, make the misses explicit". */
const MAX_ROUNDS = 8;

/** Writes `lab` as a lab file and checks that loading it gives `lab` back. */
export function exportLab(lab: LabSnapshot, options: ExportOptions = {}): ExportResult {
  const file = join(options.relativeTo ?? '/', `${lab.name}.yml`);
  const keys = new Set<string>();
  for (let round = 0; ; round++) {
    const all = round >= MAX_ROUNDS;
    const text = labFileText(labFileObject(lab, { all, keys }, options), lab.name);
    // Node files existed when the lab started: whether they still do is not the export's business.
    const loaded = loadLabText(text, file, { checkFile: () => 'file' });
    if (!loaded.ok) {
      if (!all) {
        // A derivation may fail outright (a subnet with no free address left): write them all.
        round = MAX_ROUNDS - 1;
        continue;
      }
      return { text, differences: loaded.errors.map((e) => `${e.field}: ${e.message}`) };
    }
    const before = keys.size;
    for (const k of derivedMisses(lab.model, loaded.spec.model)) keys.add(k);
    if (all || keys.size === before) return { text, differences: labDifferences(lab, loaded.spec) };
  }
}

/** Resources whose derived values came out of the file different from the lab's. */
function derivedMisses(lab: AzureModel, file: AzureModel): string[] {
  const misses: string[] = [];
  const fileNics = new Map(file.networkInterfaces.map((n) => [idKey(n.id), n]));
  for (const vm of lab.virtualMachines) {
    const nic = primaryNic(lab, vm);
    const again = nic && fileNics.get(idKey(nic.id));
    if (nic && !same(nic.ipConfigurations, again?.ipConfigurations)) misses.push(idKey(vm.id));
  }
  const pairs: [readonly { id: string }[], readonly { id: string }[], (r: never) => unknown][] = [
    [lab.virtualNetworkGateways, file.virtualNetworkGateways, (g: VirtualNetworkGateway) => g.instanceAddresses],
    [lab.expressRouteCircuits, file.expressRouteCircuits, (c: ExpressRouteCircuit) => c.mseeAddresses],
    [lab.connections, file.connections, (c: VirtualNetworkGatewayConnection) => c.mseePeerAddresses],
  ];
  for (const [ours, theirs, value] of pairs) {
    const byId = new Map(theirs.map((r) => [idKey(r.id), r]));
    for (const r of ours) {
      const again = byId.get(idKey(r.id));
      if (!again || !same(value(r as never), value(again as never))) misses.push(idKey(r.id));
    }
  }
  return misses;
}

// ---------------------------------------------------------------------------
// The file's object, in the schema's key order

/** The lab file of `lab` as a plain object (what the YAML says). */
export function labFileObject(lab: LabSnapshot, explicit: Explicit, options: ExportOptions = {}): Obj {
  return new FileWriter(lab, explicit, options).write();
}

class FileWriter {
  private readonly m: AzureModel;
  private readonly groupNames: string[];
  private readonly groupLocations = new Map<string, string>();
  /** idKey → [resource group, name(s)], for references. */
  private readonly named = new Map<string, { group: string; name: string; kind: string }>();
  private readonly kindCount = new Map<string, number>();

  constructor(
    private readonly lab: LabSnapshot,
    private readonly explicit: Explicit,
    private readonly options: ExportOptions,
  ) {
    this.m = lab.model;
    this.groupNames = [];
    for (const g of this.m.resourceGroups) this.addGroup(g.name, g.location);
    const m = this.m;
    const collections: [string, readonly { id: string; name: string; resourceGroup: string; location: string }[]][] = [
      ['virtualNetworks', m.virtualNetworks],
      ['routeTables', m.routeTables],
      ['routeServers', m.routeServers],
      ['virtualMachines', m.virtualMachines],
      ['virtualNetworkGateways', m.virtualNetworkGateways],
      ['localNetworkGateways', m.localNetworkGateways],
      ['connections', m.connections],
      ['expressRouteCircuits', m.expressRouteCircuits],
    ];
    for (const [kind, list] of collections) {
      for (const r of list) {
        // A resource of a group the model does not list: its group takes its region.
        this.addGroup(r.resourceGroup, r.location);
        this.name(kind, r.id, r.resourceGroup, r.name);
      }
    }
    for (const v of m.virtualNetworks)
      for (const s of v.subnets) this.name('subnets', s.id, v.resourceGroup, `${v.name}/${s.name}`);
    for (const nsg of this.networkSecurityGroups()) this.name('networkSecurityGroups', nsg.id, nsg.group, nsg.name);
  }

  private addGroup(name: string, location: string): void {
    if (this.groupNames.some((g) => sameName(g, name))) return;
    this.groupNames.push(name);
    this.groupLocations.set(name.toLowerCase(), location);
  }

  private name(kind: string, id: string, group: string, name: string): void {
    this.named.set(idKey(id), { group: this.groupOf(group), name, kind });
    const k = `${kind}|${name.toLowerCase()}`;
    this.kindCount.set(k, (this.kindCount.get(k) ?? 0) + 1);
  }

  private groupOf(name: string): string {
    return this.groupNames.find((g) => sameName(g, name)) ?? name;
  }

  /**
   * A reference from a resource in `fromGroup` (nodes and routers: none): NAME in its own
   * group, RESOURCE-GROUP/NAME elsewhere or when the name is not unique in the lab, and the
   * ARM id when the target is not in the lab (the file then fails to load, and says why).
   */
  private ref(id: string, fromGroup?: string): string {
    const t = this.named.get(idKey(id));
    if (!t) return id;
    if (fromGroup !== undefined) return sameName(t.group, fromGroup) ? t.name : `${t.group}/${t.name}`;
    return this.kindCount.get(`${t.kind}|${t.name.toLowerCase()}`) === 1 ? t.name : `${t.group}/${t.name}`;
  }

  private isExplicit(id: string): boolean {
    return this.explicit.all || this.explicit.keys.has(idKey(id));
  }

  /** NSGs exist in the model only as subnets' references; each is declared where its id says. */
  private networkSecurityGroups(): { id: string; group: string; name: string; location: string }[] {
    const seen = new Map<string, { id: string; group: string; name: string; location: string }>();
    for (const v of this.m.virtualNetworks) {
      for (const s of v.subnets) {
        if (s.networkSecurityGroup === undefined || seen.has(idKey(s.networkSecurityGroup))) continue;
        const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkSecurityGroups\/([^/]+)$/i.exec(
          s.networkSecurityGroup,
        );
        if (!m) continue;
        this.addGroup(m[1]!, v.location);
        // Azure requires the VNet's region (the loader checks it); the model keeps no other.
        seen.set(idKey(s.networkSecurityGroup), {
          id: s.networkSecurityGroup,
          group: this.groupOf(m[1]!),
          name: m[2]!,
          location: v.location,
        });
      }
    }
    return [...seen.values()];
  }

  write(): Obj {
    const lab = this.lab;
    const m = this.m;
    const location = mostCommon(this.groupNames.map((g) => this.groupLocations.get(g.toLowerCase())!)) ?? 'westeurope';
    const out: Obj = { name: lab.name };
    if (m.subscriptionId !== DEFAULT_SUBSCRIPTION) out.subscriptionId = m.subscriptionId;
    out.location = location;
    if (m.systemRouteProfile !== 'current') out.systemRouteProfile = m.systemRouteProfile;
    const settings = this.settings();
    if (Object.keys(settings).length > 0) out.settings = settings;
    const groups: Obj = {};
    for (const g of this.groupNames) {
      const groupLocation = this.groupLocations.get(g.toLowerCase())!;
      groups[g] = this.group(g, groupLocation, groupLocation !== location);
    }
    out.resourceGroups = groups;
    const nodes = Object.fromEntries(lab.nodes.map((n) => [n.name, this.node(n)]));
    if (lab.nodes.length > 0) out.nodes = nodes;
    if (lab.routers.length > 0) out.routers = Object.fromEntries(lab.routers.map((r) => [r.name, this.router(r)]));
    if (lab.links?.length)
      out.links = Object.fromEntries(
        lab.links.map((l) => [l.name, { subnet: l.subnet, a: l.ends[0].name, b: l.ends[1].name }]),
      );
    return out;
  }

  private settings(): Obj {
    const s = this.lab.settings;
    const out: Obj = {};
    const d = DEFAULT_LAB_SETTINGS;
    if (s.bgpPort !== d.bgpPort) out.bgpPort = s.bgpPort;
    if (s.addressing !== d.addressing) out.addressing = s.addressing;
    if (Object.keys(s.loopbackAddresses).length > 0) out.loopbackAddresses = { ...s.loopbackAddresses };
    if (s.connectRetryTime !== d.connectRetryTime) out.connectRetryTime = s.connectRetryTime;
    if (s.capture !== d.capture) out.capture = s.capture;
    const rs: Obj = {};
    const given = this.m.routeServerSettings;
    for (const key of Object.keys(DEFAULT_ROUTE_SERVER_SETTINGS) as (keyof typeof given)[]) {
      if (given[key] !== DEFAULT_ROUTE_SERVER_SETTINGS[key]) rs[key] = given[key];
    }
    if (Object.keys(rs).length > 0) out.routeServer = rs;
    const timing: Obj = {};
    const t = s.timing ?? DEFAULT_TIMING_SETTINGS;
    if (t.profile !== DEFAULT_TIMING_SETTINGS.profile) timing.profile = t.profile;
    if (t.seed !== DEFAULT_TIMING_SETTINGS.seed) timing.seed = t.seed;
    if (Object.keys(timing).length > 0) out.timing = timing;
    return out;
  }

  private group(g: string, location: string, writeLocation: boolean): Obj {
    const m = this.m;
    const inGroup = <T extends { resourceGroup: string }>(list: readonly T[]) =>
      list.filter((r) => sameName(r.resourceGroup, g));
    const at = (l: string): Obj => (l !== location ? { location: l } : {});
    const out: Obj = writeLocation ? { location } : {};
    const put = (key: string, entries: [string, Obj][]) => {
      if (entries.length > 0) out[key] = Object.fromEntries(entries);
    };

    put(
      'virtualNetworks',
      inGroup(m.virtualNetworks).map((v) => {
        const subnets = v.subnets.map((s): [string, Obj] => [
          s.name,
          {
            addressPrefix: s.addressPrefix,
            ...(s.routeTable !== undefined ? { routeTable: this.ref(s.routeTable, g) } : {}),
            ...(s.networkSecurityGroup !== undefined
              ? { networkSecurityGroup: this.ref(s.networkSecurityGroup, g) }
              : {}),
          },
        ]);
        const peerings = v.virtualNetworkPeerings.map((p): [string, Obj] => [
          p.name,
          {
            remoteVirtualNetwork: this.ref(p.remoteVirtualNetwork, g),
            ...(p.allowVirtualNetworkAccess ? {} : { allowVirtualNetworkAccess: false }),
            ...(p.allowForwardedTraffic ? { allowForwardedTraffic: true } : {}),
            ...(p.allowGatewayTransit ? { allowGatewayTransit: true } : {}),
            ...(p.useRemoteGateways ? { useRemoteGateways: true } : {}),
          },
        ]);
        return [
          v.name,
          {
            ...at(v.location),
            addressPrefixes: [...v.addressPrefixes],
            ...(subnets.length > 0 ? { subnets: Object.fromEntries(subnets) } : {}),
            ...(peerings.length > 0 ? { virtualNetworkPeerings: Object.fromEntries(peerings) } : {}),
          },
        ];
      }),
    );
    put(
      'routeTables',
      inGroup(m.routeTables).map((t) => [
        t.name,
        {
          ...at(t.location),
          ...(t.disableBgpRoutePropagation ? { disableBgpRoutePropagation: true } : {}),
          ...(t.routes.length > 0
            ? {
                routes: Object.fromEntries(
                  t.routes.map((r) => [
                    r.name,
                    {
                      addressPrefix: r.addressPrefix,
                      nextHopType: r.nextHopType,
                      ...(r.nextHopIpAddress !== undefined ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
                    },
                  ]),
                ),
              }
            : {}),
        },
      ]),
    );
    put(
      'networkSecurityGroups',
      this.networkSecurityGroups()
        .filter((n) => sameName(n.group, g))
        .map((n) => [n.name, at(n.location)]),
    );
    put(
      'routeServers',
      inGroup(m.routeServers).map((rs) => [
        rs.name,
        {
          ...at(rs.location),
          subnet: this.ref(rs.subnet, g),
          ...(rs.allowBranchToBranchTraffic ? { allowBranchToBranchTraffic: true } : {}),
          ...(rs.hubRoutingPreference !== 'ExpressRoute' ? { hubRoutingPreference: rs.hubRoutingPreference } : {}),
          ...(rs.bgpConnections.length > 0
            ? {
                peerings: Object.fromEntries(
                  rs.bgpConnections.map((c) => [c.name, { peerIp: c.peerIp, peerAsn: c.peerAsn }]),
                ),
              }
            : {}),
        },
      ]),
    );
    put(
      'virtualMachines',
      inGroup(m.virtualMachines).map((vm) => [vm.name, this.virtualMachine(vm, g, location)]),
    );
    put(
      'virtualNetworkGateways',
      inGroup(m.virtualNetworkGateways).map((gw) => {
        const isEr = gw.gatewayType === 'ExpressRoute';
        return [
          gw.name,
          {
            ...at(gw.location),
            gatewayType: gw.gatewayType,
            ...(gw.sku !== DEFAULT_GATEWAY_SKU[gw.gatewayType] ? { sku: gw.sku } : {}),
            virtualNetwork: this.ref(gw.virtualNetwork, g),
            // An ExpressRoute gateway is always active-active and the key is refused on it.
            ...(!isEr && gw.activeActive ? { activeActive: true } : {}),
            ...(gw.enableBgp !== isEr ? { enableBgp: gw.enableBgp } : {}),
            ...(gw.asn !== ROUTE_SERVER_ASN ? { asn: gw.asn } : {}),
            ...(this.isExplicit(gw.id) ? { instanceAddresses: [...gw.instanceAddresses] } : {}),
            ...(gw.publicIpAddresses.length > 0 ? { publicIpAddresses: [...gw.publicIpAddresses] } : {}),
            ...(gw.customBgpIpAddresses.length > 0 ? { customBgpIpAddresses: [...gw.customBgpIpAddresses] } : {}),
          },
        ];
      }),
    );
    put(
      'localNetworkGateways',
      inGroup(m.localNetworkGateways).map((l) => [
        l.name,
        {
          ...at(l.location),
          gatewayIpAddress: l.gatewayIpAddress,
          ...(l.addressPrefixes.length > 0 ? { addressPrefixes: [...l.addressPrefixes] } : {}),
          ...(l.bgpSettings
            ? { bgpSettings: { asn: l.bgpSettings.asn, bgpPeeringAddress: l.bgpSettings.bgpPeeringAddress } }
            : {}),
        },
      ]),
    );
    put(
      'connections',
      inGroup(m.connections).map((c) => [
        c.name,
        {
          ...at(c.location),
          connectionType: c.connectionType,
          virtualNetworkGateway1: this.ref(c.virtualNetworkGateway1, g),
          ...(c.peer !== undefined ? { peer: this.ref(c.peer, g) } : {}),
          ...(c.localNetworkGateway2 !== undefined
            ? { localNetworkGateway2: this.ref(c.localNetworkGateway2, g) }
            : {}),
          ...(c.routingWeight !== 0 ? { routingWeight: c.routingWeight } : {}),
          ...(c.enableBgp !== (c.connectionType === 'ExpressRoute') ? { enableBgp: c.enableBgp } : {}),
          ...(c.gatewayCustomBgpIpAddresses !== undefined
            ? { gatewayCustomBgpIpAddresses: [...c.gatewayCustomBgpIpAddresses] }
            : {}),
          ...(c.gatewayInstances !== undefined ? { gatewayInstances: [...c.gatewayInstances] } : {}),
          ...(c.mseePeerAddresses && this.isExplicit(c.id) ? { mseePeerAddresses: [...c.mseePeerAddresses] } : {}),
        },
      ]),
    );
    put(
      'expressRouteCircuits',
      inGroup(m.expressRouteCircuits).map((c) => {
        const pp = c.peerings.find((p) => p.name === 'AzurePrivatePeering');
        return [
          c.name,
          {
            ...at(c.location),
            serviceProviderName: c.serviceProviderName,
            peeringLocation: c.peeringLocation,
            bandwidthInMbps: c.bandwidthInMbps,
            ...(c.skuTier !== 'Standard' ? { skuTier: c.skuTier } : {}),
            ...(pp
              ? {
                  peerings: { AzurePrivatePeering: privatePeeringFields(pp) },
                }
              : {}),
            ...(this.isExplicit(c.id) ? { mseeAddresses: [...c.mseeAddresses] } : {}),
            ...(c.globalReachConnections.length > 0
              ? {
                  globalReachConnections: Object.fromEntries(
                    c.globalReachConnections.map((gr) => [
                      gr.name,
                      { peerCircuit: this.ref(gr.peerCircuit, g), addressPrefix: gr.addressPrefix },
                    ]),
                  ),
                }
              : {}),
          },
        ];
      }),
    );
    return out;
  }

  private virtualMachine(vm: VirtualMachine, g: string, location: string): Obj {
    const nic = primaryNic(this.m, vm);
    const ipc = nic?.ipConfigurations.find((c) => c.primary) ?? nic?.ipConfigurations[0];
    // Without a NIC the file cannot say where the VM is: `subnet` is required, so the
    // written file fails to load and the export reports it.
    return {
      ...(vm.location !== location ? { location: vm.location } : {}),
      subnet: ipc ? this.ref(ipc.subnet, g) : '',
      ...(ipc && this.isExplicit(vm.id) ? { privateIPAddress: ipc.privateIPAddress } : {}),
      ...(nic?.enableIPForwarding ? { enableIPForwarding: true } : {}),
      ...(nic && nic.name !== `${vm.name}VMNic` ? { nicName: nic.name } : {}),
      ...(ipc && ipc.name !== ipConfigurationName(vm.name) ? { ipConfigurationName: ipc.name } : {}),
    };
  }

  private node(n: NodeSpec): Obj {
    const vm = n.vm !== undefined ? { vm: this.ref(n.vm) } : {};
    if (n.kind === 'http') {
      return {
        kind: 'http',
        ...vm,
        ...(n.port !== 80 ? { port: n.port } : {}),
        ...(n.loopbackPort !== undefined ? { loopbackPort: n.loopbackPort } : {}),
        ...(n.body !== undefined ? { body: n.body } : {}),
      };
    }
    if (n.kind === 'speaker') {
      return {
        kind: 'speaker',
        ...vm,
        asn: n.asn,
        ...(n.routerId !== undefined ? { routerId: n.routerId } : {}),
        ...(n.holdTime !== 180 ? { holdTime: n.holdTime } : {}),
        ...(n.peerWith !== 'both' ? { peerWith: n.peerWith } : {}),
        ...(n.routes.length > 0 ? { routes: n.routes.map((r) => this.route(r)) } : {}),
      };
    }
    return {
      kind: n.kind,
      ...vm,
      ...(n.asn !== undefined ? { asn: n.asn } : {}),
      ...(n.attach !== undefined ? { attach: n.attach.map((a) => this.attachment(a)) } : {}),
      config: this.path(n.config),
      ...(n.loopbackConfig !== undefined ? { loopbackConfig: this.path(n.loopbackConfig) } : {}),
      ...(n.env !== undefined ? { env: { ...n.env } } : {}),
    };
  }

  private router(r: RouterNodeSpec): Obj {
    return {
      asn: r.asn,
      ...(r.routerId !== r.attach[0]?.address ? { routerId: r.routerId } : {}),
      ...(r.attach.length ? { attach: r.attach.map((a) => this.attachment(a)) } : {}),
      ...(r.routes.length > 0
        ? { routes: r.routes.map((route) => ({ ...this.route(route), ...(route.on ? { on: [...route.on] } : {}) })) }
        : {}),
      ...(r.importPrefixes !== undefined ? { importPrefixes: [...r.importPrefixes] } : {}),
      ...(r.prependToAzure !== undefined ? { prependToAzure: r.prependToAzure } : {}),
      ...(r.holdTime !== undefined ? { holdTime: r.holdTime } : {}),
      ...(r.bfd !== undefined ? { bfd: r.bfd } : {}),
      ...(r.profile !== undefined ? { profile: r.profile } : {}),
      ...(r.transit ? { transit: true } : {}),
      ...(r.policy ? policyFields(r.policy) : {}),
      ...(r.neighbors
        ? {
            neighbors: r.neighbors.map((n) => ({
              ...(n.attach !== undefined ? { attach: n.attach } : { link: n.link }),
              ...policyFields(n),
            })),
          }
        : {}),
    };
  }

  private route(r: SpeakerRouteSpec): Obj {
    return {
      prefix: r.prefix,
      ...(r.nextHop !== undefined ? { nextHop: r.nextHop } : {}),
      ...(r.asPath !== undefined ? { asPath: [...r.asPath] } : {}),
      ...(r.origin !== undefined && r.origin !== 'igp' ? { origin: r.origin } : {}),
      ...(r.med !== undefined ? { med: r.med } : {}),
      ...(r.communities !== undefined ? { communities: [...r.communities] } : {}),
      ...(r.largeCommunities !== undefined ? { largeCommunities: [...r.largeCommunities] } : {}),
    };
  }

  private attachment(a: Attachment): Obj {
    return a.kind === 'expressRoute'
      ? { circuit: this.ref(a.circuit), link: a.link }
      : { localNetworkGateway: this.ref(a.localNetworkGateway) };
  }

  private path(file: string): string {
    const base = this.options.relativeTo;
    if (base === undefined) return file;
    const r = relative(base, file);
    return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : file;
  }
}

/** A circuit's private peering as the lab file writes it (ARM's names, in the schema's order). */
export function privatePeeringFields(pp: {
  readonly peerASN?: unknown;
  readonly primaryPeerAddressPrefix?: unknown;
  readonly secondaryPeerAddressPrefix?: unknown;
  readonly vlanId?: unknown;
}): Obj {
  return {
    peerASN: pp.peerASN,
    primaryPeerAddressPrefix: pp.primaryPeerAddressPrefix,
    secondaryPeerAddressPrefix: pp.secondaryPeerAddressPrefix,
    vlanId: pp.vlanId,
  };
}

function primaryNic(m: AzureModel, vm: VirtualMachine) {
  const id = vm.networkInterfaces[0];
  return id === undefined ? undefined : m.networkInterfaces.find((n) => idKey(n.id) === idKey(id));
}

/** The value found most often (the first of equals); undefined for none. */
export function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, c] of counts) if (best === undefined || c > counts.get(best)!) best = v;
  return best;
}

// ---------------------------------------------------------------------------
// YAML

/**
 * The file's text: block style for the structure, flow style for leaves (a mapping of
 * scalars, a list of scalars), as docs/lab-file.md writes lab files. The `yaml` package
 * the loader reads with writes it, so what is written reads back to the same values.
 */
export function labFileText(file: Obj, name: string): string {
  const doc = new Document(file);
  visit(doc, {
    Map(_, node) {
      if (node.items.length > 0 && node.items.every((p) => isScalar(p.value) || isScalarSeq(p.value))) node.flow = true;
    },
    Seq(_, node) {
      if (isScalarSeq(node)) node.flow = true;
    },
  });
  doc.commentBefore = ` Lab '${name}', written by arslab export from the running lab (docs/lab-file.md).`;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

function isScalarSeq(node: unknown): boolean {
  return isSeq(node) && node.items.every((i) => isScalar(i));
}

// ---------------------------------------------------------------------------
// Comparison

/**
 * How two labs differ, as `path: a → b` lines (empty when they are the same lab): the
 * model with its resources compared by ARM id (case-insensitive, as Azure compares them),
 * the nodes and routers by name, the settings. File paths and load warnings are not the
 * lab. At most `limit` lines.
 */
export function labDifferences(a: LabSnapshot, b: LabSnapshot, limit = 50): string[] {
  const out: string[] = [];
  diff(canonicalLab(a), canonicalLab(b), 'lab', out, limit);
  return out;
}

/** A lab in a form where equal labs are deep-equal: collections keyed by id or name. */
export function canonicalLab(lab: LabSnapshot): Obj {
  const m = lab.model;
  const byId = <T extends { id: string }>(list: readonly T[]) =>
    Object.fromEntries([...list].map((r) => [idKey(r.id), r]).sort(([x], [y]) => (x! < y! ? -1 : x! > y! ? 1 : 0)));
  const byName = <T extends { name: string }>(list: readonly T[]) =>
    Object.fromEntries([...list].map((r) => [r.name, r]).sort(([x], [y]) => ((x as string) < (y as string) ? -1 : 1)));
  return {
    name: lab.name,
    // A lab built in code may leave timing unset: the loader's default then (ADR 0018).
    settings: { ...lab.settings, timing: lab.settings.timing ?? DEFAULT_TIMING_SETTINGS },
    model: {
      subscriptionId: m.subscriptionId,
      systemRouteProfile: m.systemRouteProfile,
      routeServerSettings: m.routeServerSettings,
      resourceGroups: Object.fromEntries(m.resourceGroups.map((g) => [g.name.toLowerCase(), g])),
      virtualNetworks: byId(m.virtualNetworks),
      routeTables: byId(m.routeTables),
      networkInterfaces: byId(m.networkInterfaces),
      virtualMachines: byId(m.virtualMachines),
      routeServers: byId(m.routeServers),
      virtualNetworkGateways: byId(m.virtualNetworkGateways),
      localNetworkGateways: byId(m.localNetworkGateways),
      connections: byId(m.connections),
      expressRouteCircuits: byId(m.expressRouteCircuits),
    },
    nodes: byName(lab.nodes.map((n) => (n.kind === 'speaker' ? { ...n, routes: n.routes.map(withOrigin) } : n))),
    routers: byName(lab.routers.map((r) => ({ ...r, routes: r.routes.map(withOrigin) }))),
  };
}

/** A route without origin is announced with IGP (RFC 4271 §5.1.1 default the speakers use). */
function withOrigin<T extends SpeakerRouteSpec>(r: T): T {
  return r.origin === undefined ? { ...r, origin: 'igp' } : r;
}

function diff(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (Object.is(a, b)) return;
  const aObj = typeof a === 'object' && a !== null;
  const bObj = typeof b === 'object' && b !== null;
  if (aObj && bObj && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        out.push(`${path}: ${show(a)} → ${show(b)}`);
        return;
      }
      a.forEach((x, i) => diff(x, b[i], `${path}[${i}]`, out, limit));
      return;
    }
    const ao = a as Obj;
    const bo = b as Obj;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      const p = /^[A-Za-z_][\w-]*$/.test(k) ? `${path}.${k}` : `${path}[${k}]`;
      if (!(k in bo)) out.push(`${p}: only in the running lab`);
      else if (!(k in ao)) out.push(`${p}: only in the file`);
      else diff(ao[k], bo[k], p, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  out.push(`${path}: ${show(a)} → ${show(b)}`);
}

function show(v: unknown): string {
  return v === undefined ? 'absent' : JSON.stringify(v);
}

function same(a: unknown, b: unknown): boolean {
  const out: string[] = [];
  diff(a, b, '', out, 1);
  return out.length === 0;
}

/** A router's policy fields as the lab file writes them (ADR 0039): the loader's shapes, defaults left out. */
function policyFields(p: NeighborPolicySpec): Obj {
  const entry = (e: RoutePolicyEntrySpec): Obj => ({
    ...(e.action !== 'permit' ? { action: e.action } : {}),
    ...(e.match ? { match: structuredClone(e.match) } : {}),
    ...(e.prepend ? { prepend: e.prepend.asn === undefined ? e.prepend.count : { ...e.prepend } } : {}),
    ...(e.communities ? { communities: structuredClone(e.communities) } : {}),
    ...(e.largeCommunities ? { largeCommunities: structuredClone(e.largeCommunities) } : {}),
    ...(e.localPref !== undefined ? { localPref: e.localPref } : {}),
    ...(e.med !== undefined ? { med: e.med } : {}),
  });
  const rp = p.removePrivateAs;
  return {
    ...(p.import ? { import: p.import.map(entry) } : {}),
    ...(p.export ? { export: p.export.map(entry) } : {}),
    ...(rp
      ? {
          removePrivateAs:
            rp.all || rp.replaceAs
              ? { ...(rp.all ? { all: true } : {}), ...(rp.replaceAs ? { replaceAs: true } : {}) }
              : true,
        }
      : {}),
    ...(p.asOverride !== undefined ? { asOverride: p.asOverride } : {}),
  };
}
