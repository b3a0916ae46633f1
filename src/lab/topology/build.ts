/**
 * @module lab/topology/build
 * From a schema-checked lab file to what the runtime needs: the Azure model (ids, parsed
 * prefixes, NICs, Route Server addresses) and the nodes, with every reference resolved.
 *
 * Checks here are the ones that need more than one value: references, names that differ
 * only in case (Azure treats them as one), regions that must match, IP allocation, node
 * files and addresses. Azure's own rules over the finished model live in
 * src/azure/validate.ts; `sources` lets the loader point its findings back at the file.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import {
  checkPeerAsn,
  DEFAULT_GATEWAY_SKU,
  GATEWAY_SUBNET_NAME,
  idKey,
  privatePeeringOf,
  resourceId,
  ROUTE_SERVER_ASN,
  sameName,
  virtualRouterIps,
  vmId,
  type AzureModel,
  type BgpConnection,
  type ExpressRouteCircuit,
  type ExpressRouteCircuitPeering,
  type GlobalReachConnection,
  type LocalNetworkGateway,
  type NetworkInterface,
  type RouteServer,
  type RouteTable,
  type Subnet,
  type VirtualMachine,
  type VirtualNetwork,
  type VirtualNetworkGateway,
  type VirtualNetworkGatewayConnection,
  type VirtualNetworkPeering,
} from '../../azure/index.js';
import { defaultInstanceAddresses, derivedMseeAddresses, freeMseePeerPair } from '../../azure/hybridAddresses.js';
import {
  formatIpv4,
  formatPrefix,
  parseIpv4,
  parsePrefix,
  prefixContains,
  v4Prefix,
  type Ipv4Prefix,
  type Prefix,
} from '../../bgp/wire/index.js';
import {
  httpBoundPort,
  type Attachment,
  type HttpNodeSpec,
  type LabSettings,
  type NodeSpec,
  type RouterNodeSpec,
  type CustomerLinkEnd,
  type CustomerLinkSpec,
  type RouterRouteSpec,
  type SpeakerRouteSpec,
  type NeighborPolicySpec,
  type RoutePolicyEntrySpec,
  type RouterNeighborSpec,
} from '../spec.js';
import type { Path, ProblemCollector } from '../../config/index.js';
import { ReferenceResolver, type Declared, type ReferenceKind, type Unusable } from './references.js';
import type { LabFile, LabFileAttachment } from './schema.js';

/** Where each resource of the model was declared, to report Azure's findings there. */
export interface ModelSource {
  readonly path: Path;
  /** Model property name → lab file key, where they differ (a NIC's properties live on its VM). */
  readonly properties?: Readonly<Record<string, string>>;
}

export type FileCheck = 'file' | 'missing' | 'not-a-file' | 'unreadable';

export interface BuildOptions {
  /** Absolute path of the lab file: relative node files resolve against its folder. */
  readonly labFile: string;
  readonly problems: ProblemCollector;
  /** Parts of the file the schema rejected (see issues.ts `unusableEntry`). */
  readonly unusable: readonly Unusable[];
  /**
   * True when a schema error dropped part of the file. Warnings that reason about the
   * whole lab ("no node peers with this") would then be wrong, so they are skipped.
   */
  readonly partial: boolean;
  readonly checkFile: (absolutePath: string) => FileCheck;
}

export interface BuildResult {
  readonly model: AzureModel;
  readonly settings: LabSettings;
  readonly nodes: NodeSpec[];
  readonly routers: RouterNodeSpec[];
  readonly links: CustomerLinkSpec[];
  /** idKey(resource id) → where it was declared. */
  readonly sources: ReadonlyMap<string, ModelSource>;
}

/** A node file must be a regular file the daemon can read. Never throws. */
export function defaultCheckFile(absolutePath: string): FileCheck {
  try {
    if (!statSync(absolutePath).isFile()) return 'not-a-file';
    accessSync(absolutePath, constants.R_OK);
    return 'file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a component of the path is a file, which for the user means "not there".
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
}

type Group = LabFile['resourceGroups'][string];
type VnetInput = Group['virtualNetworks'][string];
type VmInput = Group['virtualMachines'][string];
type CircuitInput = Group['expressRouteCircuits'][string];

interface GroupEntry {
  readonly name: string;
  /** Its own location, or the lab's. */
  readonly location: string;
  readonly value: Group;
  readonly path: Path;
}

/** What the model knows about a subnet while the lab is being built. */
interface BuiltSubnet {
  readonly vnet: VirtualNetwork;
  readonly subnet: Subnet;
}

interface BuiltVm {
  readonly vm: VirtualMachine;
  /** Undefined when no address could be given (its subnet is full or unusable). */
  readonly address: string | undefined;
}

const AZURE_NAMES_NOTE = 'Azure names are case-insensitive';

export function buildLab(lab: LabFile, options: BuildOptions): BuildResult {
  return new LabBuilder(lab, options).build();
}

class LabBuilder {
  private readonly problems: ProblemCollector;
  private readonly sub: string;
  private readonly sources = new Map<string, ModelSource>();
  /** Resource groups in file order, case duplicates dropped. */
  private readonly groups: GroupEntry[] = [];
  private readonly declared: Declared[] = [];
  private resolver!: ReferenceResolver;

  private readonly routeTables = new Map<string, RouteTable>();
  private readonly nsgLocations = new Map<string, string>();
  private readonly vnets = new Map<string, VirtualNetwork>();
  private readonly subnets = new Map<string, BuiltSubnet>();
  private readonly routeServers: RouteServer[] = [];
  private readonly nics: NetworkInterface[] = [];
  private readonly vms = new Map<string, BuiltVm>();
  private readonly gateways = new Map<string, VirtualNetworkGateway>();
  private readonly localNetworkGateways = new Map<string, LocalNetworkGateway>();
  private readonly connections: VirtualNetworkGatewayConnection[] = [];
  private readonly circuits = new Map<string, ExpressRouteCircuit>();
  /** Circuit link or VPN site (idKey) → who is attached there: one router per link or site. */
  private readonly attached = new Map<string, string>();
  /** Addresses nodes and routers run at → who runs there. */
  private readonly runningAt = new Map<string, string>();

  constructor(
    private readonly lab: LabFile,
    private readonly options: BuildOptions,
  ) {
    this.problems = options.problems;
    this.sub = lab.subscriptionId;
  }

  build(): BuildResult {
    this.declareAll();
    this.resolver = new ReferenceResolver(
      this.sub,
      this.groups.map((g) => g.name),
      this.declared,
      this.options.unusable,
    );
    for (const g of this.groups) this.buildRouteTables(g);
    for (const g of this.groups) this.buildNetworkSecurityGroups(g);
    // VNets before their peerings: a peering may point at any VNet of the lab.
    const vnetInputs: { g: GroupEntry; name: string; value: VnetInput; path: Path }[] = [];
    for (const g of this.groups) {
      for (const [name, value] of uniqueEntries(
        this.problems,
        g.value.virtualNetworks,
        [...g.path, 'virtualNetworks'],
        'virtual network',
      )) {
        vnetInputs.push({ g, name, value, path: [...g.path, 'virtualNetworks', name] });
      }
    }
    for (const v of vnetInputs) this.buildVirtualNetwork(v.g.name, v.g.location, v.name, v.value, v.path);
    for (const v of vnetInputs) this.buildVirtualNetworkPeerings(v.g.name, v.name, v.value, v.path);
    this.checkPeeredAddressSpaces();
    for (const g of this.groups) this.buildRouteServers(g);
    this.buildVirtualMachines();
    // Hybrid: circuits and sites before the gateways' connections to them.
    this.buildExpressRouteCircuits();
    for (const g of this.groups) this.buildLocalNetworkGateways(g);
    for (const g of this.groups) this.buildVirtualNetworkGateways(g);
    for (const g of this.groups) this.buildConnections(g);
    this.allocateMseePeerAddresses();

    const model: AzureModel = {
      subscriptionId: this.sub,
      systemRouteProfile: this.lab.systemRouteProfile,
      routeServerSettings: { ...this.lab.settings.routeServer },
      resourceGroups: this.groups.map((g) => ({ name: g.name, location: g.location })),
      virtualNetworks: [...this.vnets.values()],
      routeTables: [...this.routeTables.values()],
      networkInterfaces: this.nics,
      virtualMachines: [...this.vms.values()].map((b) => b.vm),
      routeServers: this.routeServers,
      virtualNetworkGateways: [...this.gateways.values()],
      localNetworkGateways: [...this.localNetworkGateways.values()],
      connections: this.connections,
      expressRouteCircuits: [...this.circuits.values()],
    };
    const settings = this.buildSettings();
    const nodes = this.buildNodes(model);
    const routers = this.buildRouters(model, nodes);
    const links = this.buildLinks(nodes, routers);
    return { model, settings, nodes, routers, links, sources: this.sources };
  }

  // -------------------------------------------------------------------------
  // Names

  /** Registers every referable resource, so references resolve whatever the file order. */
  private declareAll(): void {
    for (const [name, value] of uniqueEntries(
      this.problems,
      this.lab.resourceGroups,
      ['resourceGroups'],
      'resource group',
    )) {
      const path = ['resourceGroups', name];
      const location = value.location ?? this.lab.location;
      // The lab's location is optional (an empty lab has no group to place), so a group
      // without its own needs the lab's.
      if (location === undefined)
        this.problems.error(path, `resource group '${name}' has no location: give it one, or the lab a location`);
      this.groups.push({ name, location: location ?? '', value, path });
    }
    for (const g of this.groups) {
      const kinds: [ReferenceKind, Record<string, unknown>][] = [
        ['virtualNetworks', g.value.virtualNetworks],
        ['routeTables', g.value.routeTables],
        ['networkSecurityGroups', g.value.networkSecurityGroups],
        ['virtualMachines', g.value.virtualMachines],
        ['virtualNetworkGateways', g.value.virtualNetworkGateways],
        ['localNetworkGateways', g.value.localNetworkGateways],
        ['expressRouteCircuits', g.value.expressRouteCircuits],
      ];
      for (const [kind, record] of kinds) {
        // Duplicates are reported where each collection is built; declare first spellings only.
        for (const name of firstSpellings(Object.keys(record))) {
          this.declared.push({ kind, resourceGroup: g.name, name: [name] });
        }
      }
      for (const vnetName of firstSpellings(Object.keys(g.value.virtualNetworks))) {
        const vnet = g.value.virtualNetworks[vnetName]!;
        for (const subnetName of firstSpellings(Object.keys(vnet.subnets))) {
          this.declared.push({ kind: 'subnets', resourceGroup: g.name, name: [vnetName, subnetName] });
        }
      }
    }
  }

  /** Resolves a reference and reports it when it does not resolve. */
  private lookup(kind: ReferenceKind, text: string, fromGroup: string | undefined, at: Path): Declared | undefined {
    const r = this.resolver.resolve(kind, text, fromGroup);
    if (r.status === 'found') return r.target;
    if (r.status === 'error') this.problems.error(at, r.message);
    return undefined;
  }

  private subnetOf(target: Declared): BuiltSubnet | undefined {
    return this.subnets.get(idKey(this.subnetId(target)));
  }

  private subnetId(target: Declared): string {
    return resourceId(this.sub, target.resourceGroup, 'virtualNetworks', target.name[0]!, 'subnets', target.name[1]!);
  }

  // -------------------------------------------------------------------------
  // Resources

  private buildRouteTables(g: GroupEntry): void {
    for (const [name, rt] of uniqueEntries(
      this.problems,
      g.value.routeTables,
      [...g.path, 'routeTables'],
      'route table',
    )) {
      const path = [...g.path, 'routeTables', name];
      const id = resourceId(this.sub, g.name, 'routeTables', name);
      const routes = uniqueEntries(this.problems, rt.routes, [...path, 'routes'], 'route').map(([routeName, r]) => ({
        name: routeName,
        addressPrefix: r.addressPrefix,
        nextHopType: r.nextHopType,
        ...(r.nextHopIpAddress !== undefined ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
      }));
      this.routeTables.set(idKey(id), {
        id,
        name,
        resourceGroup: g.name,
        location: rt.location ?? g.location,
        disableBgpRoutePropagation: rt.disableBgpRoutePropagation,
        routes,
      });
      this.sources.set(idKey(id), { path });
    }
  }

  private buildNetworkSecurityGroups(g: GroupEntry): void {
    for (const [name, nsg] of uniqueEntries(
      this.problems,
      g.value.networkSecurityGroups,
      [...g.path, 'networkSecurityGroups'],
      'network security group',
    )) {
      const id = resourceId(this.sub, g.name, 'networkSecurityGroups', name);
      this.nsgLocations.set(idKey(id), nsg.location ?? g.location);
      this.sources.set(idKey(id), { path: [...g.path, 'networkSecurityGroups', name] });
    }
  }

  private buildVirtualNetwork(group: string, groupLocation: string, name: string, v: VnetInput, path: Path): void {
    const id = resourceId(this.sub, group, 'virtualNetworks', name);
    const location = v.location ?? groupLocation;
    const subnets: Subnet[] = [];
    for (const [subnetName, s] of uniqueEntries(this.problems, v.subnets, [...path, 'subnets'], 'subnet')) {
      const subnetPath = [...path, 'subnets', subnetName];
      const subnetId = resourceId(this.sub, group, 'virtualNetworks', name, 'subnets', subnetName);
      let routeTable: string | undefined;
      if (s.routeTable !== undefined) {
        const target = this.lookup('routeTables', s.routeTable, group, [...subnetPath, 'routeTable']);
        const table =
          target &&
          this.routeTables.get(idKey(resourceId(this.sub, target.resourceGroup, 'routeTables', target.name[0]!)));
        if (table) {
          routeTable = table.id;
          this.sameRegion(
            [...subnetPath, 'routeTable'],
            `route table '${table.resourceGroup}/${table.name}'`,
            table.location,
            `virtual network '${name}'`,
            location,
          );
        }
      }
      let networkSecurityGroup: string | undefined;
      if (s.networkSecurityGroup !== undefined) {
        const target = this.lookup('networkSecurityGroups', s.networkSecurityGroup, group, [
          ...subnetPath,
          'networkSecurityGroup',
        ]);
        if (target) {
          networkSecurityGroup = resourceId(this.sub, target.resourceGroup, 'networkSecurityGroups', target.name[0]!);
          const nsgLocation = this.nsgLocations.get(idKey(networkSecurityGroup));
          if (nsgLocation !== undefined) {
            this.sameRegion(
              [...subnetPath, 'networkSecurityGroup'],
              `network security group '${target.resourceGroup}/${target.name[0]}'`,
              nsgLocation,
              `virtual network '${name}'`,
              location,
            );
          }
        }
      }
      subnets.push({
        id: subnetId,
        name: subnetName,
        addressPrefix: s.addressPrefix,
        prefix: prefixOf(s.addressPrefix),
        ...(routeTable !== undefined ? { routeTable } : {}),
        ...(networkSecurityGroup !== undefined ? { networkSecurityGroup } : {}),
      });
      this.sources.set(idKey(subnetId), { path: subnetPath });
    }
    const vnet: VirtualNetwork = {
      id,
      name,
      resourceGroup: group,
      location,
      addressPrefixes: [...v.addressPrefixes],
      prefixes: v.addressPrefixes.map(prefixOf),
      subnets,
      virtualNetworkPeerings: [],
    };
    this.vnets.set(idKey(id), vnet);
    for (const subnet of subnets) this.subnets.set(idKey(subnet.id), { vnet, subnet });
    this.sources.set(idKey(id), { path });
  }

  private buildVirtualNetworkPeerings(group: string, name: string, v: VnetInput, path: Path): void {
    const vnet = this.vnets.get(idKey(resourceId(this.sub, group, 'virtualNetworks', name)));
    if (!vnet) return;
    const peerings: VirtualNetworkPeering[] = [];
    const remotes = new Map<string, string>();
    for (const [peeringName, p] of uniqueEntries(
      this.problems,
      v.virtualNetworkPeerings,
      [...path, 'virtualNetworkPeerings'],
      'virtual network peering',
    )) {
      const peeringPath = [...path, 'virtualNetworkPeerings', peeringName];
      const at = [...peeringPath, 'remoteVirtualNetwork'];
      const target = this.lookup('virtualNetworks', p.remoteVirtualNetwork, group, at);
      const remote =
        target && this.vnets.get(idKey(resourceId(this.sub, target.resourceGroup, 'virtualNetworks', target.name[0]!)));
      if (!remote) continue;
      if (idKey(remote.id) === idKey(vnet.id)) {
        this.problems.error(at, `virtual network '${name}' cannot peer with itself`);
        continue;
      }
      const earlier = remotes.get(idKey(remote.id));
      if (earlier !== undefined) {
        this.problems.error(
          at,
          `virtual network '${name}' already peers with '${remote.resourceGroup}/${remote.name}' through peering '${earlier}'; Azure allows one peering per pair`,
        );
        continue;
      }
      remotes.set(idKey(remote.id), peeringName);
      const id = resourceId(this.sub, group, 'virtualNetworks', name, 'virtualNetworkPeerings', peeringName);
      peerings.push({
        id,
        name: peeringName,
        remoteVirtualNetwork: remote.id,
        allowVirtualNetworkAccess: p.allowVirtualNetworkAccess,
        allowForwardedTraffic: p.allowForwardedTraffic,
        allowGatewayTransit: p.allowGatewayTransit,
        useRemoteGateways: p.useRemoteGateways,
      });
      this.sources.set(idKey(id), { path: peeringPath });
    }
    const built: VirtualNetwork = { ...vnet, virtualNetworkPeerings: peerings };
    this.vnets.set(idKey(vnet.id), built);
    for (const subnet of built.subnets) this.subnets.set(idKey(subnet.id), { vnet: built, subnet });
  }

  /** Azure refuses to peer VNets whose address spaces overlap (the routes would be ambiguous). */
  private checkPeeredAddressSpaces(): void {
    for (const vnet of this.vnets.values()) {
      for (const p of vnet.virtualNetworkPeerings) {
        const remote = this.vnets.get(idKey(p.remoteVirtualNetwork));
        if (!remote) continue;
        for (const a of vnet.prefixes) {
          const b = remote.prefixes.find((rp) => prefixContains(a, rp) || prefixContains(rp, a));
          if (b) {
            const source = this.sources.get(idKey(p.id));
            if (source) {
              this.problems.error(
                [...source.path, 'remoteVirtualNetwork'],
                `cannot peer '${vnet.name}' with '${remote.name}': address space ${formatPrefix(a)} overlaps ${formatPrefix(b)} of '${remote.name}' (VnetAddressSpacesOverlap)`,
              );
            }
            break;
          }
        }
      }
    }
  }

  private buildRouteServers(g: GroupEntry): void {
    for (const [name, rs] of uniqueEntries(
      this.problems,
      g.value.routeServers,
      [...g.path, 'routeServers'],
      'route server',
    )) {
      const path = [...g.path, 'routeServers', name];
      const id = resourceId(this.sub, g.name, 'virtualHubs', name);
      const target = this.lookup('subnets', rs.subnet, g.name, [...path, 'subnet']);
      const built = target && this.subnetOf(target);
      if (!built) continue;
      const location = rs.location ?? g.location;
      this.sameRegion(
        rs.location !== undefined ? [...path, 'location'] : [...path, 'subnet'],
        `route server '${name}'`,
        location,
        `its virtual network '${built.vnet.name}'`,
        built.vnet.location,
      );
      const bgpConnections: BgpConnection[] = uniqueEntries(
        this.problems,
        rs.peerings,
        [...path, 'peerings'],
        'peering',
      ).map(([peeringName, p]) => {
        const connectionId = resourceId(this.sub, g.name, 'virtualHubs', name, 'bgpConnections', peeringName);
        this.sources.set(idKey(connectionId), { path: [...path, 'peerings', peeringName] });
        return { id: connectionId, name: peeringName, peerIp: p.peerIp, peerAsn: p.peerAsn };
      });
      this.routeServers.push({
        id,
        name,
        resourceGroup: g.name,
        location,
        subnet: built.subnet.id,
        virtualNetwork: built.vnet.id,
        virtualRouterAsn: ROUTE_SERVER_ASN,
        virtualRouterIps: virtualRouterIps(built.subnet.prefix),
        allowBranchToBranchTraffic: rs.allowBranchToBranchTraffic,
        hubRoutingPreference: rs.hubRoutingPreference,
        bgpConnections,
      });
      this.sources.set(idKey(id), { path });
    }
  }

  private buildVirtualMachines(): void {
    const pending: {
      vm: VirtualMachine;
      nic: Omit<NetworkInterface, 'ipConfigurations'>;
      subnet: BuiltSubnet;
      input: VmInput;
      path: Path;
    }[] = [];
    const taken = new Set<string>();
    for (const g of this.groups) {
      const nicNames = new Map<string, string>();
      for (const [name, v] of uniqueEntries(
        this.problems,
        g.value.virtualMachines,
        [...g.path, 'virtualMachines'],
        'virtual machine',
      )) {
        const path = [...g.path, 'virtualMachines', name];
        const nicName = v.nicName ?? `${name}VMNic`;
        const owner = nicNames.get(nicName.toLowerCase());
        if (owner !== undefined) {
          this.problems.error(
            v.nicName !== undefined ? [...path, 'nicName'] : path,
            `network interface '${nicName}' of virtual machine '${name}' is already the network interface of '${owner}' in resource group '${g.name}'${v.nicName === undefined ? ': set nicName' : ''}`,
            v.nicName !== undefined ? 'value' : 'key',
          );
          continue;
        }
        nicNames.set(nicName.toLowerCase(), name);
        const target = this.lookup('subnets', v.subnet, g.name, [...path, 'subnet']);
        const subnet = target && this.subnetOf(target);
        if (!subnet) continue;
        const location = v.location ?? g.location;
        this.sameRegion(
          v.location !== undefined ? [...path, 'location'] : [...path, 'subnet'],
          `virtual machine '${name}'`,
          location,
          `the virtual network '${subnet.vnet.name}' of its subnet`,
          subnet.vnet.location,
        );
        const id = vmId(this.sub, g.name, name);
        const nicId = resourceId(this.sub, g.name, 'networkInterfaces', nicName);
        const vm: VirtualMachine = { id, name, resourceGroup: g.name, location, networkInterfaces: [nicId] };
        const nic = {
          id: nicId,
          name: nicName,
          resourceGroup: g.name,
          location,
          enableIPForwarding: v.enableIPForwarding,
          virtualMachine: id,
        };
        if (v.privateIPAddress !== undefined) taken.add(v.privateIPAddress);
        pending.push({ vm, nic, subnet, input: v, path });
        this.sources.set(idKey(id), { path });
        // The NIC has no block of its own in the file: its properties are written on the VM.
        this.sources.set(idKey(nicId), {
          path,
          properties: {
            privateIpAddress: 'privateIPAddress',
            privateIPAddress: 'privateIPAddress',
            enableIpForwarding: 'enableIPForwarding',
          },
        });
      }
    }
    // Static addresses first, then dynamic ones, lowest free first, as Azure allocates
    // them. (Azure allocates in creation order; a file has none, so statics win.)
    const searched = new Map<Prefix, number>();
    for (const { vm, nic, subnet, input, path } of pending) {
      let address = input.privateIPAddress;
      if (address === undefined) {
        address = firstFreeAddress(subnet.subnet.prefix, taken, searched);
        if (address === undefined) {
          this.problems.error(
            path,
            `subnet '${subnet.vnet.name}/${subnet.subnet.name}' (${subnet.subnet.addressPrefix}) has no free address left for virtual machine '${vm.name}'`,
            'key',
          );
        } else taken.add(address);
      }
      if (address !== undefined) {
        this.nics.push({
          ...nic,
          ipConfigurations: [
            {
              name: input.ipConfigurationName ?? ipConfigurationName(vm.name),
              privateIPAddress: address,
              subnet: subnet.subnet.id,
              primary: true,
            },
          ],
        });
      }
      this.vms.set(idKey(vm.id), { vm, address });
    }
  }

  // -------------------------------------------------------------------------
  // Hybrid connectivity

  /**
   * Circuits in three steps: each with its private peering; then the MSEE addresses not
   * given, derived from the name and kept clear of VNets and of every other circuit's;
   * then Global Reach, which may name any circuit of the lab.
   */
  private buildExpressRouteCircuits(): void {
    const inputs: { g: GroupEntry; name: string; value: CircuitInput; path: Path; id: string }[] = [];
    for (const g of this.groups) {
      for (const [name, value] of uniqueEntries(
        this.problems,
        g.value.expressRouteCircuits,
        [...g.path, 'expressRouteCircuits'],
        'ExpressRoute circuit',
      )) {
        inputs.push({
          g,
          name,
          value,
          path: [...g.path, 'expressRouteCircuits', name],
          id: resourceId(this.sub, g.name, 'expressRouteCircuits', name),
        });
      }
    }
    const used = new Set(inputs.flatMap((c) => c.value.mseeAddresses ?? []));
    const vnetPrefixes = [...this.vnets.values()].flatMap((v) => v.prefixes);
    for (const { g, name, value, path, id } of inputs) {
      const pp = value.peerings.AzurePrivatePeering;
      const peerings: ExpressRouteCircuitPeering[] = pp
        ? [
            {
              name: 'AzurePrivatePeering',
              peerASN: pp.peerASN,
              primaryPeerAddressPrefix: pp.primaryPeerAddressPrefix,
              secondaryPeerAddressPrefix: pp.secondaryPeerAddressPrefix,
              vlanId: pp.vlanId,
            },
          ]
        : [];
      let mseeAddresses: readonly [string, string];
      if (value.mseeAddresses) mseeAddresses = [value.mseeAddresses[0]!, value.mseeAddresses[1]!];
      else {
        mseeAddresses = derivedMseeAddresses(
          name,
          (a) => used.has(formatIpv4(a)) || vnetPrefixes.some((p) => prefixContains(p, v4Prefix(a, 32))),
        );
        for (const a of mseeAddresses) used.add(a);
      }
      this.circuits.set(idKey(id), {
        id,
        name,
        resourceGroup: g.name,
        location: value.location ?? g.location,
        serviceProviderName: value.serviceProviderName,
        peeringLocation: value.peeringLocation,
        bandwidthInMbps: value.bandwidthInMbps,
        skuTier: value.skuTier,
        peerings,
        mseeAddresses,
        globalReachConnections: [],
      });
      this.sources.set(idKey(id), { path });
    }
    for (const { g, value, path, id } of inputs) {
      const links: GlobalReachConnection[] = [];
      for (const [grName, gr] of uniqueEntries(
        this.problems,
        value.globalReachConnections,
        [...path, 'globalReachConnections'],
        'Global Reach connection',
      )) {
        const target = this.lookup('expressRouteCircuits', gr.peerCircuit, g.name, [
          ...path,
          'globalReachConnections',
          grName,
          'peerCircuit',
        ]);
        const peer =
          target &&
          this.circuits.get(idKey(resourceId(this.sub, target.resourceGroup, 'expressRouteCircuits', target.name[0]!)));
        if (peer) links.push({ name: grName, peerCircuit: peer.id, addressPrefix: gr.addressPrefix });
      }
      const circuit = this.circuits.get(idKey(id))!;
      this.circuits.set(idKey(id), { ...circuit, globalReachConnections: links });
    }
  }

  private buildLocalNetworkGateways(g: GroupEntry): void {
    for (const [name, v] of uniqueEntries(
      this.problems,
      g.value.localNetworkGateways,
      [...g.path, 'localNetworkGateways'],
      'local network gateway',
    )) {
      const id = resourceId(this.sub, g.name, 'localNetworkGateways', name);
      this.localNetworkGateways.set(idKey(id), {
        id,
        name,
        resourceGroup: g.name,
        location: v.location ?? g.location,
        gatewayIpAddress: v.gatewayIpAddress,
        addressPrefixes: [...v.addressPrefixes],
        ...(v.bgpSettings
          ? { bgpSettings: { asn: v.bgpSettings.asn, bgpPeeringAddress: v.bgpSettings.bgpPeeringAddress } }
          : {}),
      });
      this.sources.set(idKey(id), { path: [...g.path, 'localNetworkGateways', name] });
    }
  }

  private buildVirtualNetworkGateways(g: GroupEntry): void {
    for (const [name, v] of uniqueEntries(
      this.problems,
      g.value.virtualNetworkGateways,
      [...g.path, 'virtualNetworkGateways'],
      'virtual network gateway',
    )) {
      const path = [...g.path, 'virtualNetworkGateways', name];
      const id = resourceId(this.sub, g.name, 'virtualNetworkGateways', name);
      const target = this.lookup('virtualNetworks', v.virtualNetwork, g.name, [...path, 'virtualNetwork']);
      const vnet =
        target && this.vnets.get(idKey(resourceId(this.sub, target.resourceGroup, 'virtualNetworks', target.name[0]!)));
      if (!vnet) continue;
      const location = v.location ?? g.location;
      this.sameRegion(
        v.location !== undefined ? [...path, 'location'] : [...path, 'virtualNetwork'],
        `virtual network gateway '${name}'`,
        location,
        `its virtual network '${vnet.name}'`,
        vnet.location,
      );
      // Azure compares names without case; validate.ts insists on the exact spelling.
      const subnet = vnet.subnets.find((s) => sameName(s.name, GATEWAY_SUBNET_NAME));
      if (!subnet) {
        // Set aside for a schema error of its own: not "missing".
        if (
          this.resolver.resolve('subnets', `${vnet.resourceGroup}/${vnet.name}/${GATEWAY_SUBNET_NAME}`).status ===
          'unusable'
        )
          continue;
        this.problems.error(
          [...path, 'virtualNetwork'],
          `virtual network '${vnet.name}' has no subnet named GatewaySubnet: a virtual network gateway is deployed in its VNet's GatewaySubnet (add one, /27 or larger)`,
        );
        continue;
      }
      const isEr = v.gatewayType === 'ExpressRoute';
      if (isEr && v.activeActive !== undefined) {
        this.problems.error(
          [...path, 'activeActive'],
          'activeActive applies to VPN gateways: an ExpressRoute gateway always runs two instances, both active',
        );
      }
      const instanceAddresses = v.instanceAddresses ?? defaultInstanceAddresses(v.gatewayType, subnet.prefix);
      this.gateways.set(idKey(id), {
        id,
        name,
        resourceGroup: g.name,
        location,
        gatewayType: v.gatewayType,
        sku: v.sku ?? DEFAULT_GATEWAY_SKU[v.gatewayType],
        // An ExpressRoute gateway's two instances are both active (R-ER-3).
        activeActive: isEr || (v.activeActive ?? false),
        virtualNetwork: vnet.id,
        subnet: subnet.id,
        enableBgp: v.enableBgp ?? isEr,
        asn: v.asn,
        instanceAddresses: [instanceAddresses[0]!, instanceAddresses[1]!],
        publicIpAddresses: [...(v.publicIpAddresses ?? [])],
        customBgpIpAddresses: [...(v.customBgpIpAddresses ?? [])],
      });
      this.sources.set(idKey(id), { path });
    }
  }

  private buildConnections(g: GroupEntry): void {
    for (const [name, v] of uniqueEntries(
      this.problems,
      g.value.connections,
      [...g.path, 'connections'],
      'connection',
    )) {
      const path = [...g.path, 'connections', name];
      const id = resourceId(this.sub, g.name, 'connections', name);
      const gwTarget = this.lookup('virtualNetworkGateways', v.virtualNetworkGateway1, g.name, [
        ...path,
        'virtualNetworkGateway1',
      ]);
      // A gateway the lab could not build (its VNet is wrong) is reported there, not here.
      const gateway =
        gwTarget &&
        this.gateways.get(
          idKey(resourceId(this.sub, gwTarget.resourceGroup, 'virtualNetworkGateways', gwTarget.name[0]!)),
        );
      let peer: string | undefined;
      if (v.peer !== undefined) {
        const t = this.lookup('expressRouteCircuits', v.peer, g.name, [...path, 'peer']);
        if (!t) continue;
        peer = resourceId(this.sub, t.resourceGroup, 'expressRouteCircuits', t.name[0]!);
      }
      let localNetworkGateway2: string | undefined;
      if (v.localNetworkGateway2 !== undefined) {
        const t = this.lookup('localNetworkGateways', v.localNetworkGateway2, g.name, [
          ...path,
          'localNetworkGateway2',
        ]);
        if (!t) continue;
        localNetworkGateway2 = resourceId(this.sub, t.resourceGroup, 'localNetworkGateways', t.name[0]!);
      }
      if (!gateway) continue;
      const location = v.location ?? g.location;
      this.sameRegion(
        v.location !== undefined ? [...path, 'location'] : [...path, 'virtualNetworkGateway1'],
        `connection '${name}'`,
        location,
        `its gateway '${gateway.name}'`,
        gateway.location,
      );
      const isEr = v.connectionType === 'ExpressRoute';
      const count = gateway.gatewayType === 'ExpressRoute' || gateway.activeActive ? 2 : 1;
      let tunnelsOk = true;
      for (const key of ['gatewayCustomBgpIpAddresses', 'gatewayInstances'] as const) {
        const given = v[key];
        if (given === undefined) continue;
        if (isEr) {
          tunnelsOk = false;
          this.problems.error(
            [...path, key],
            `${key} is for IPsec connections: an ExpressRoute connection has no tunnels`,
          );
        } else if (key === 'gatewayInstances' ? given.some((i) => Number(i) >= count) : given.length > count) {
          tunnelsOk = false;
          this.problems.error(
            [...path, key],
            `gateway '${gateway.name}' has ${count} instance${count === 1 ? '' : 's'} (${gateway.activeActive ? 'active-active' : 'active-standby'}): ${key} names more`,
          );
        }
      }
      (v.gatewayCustomBgpIpAddresses ?? []).forEach((a, i) => {
        const n = parseIpv4(a);
        // R-VPN-1: APIPA BGP addresses of a VPN gateway are 169.254.21.0-169.254.22.255.
        if (n === undefined || n >>> 0 < 0xa9fe1500 || n >>> 0 > 0xa9fe16ff) {
          tunnelsOk = false;
          this.problems.error(
            [...path, 'gatewayCustomBgpIpAddresses', i],
            `${a} is not an APIPA address in 169.254.21.0-169.254.22.255, the range a VPN gateway's custom BGP addresses use (R-VPN-1)`,
          );
        }
      });
      if (!tunnelsOk) continue;
      this.connections.push({
        id,
        name,
        resourceGroup: g.name,
        location,
        connectionType: v.connectionType,
        virtualNetworkGateway1: gateway.id,
        ...(peer !== undefined ? { peer } : {}),
        ...(localNetworkGateway2 !== undefined ? { localNetworkGateway2 } : {}),
        routingWeight: v.routingWeight,
        enableBgp: v.enableBgp ?? isEr,
        ...(v.mseePeerAddresses
          ? { mseePeerAddresses: [v.mseePeerAddresses[0]!, v.mseePeerAddresses[1]!] as const }
          : {}),
        ...(v.gatewayCustomBgpIpAddresses ? { gatewayCustomBgpIpAddresses: [...v.gatewayCustomBgpIpAddresses] } : {}),
        ...(v.gatewayInstances ? { gatewayInstances: v.gatewayInstances.map((i) => (i === 0 ? 0 : 1) as 0 | 1) } : {}),
      });
      this.sources.set(idKey(id), { path });
    }
  }

  /**
   * The addresses at which an ExpressRoute gateway sees each connected circuit's MSEEs,
   * where the file does not give them: pairs of GatewaySubnet, .4/.5 for the gateway's
   * first ExpressRoute connection, .6/.7 for the next (seed 001), skipping any pair with an
   * address already in use there (gateway instances, VMs, addresses the file gives).
   */
  private allocateMseePeerAddresses(): void {
    const taken = new Map<string, Set<string>>();
    const takenIn = (subnetId: string) => {
      const k = idKey(subnetId);
      let set = taken.get(k);
      if (!set) taken.set(k, (set = new Set()));
      return set;
    };
    for (const gw of this.gateways.values()) for (const a of gw.instanceAddresses) takenIn(gw.subnet).add(a);
    for (const nic of this.nics) for (const c of nic.ipConfigurations) takenIn(c.subnet).add(c.privateIPAddress);
    for (const c of this.connections) {
      const gw = this.gateways.get(idKey(c.virtualNetworkGateway1));
      if (gw && c.mseePeerAddresses) for (const a of c.mseePeerAddresses) takenIn(gw.subnet).add(a);
    }
    this.connections.forEach((c, i) => {
      const gw = this.gateways.get(idKey(c.virtualNetworkGateway1));
      if (c.connectionType !== 'ExpressRoute' || c.mseePeerAddresses || !gw || gw.gatewayType !== 'ExpressRoute')
        return;
      const subnet = this.subnets.get(idKey(gw.subnet))?.subnet;
      if (subnet?.prefix.afi !== 1) return;
      const set = takenIn(subnet.id);
      const pair = freeMseePeerPair(subnet.prefix, set);
      if (pair) {
        set.add(pair[0]);
        set.add(pair[1]);
        this.connections[i] = { ...c, mseePeerAddresses: pair };
        return;
      }
      // A GatewaySubnet too small is reported as such (validate.ts); a full one here.
      if (subnet.prefix.len <= 27) {
        this.problems.error(
          this.sources.get(idKey(c.id))?.path ?? [],
          `GatewaySubnet ${subnet.addressPrefix} has no two free addresses left for the MSEE peer addresses of connection '${c.name}': set mseePeerAddresses`,
          'key',
        );
      }
    });
  }

  /**
   * Resolves where an on-premises router or daemon attaches (R-ER-1: the customer edge is
   * the first host of the link /30; VPN: the local network gateway's BGP peering address),
   * checking its ASN against the circuit's peerASN or the site's bgpSettings.asn when known.
   * Undefined after reporting why it cannot attach.
   */
  private resolveAttachment(
    a: LabFileAttachment,
    at: Path,
    who: string,
    asn: { value: number; at: Path } | undefined,
  ): Attachment | undefined {
    let attachment: Attachment;
    let key: string;
    let where: string;
    if (a.circuit !== undefined) {
      const target = this.lookup('expressRouteCircuits', a.circuit, undefined, [...at, 'circuit']);
      const circuit =
        target &&
        this.circuits.get(idKey(resourceId(this.sub, target.resourceGroup, 'expressRouteCircuits', target.name[0]!)));
      if (!circuit) return undefined;
      const pp = privatePeeringOf(circuit);
      if (!pp) {
        this.problems.error(
          [...at, 'circuit'],
          `circuit '${circuit.name}' has no AzurePrivatePeering: on-premises routers attach to the links of a circuit's private peering`,
        );
        return undefined;
      }
      const link = a.link ?? 'primary';
      const prefix = parsePrefix(link === 'primary' ? pp.primaryPeerAddressPrefix : pp.secondaryPeerAddressPrefix);
      if (prefix?.afi !== 1) return undefined;
      // R-ER-1: the customer edge uses the first host of the link /30, the MSEE the second.
      const address = formatIpv4((prefix.addr + 1) >>> 0);
      if (asn && asn.value !== pp.peerASN) {
        this.problems.error(
          asn.at,
          `${who} has asn ${asn.value}, but circuit '${circuit.name}' has private peering peerASN ${pp.peerASN}: the MSEE expects the customer edge to use the peering's ASN and would refuse the session (Bad Peer AS); make them equal`,
        );
      }
      attachment = { kind: 'expressRoute', circuit: circuit.id, link, address };
      key = `${idKey(circuit.id)}|${link}`;
      where = `link ${link} of circuit '${circuit.name}'`;
    } else if (a.localNetworkGateway !== undefined) {
      const target = this.lookup('localNetworkGateways', a.localNetworkGateway, undefined, [
        ...at,
        'localNetworkGateway',
      ]);
      const site =
        target &&
        this.localNetworkGateways.get(
          idKey(resourceId(this.sub, target.resourceGroup, 'localNetworkGateways', target.name[0]!)),
        );
      if (!site) return undefined;
      if (!site.bgpSettings) {
        this.problems.error(
          [...at, 'localNetworkGateway'],
          `local network gateway '${site.name}' has no bgpSettings: a router on a VPN site peers over the tunnel from the site's bgpPeeringAddress with its asn; add bgpSettings`,
        );
        return undefined;
      }
      if (asn && asn.value !== site.bgpSettings.asn) {
        this.problems.error(
          asn.at,
          `${who} has asn ${asn.value}, but local network gateway '${site.name}' has bgpSettings.asn ${site.bgpSettings.asn}: the VPN gateway expects the device's ASN and would refuse the session (Bad Peer AS); make them equal`,
        );
      }
      attachment = { kind: 'vpn', localNetworkGateway: site.id, address: site.bgpSettings.bgpPeeringAddress };
      key = idKey(site.id);
      where = `VPN site '${site.name}'`;
    } else return undefined;
    const holder = this.attached.get(key);
    if (holder !== undefined) {
      this.problems.error(at, `${where} already has ${holder} attached: one router per circuit link or VPN site`);
      return undefined;
    }
    this.attached.set(key, who);
    return attachment;
  }

  /** Built-in on-premises routers; names shared with nodes, addresses with every node and router. */
  private buildRouters(model: AzureModel, nodes: readonly NodeSpec[]): RouterNodeSpec[] {
    const routers: RouterNodeSpec[] = [];
    const names = new Map(Object.keys(this.lab.nodes).map((n) => [n.toLowerCase(), n]));
    const seen = new Map<string, string>();
    for (const [name, r] of Object.entries(this.lab.routers)) {
      const path = ['routers', name];
      const node = names.get(name.toLowerCase());
      if (node !== undefined) {
        this.problems.error(
          path,
          `router '${name}' has the name of node '${node}': nodes and routers share one set of names`,
          'key',
        );
        continue;
      }
      const sameAs = seen.get(name.toLowerCase());
      if (sameAs !== undefined) {
        this.problems.error(
          path,
          `router '${name}' differs from router '${sameAs}' only in case; router names must differ in more than case`,
          'key',
        );
        continue;
      }
      seen.set(name.toLowerCase(), name);
      const who = `router '${name}'`;
      const attach = r.attach.map((a, i) =>
        this.resolveAttachment(a, [...path, 'attach', i], who, { value: r.asn, at: [...path, 'asn'] }),
      );
      let routesOk = true;
      r.routes.forEach((route, i) =>
        (route.on ?? []).forEach((n, j) => {
          if (n >= r.attach.length) {
            routesOk = false;
            this.problems.error(
              [...path, 'routes', i, 'on', j],
              `attachment ${n} does not exist: ${who} has ${r.attach.length} attachment${r.attach.length === 1 ? '' : 's'}, numbered from 0`,
            );
          }
        }),
      );
      const neighbors = this.routerNeighbors(name, r, path);
      if (!routesOk || !neighbors || attach.some((a) => a === undefined)) continue;
      const resolved = attach as Attachment[];
      if (resolved.length === 0 && r.routerId === undefined) {
        this.problems.error(
          [...path, 'routerId'],
          `${who} has no attachment to take its BGP identifier from: give it routerId (e.g. its address on a customer link)`,
        );
        continue;
      }
      const policy = policySpec(r);
      if (!this.claimAddresses(resolved, [...path, 'attach'], who)) continue;
      routers.push({
        kind: 'router',
        name,
        asn: r.asn,
        routerId: r.routerId ?? resolved[0]?.address ?? '',
        attach: resolved,
        routes: r.routes.map(
          (route): RouterRouteSpec => ({
            ...routeSpec(route),
            ...(route.on !== undefined ? { on: [...route.on] } : {}),
          }),
        ),
        ...(r.importPrefixes !== undefined ? { importPrefixes: [...r.importPrefixes] } : {}),
        ...(r.prependToAzure !== undefined ? { prependToAzure: r.prependToAzure } : {}),
        ...(r.holdTime !== undefined ? { holdTime: r.holdTime } : {}),
        ...(r.bfd !== undefined ? { bfd: r.bfd } : {}),
        ...(r.transit ? { transit: true } : {}),
        ...(r.profile ? { profile: r.profile } : {}),
        ...(Object.keys(policy).length ? { policy } : {}),
        ...(neighbors.length ? { neighbors } : {}),
      });
    }
    if (!this.options.partial) this.warnAboutAttachments(model, nodes, routers);
    return routers;
  }

  /**
   * A router's per-neighbour policies (lab file `neighbors`): each names one attachment (by
   * index) or one customer link with this router at an end, and no neighbour twice; undefined
   * after reporting what is wrong.
   */
  private routerNeighbors(name: string, r: LabFile['routers'][string], path: Path): RouterNeighborSpec[] | undefined {
    const out: RouterNeighborSpec[] = [];
    const seen = new Map<string, number>();
    let ok = true;
    const who = `router '${name}'`;
    (r.neighbors ?? []).forEach((n, i) => {
      const at = [...path, 'neighbors', i];
      const fail = (where: Path, message: string) => {
        ok = false;
        this.problems.error(where, message);
      };
      if ((n.attach === undefined) === (n.link === undefined))
        return fail(at, 'a neighbor names one attachment (attach: INDEX) or one customer link (link: NAME)');
      let key: string;
      if (n.attach !== undefined) {
        if (n.attach >= r.attach.length)
          return fail(
            [...at, 'attach'],
            `attachment ${n.attach} does not exist: ${who} has ${r.attach.length} attachment${r.attach.length === 1 ? '' : 's'}, numbered from 0`,
          );
        key = `attach ${n.attach}`;
      } else {
        const link = Object.entries(this.lab.links).find(([k]) => k.toLowerCase() === n.link!.toLowerCase());
        if (!link)
          return fail(
            [...at, 'link'],
            `customer link '${n.link}' does not exist (links: ${Object.keys(this.lab.links).join(', ') || 'none'})`,
          );
        if (link[1].a.toLowerCase() !== name.toLowerCase() && link[1].b.toLowerCase() !== name.toLowerCase())
          return fail([...at, 'link'], `customer link '${link[0]}' joins ${link[1].a} and ${link[1].b}, not ${who}`);
        key = `link ${link[0]}`;
      }
      const before = seen.get(key);
      if (before !== undefined) return fail(at, `${key} already has its policy in neighbors[${before}]`);
      seen.set(key, i);
      const policy = policySpec(n);
      out.push(n.attach !== undefined ? { attach: n.attach, ...policy } : { link: n.link!, ...policy });
    });
    return ok ? out : undefined;
  }

  /**
   * Customer links (lab file `links`): both ends a router or a daemon node in two ASes (the
   * session is eBGP), on a /30 or /31 whose first usable address is `a`'s and second `b`'s;
   * one node or router per address, as everywhere in the lab.
   */
  private buildLinks(nodes: readonly NodeSpec[], routers: readonly RouterNodeSpec[]): CustomerLinkSpec[] {
    const out: CustomerLinkSpec[] = [];
    const declared = new Set(
      [...Object.keys(this.lab.nodes), ...Object.keys(this.lab.routers)].map((n) => n.toLowerCase()),
    );
    for (const [name, l] of Object.entries(this.lab.links)) {
      const path = ['links', name];
      const p = parsePrefix(l.subnet);
      if (p?.afi !== 1 || (p.len !== 30 && p.len !== 31)) {
        this.problems.error(
          [...path, 'subnet'],
          `${l.subnet} is not a /30 or /31: a link has one address at each end (a /30: its .1 and .2)`,
        );
        continue;
      }
      // RFC 3021: a /31 uses both addresses; a /30 its two hosts.
      const first = p.len === 31 ? p.addr : p.addr + 1;
      const addresses = [formatIpv4(first >>> 0), formatIpv4((first + 1) >>> 0)] as const;
      const ends: CustomerLinkEnd[] = [];
      (['a', 'b'] as const).forEach((side, i) => {
        const who = l[side].toLowerCase();
        const r = routers.find((x) => x.name.toLowerCase() === who);
        const n = nodes.find((x) => x.name.toLowerCase() === who);
        if (r) ends.push({ kind: 'router', name: r.name, address: addresses[i]!, asn: r.asn });
        else if (n && n.kind !== 'speaker' && n.kind !== 'http')
          ends.push({
            kind: 'daemon',
            name: n.name,
            address: addresses[i]!,
            ...(n.asn !== undefined ? { asn: n.asn } : {}),
          });
        else if (n)
          this.problems.error(
            [...path, side],
            `node '${n.name}' is a ${n.kind} node: a link joins built-in routers and daemon nodes`,
          );
        // Declared but set aside after its own error: nothing more to say here.
        else if (!declared.has(who))
          this.problems.error([...path, side], `no router or daemon node named '${l[side]}'`);
      });
      if (ends.length !== 2) continue;
      const [a, b] = ends as [CustomerLinkEnd, CustomerLinkEnd];
      if (a.name === b.name) {
        this.problems.error([...path, 'b'], `a link joins two different speakers; both ends are '${a.name}'`);
        continue;
      }
      if (a.asn !== undefined && a.asn === b.asn) {
        this.problems.error(
          [...path, 'b'],
          `'${a.name}' and '${b.name}' are both in AS ${a.asn}: a link's session is eBGP, between two ASes`,
        );
        continue;
      }
      let ok = true;
      for (const [e, other, side] of [
        [a, b, 'a'],
        [b, a, 'b'],
      ] as const) {
        if (e.kind === 'daemon' && e.asn === undefined && other.kind === 'router') {
          ok = false;
          this.problems.error(
            [...path, side],
            `router '${other.name}' peers with node '${e.name}' over this link and must know its AS: give node '${e.name}' its asn (the AS in its configuration)`,
          );
        }
        const holder = this.runningAt.get(e.address);
        if (holder !== undefined) {
          ok = false;
          this.problems.error(
            [...path, 'subnet'],
            `'${e.name}' would use ${e.address} on this link, where ${holder} already runs: one node or router per address`,
          );
        }
      }
      if (!ok) continue;
      for (const e of ends)
        this.runningAt.set(e.address, `${e.kind === 'router' ? 'router' : 'node'} '${e.name}' (link '${name}')`);
      out.push({ name, subnet: l.subnet, ends: [a, b] });
    }
    return out;
  }

  /** Each attachment address is where its router runs: one node or router per address. */
  private claimAddresses(attach: readonly Attachment[], at: Path, who: string): boolean {
    let ok = true;
    attach.forEach((a, i) => {
      const holder = this.runningAt.get(a.address!);
      if (holder !== undefined && holder !== who) {
        this.problems.error(
          [...at, i],
          `${who} would run at ${a.address} on this attachment, where ${holder} already runs: one node or router per address`,
        );
        ok = false;
      }
    });
    if (ok) for (const a of attach) this.runningAt.set(a.address!, who);
    return ok;
  }

  /** Attachments that will never carry a session: nothing in Azure connects to them. */
  private warnAboutAttachments(
    model: AzureModel,
    nodes: readonly NodeSpec[],
    routers: readonly RouterNodeSpec[],
  ): void {
    const owners: { path: Path; who: string; attach: readonly Attachment[] }[] = [
      ...nodes.flatMap((n) =>
        'attach' in n && n.attach ? [{ path: ['nodes', n.name], who: `node '${n.name}'`, attach: n.attach }] : [],
      ),
      ...routers.map((r) => ({ path: ['routers', r.name], who: `router '${r.name}'`, attach: r.attach })),
    ];
    for (const { path, who, attach } of owners) {
      attach.forEach((a, i) => {
        if (a.kind === 'expressRoute') {
          const connected = model.connections.some(
            (c) => c.connectionType === 'ExpressRoute' && c.peer !== undefined && idKey(c.peer) === idKey(a.circuit),
          );
          if (!connected) {
            const circuit = this.circuits.get(idKey(a.circuit));
            this.problems.warning(
              [...path, 'attach', i, 'circuit'],
              `no connection connects circuit '${circuit?.name ?? a.circuit}' to an ExpressRoute gateway: ${who} will peer with its MSEE, but its routes reach no VNet`,
            );
          }
        } else {
          const connected = model.connections.some(
            (c) =>
              c.connectionType === 'IPsec' &&
              c.enableBgp &&
              c.localNetworkGateway2 !== undefined &&
              idKey(c.localNetworkGateway2) === idKey(a.localNetworkGateway),
          );
          if (!connected) {
            const site = this.localNetworkGateways.get(idKey(a.localNetworkGateway));
            this.problems.warning(
              [...path, 'attach', i, 'localNetworkGateway'],
              `no IPsec connection with enableBgp uses local network gateway '${site?.name ?? a.localNetworkGateway}': the BGP sessions of ${who} will stay down`,
            );
          }
        }
      });
    }
  }

  private sameRegion(at: Path, what: string, location: string, other: string, otherLocation: string): void {
    if (!sameName(location, otherLocation)) {
      this.problems.error(
        at,
        `${what} is in ${location}, but ${other} is in ${otherLocation}: they must be in the same region`,
      );
    }
  }

  // -------------------------------------------------------------------------
  // Settings and nodes

  private buildSettings(): LabSettings {
    const s = this.lab.settings;
    const owners = new Map<string, string>();
    for (const [emulated, loopback] of Object.entries(s.loopbackAddresses)) {
      const other = owners.get(loopback);
      if (other !== undefined) {
        this.problems.error(
          ['settings', 'loopbackAddresses', emulated],
          `${loopback} already stands for ${other}: each emulated address needs its own loopback address`,
        );
      } else owners.set(loopback, emulated);
    }
    return {
      bgpPort: s.bgpPort,
      addressing: s.addressing,
      loopbackAddresses: { ...s.loopbackAddresses },
      connectRetryTime: s.connectRetryTime,
      capture: s.capture,
      timing: { ...s.timing },
    };
  }

  private buildNodes(model: AzureModel): NodeSpec[] {
    const nodes: NodeSpec[] = [];
    const names = new Map<string, string>();
    const labDir = dirname(this.options.labFile);
    /** "address:port" (per mode) → the http node serving it, and how. */
    const httpServers = new Map<string, { name: string; shown: string }>();

    for (const [name, node] of Object.entries(this.lab.nodes)) {
      const path = ['nodes', name];
      const sameAs = names.get(name.toLowerCase());
      if (sameAs !== undefined) {
        // Node names become directory and namespace names: 'R1' and 'r1' would collide.
        this.problems.error(
          path,
          `node '${name}' differs from node '${sameAs}' only in case; node names must differ in more than case`,
          'key',
        );
        continue;
      }
      names.set(name.toLowerCase(), name);

      if (node.kind === 'http') {
        // A web server does not claim its VM's address (a BGP node, an agent, may run beside
        // it, as on a real backend), only its address and port.
        const target = this.lookup('virtualMachines', node.vm, undefined, [...path, 'vm']);
        const vm = target && this.vms.get(idKey(vmId(this.sub, target.resourceGroup, target.name[0]!)));
        if (!vm || vm.address === undefined) continue;
        const spec: HttpNodeSpec = {
          name,
          kind: 'http',
          vm: vm.vm.id,
          address: vm.address,
          port: node.port,
          ...(node.loopbackPort !== undefined ? { loopbackPort: node.loopbackPort } : {}),
          ...(node.body !== undefined ? { body: node.body } : {}),
        };
        // One server per address and port, in every mode: the VM's port (netns), and the
        // port bound in loopback mode with and without root (80 and 1080 collide without it).
        const binds = [
          { key: `${vm.address}:${node.port}`, shown: `${vm.address}:${node.port}` },
          ...[true, false].map((privileged) => {
            const p = httpBoundPort(spec, 'loopback', privileged);
            return {
              key: `loopback ${vm.address}:${p}`,
              shown: `${vm.address}:${node.port} (bound as port ${p} in loopback mode${privileged ? '' : ' without root'})`,
            };
          }),
        ];
        const clash = binds.map((b) => ({ ...b, holder: httpServers.get(b.key) })).find((b) => b.holder !== undefined);
        if (clash) {
          const h = clash.holder!;
          this.problems.error(
            [
              ...path,
              node.loopbackPort !== undefined && !clash.key.endsWith(`:${node.port}`) ? 'loopbackPort' : 'port',
            ],
            `node '${name}' would serve ${clash.shown} on virtual machine '${vm.vm.name}', where node '${h.name}' already serves ${h.shown}: one HTTP server per address and port`,
          );
          continue;
        }
        for (const b of binds) httpServers.set(b.key, { name, shown: b.shown });
        nodes.push(spec);
        continue;
      }

      // File and ASN checks do not depend on the VM: report them even when it is wrong.
      let files: { config: string; loopbackConfig?: string } | undefined;
      if (node.kind === 'speaker') {
        const e = checkPeerAsn(node.asn);
        if (e) this.problems.error([...path, 'asn'], `${e.message} (${e.code})`);
      } else {
        const config = this.nodeFile(labDir, node.config, [...path, 'config']);
        const loopbackConfig =
          node.loopbackConfig === undefined
            ? undefined
            : this.nodeFile(labDir, node.loopbackConfig, [...path, 'loopbackConfig']);
        files = { config, ...(loopbackConfig !== undefined ? { loopbackConfig } : {}) };
      }

      if (node.kind !== 'speaker' && node.attach !== undefined) {
        // On premises: at its first attachment's address.
        const who = `node '${name}'`;
        const attach = node.attach.map((a, i) => this.resolveAttachment(a, [...path, 'attach', i], who, undefined));
        if (!files || attach.some((a) => a === undefined)) continue;
        const resolved = attach as Attachment[];
        if (!this.claimAddresses(resolved, [...path, 'attach'], who)) continue;
        nodes.push({
          name,
          kind: node.kind,
          address: resolved[0]!.address!,
          attach: resolved,
          ...files,
          ...(node.env !== undefined ? { env: environment(node.env) } : {}),
          ...(node.asn !== undefined ? { asn: node.asn } : {}),
          ...(node.command !== undefined ? { command: node.command } : {}),
          ...(node.routesCommand !== undefined ? { routesCommand: node.routesCommand } : {}),
        });
        continue;
      }
      if (node.vm === undefined) continue; // the schema reports it
      const target = this.lookup('virtualMachines', node.vm, undefined, [...path, 'vm']);
      const built = target && this.vms.get(idKey(vmId(this.sub, target.resourceGroup, target.name[0]!)));
      if (!built || built.address === undefined) continue;
      const address = built.address;
      const holder = this.runningAt.get(address);
      if (holder !== undefined) {
        this.problems.error(
          [...path, 'vm'],
          `node '${name}' would run at ${address} (virtual machine '${built.vm.name}'), where ${holder} already runs: one node per address`,
        );
        continue;
      }
      this.runningAt.set(address, `node '${name}'`);

      const base = { name, vm: built.vm.id, address };
      if (node.kind === 'speaker') {
        nodes.push({
          ...base,
          kind: 'speaker',
          asn: node.asn,
          ...(node.routerId !== undefined ? { routerId: node.routerId } : {}),
          holdTime: node.holdTime,
          peerWith: node.peerWith,
          routes: node.routes.map(
            (r): SpeakerRouteSpec => ({ ...routeSpec(r), ...(r.nextHop !== undefined ? { nextHop: r.nextHop } : {}) }),
          ),
        });
      } else if (files) {
        nodes.push({
          ...base,
          kind: node.kind,
          ...files,
          ...(node.env !== undefined ? { env: environment(node.env) } : {}),
          ...(node.asn !== undefined ? { asn: node.asn } : {}),
          ...(node.command !== undefined ? { command: node.command } : {}),
          ...(node.routesCommand !== undefined ? { routesCommand: node.routesCommand } : {}),
        });
      }
    }
    this.checkHttpPorts(nodes);
    if (!this.options.partial) this.warnAboutPeerings(model, nodes);
    return nodes;
  }

  /** An http node beside a BGP node must leave the BGP port (179, or 1179 without root) free. */
  private checkHttpPorts(nodes: readonly NodeSpec[]): void {
    const bgpPort = this.lab.settings.bgpPort;
    const bgpPorts = bgpPort === 'auto' ? [179, 1179] : [bgpPort];
    for (const n of nodes) {
      if (n.kind !== 'http') continue;
      const agent = this.runningAt.get(n.address);
      if (agent === undefined) continue;
      const bound = new Set([n.port, httpBoundPort(n, 'loopback', true), httpBoundPort(n, 'loopback', false)]);
      const hit = bgpPorts.find((p) => bound.has(p));
      if (hit !== undefined) {
        this.problems.error(
          ['nodes', n.name, n.loopbackPort === hit ? 'loopbackPort' : 'port'],
          `node '${n.name}' would serve port ${hit} at ${n.address}, where ${agent} speaks BGP on it: choose another port`,
        );
      }
    }
  }

  /** Resolves a node's file against the lab's folder and checks that it is there. */
  private nodeFile(labDir: string, given: string, at: Path): string {
    const absolute = isAbsolute(given) ? given : resolvePath(labDir, given);
    const found = this.options.checkFile(absolute);
    if (found !== 'file') {
      const relative = isAbsolute(given) ? '' : ` (relative paths resolve against the lab file's folder, ${labDir})`;
      const problem =
        found === 'missing' ? 'file not found' : found === 'not-a-file' ? 'not a file' : 'file cannot be read';
      this.problems.error(at, `${problem}: ${absolute}${relative}`);
    }
    return absolute;
  }

  /**
   * Designs Azure accepts but that do not do what people expect (azure-routing.md §7):
   * a node no route server peers with, a peering nothing will ever answer, a speaker
   * that peers with one instance only, or one whose ASN the peering does not expect.
   */
  private warnAboutPeerings(model: AzureModel, nodes: readonly NodeSpec[]): void {
    const nodeByAddress = new Map(nodes.filter((n) => n.kind !== 'http').map((n) => [n.address, n]));
    const peeringsByIp = new Map<string, { rs: RouteServer; c: BgpConnection }[]>();
    for (const rs of model.routeServers) {
      for (const c of rs.bgpConnections) {
        const list = peeringsByIp.get(c.peerIp) ?? [];
        list.push({ rs, c });
        peeringsByIp.set(c.peerIp, list);
        if (nodeByAddress.has(c.peerIp)) continue;
        const at = [...(this.sources.get(idKey(c.id))?.path ?? []), 'peerIp'];
        const vm = [...this.vms.values()].find((b) => b.address === c.peerIp);
        this.problems.warning(
          at,
          vm
            ? `peering '${c.name}' of route server '${rs.name}': virtual machine '${vm.vm.name}' has ${c.peerIp}, but no node runs on it. ${externalDaemonAdvice(c, rs, this.lab.settings)}`
            : `peering '${c.name}' of route server '${rs.name}': no node and no virtual machine has ${c.peerIp}, so the session will stay down until one does`,
        );
      }
    }
    for (const n of nodes) {
      if (n.kind === 'http') continue; // a web server speaks no BGP
      if (n.kind !== 'speaker' && n.attach) continue; // on premises: no route server peers with it
      const peerings = peeringsByIp.get(n.address);
      if (!peerings) {
        this.problems.warning(
          ['nodes', n.name, 'vm'],
          `node '${n.name}' runs at ${n.address}, but no route server has a peering with that peerIp: nothing will peer with it`,
        );
        continue;
      }
      if (n.kind !== 'speaker') continue;
      if (n.peerWith !== 'both') {
        this.problems.warning(
          ['nodes', n.name, 'peerWith'],
          `node '${n.name}' peers with route-server instance ${n.peerWith} only: Azure asks NVAs to peer with both, and programs routes inconsistently otherwise (R-ARS-3)`,
        );
      }
      for (const { rs, c } of peerings) {
        if (c.peerAsn !== n.asn) {
          this.problems.warning(
            ['nodes', n.name, 'asn'],
            `node '${n.name}' has asn ${n.asn}, but peering '${c.name}' of route server '${rs.name}' expects peerAsn ${c.peerAsn}: the route server will refuse the session (OPEN error Bad Peer AS)`,
          );
        }
      }
    }
  }
}

/**
 * A record's entries minus names that differ from an earlier one only in case (Azure
 * would take them for the same resource). Exact duplicates never get here: the YAML
 * parser already refuses them.
 */
function uniqueEntries<T>(
  problems: ProblemCollector,
  record: Readonly<Record<string, T>>,
  path: Path,
  what: string,
): [string, T][] {
  const seen = new Map<string, string>();
  const out: [string, T][] = [];
  for (const [name, value] of Object.entries(record)) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      problems.error([...path, name], `${what} '${name}' and '${first}' are the same name: ${AZURE_NAMES_NOTE}`, 'key');
      continue;
    }
    seen.set(name.toLowerCase(), name);
    out.push([name, value]);
  }
  return out;
}

function firstSpellings(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = n.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The schema has already checked the text; a failure here is a bug, not a user error. */
function prefixOf(text: string): Prefix {
  const p = parsePrefix(text);
  if (!p) throw new Error(`internal: prefix ${text} passed the schema but does not parse`);
  return p;
}

/**
 * The lowest address Azure would hand out: it reserves the network address, .1-.3 (the
 * default gateway and Azure DNS) and the broadcast address of every subnet.
 */
/**
 * The lowest free address of a subnet (Azure reserves the first four and the last). `from`
 * remembers, per subnet, where the last search ended: addresses are only ever taken while a
 * lab is built, so the next free one is never lower, and k dynamic VMs in one subnet cost
 * O(k) probes instead of O(k²).
 */
function firstFreeAddress(prefix: Prefix, taken: ReadonlySet<string>, from?: Map<Prefix, number>): string | undefined {
  if (prefix.afi !== 1) return undefined;
  const p = prefix as Ipv4Prefix;
  const size = 2 ** (32 - p.len);
  for (let offset = from?.get(prefix) ?? 4; offset < size - 1; offset++) {
    const address = formatIpv4((p.addr + offset) >>> 0);
    if (!taken.has(address)) {
      from?.set(prefix, offset);
      return address;
    }
  }
  from?.set(prefix, size - 1);
  return undefined;
}

/** A speaker's or router's route as the runtime takes it, optional fields left out when not written. */
function routeSpec(
  r: Omit<SpeakerRouteSpec, 'nextHop'> & { readonly origin: NonNullable<SpeakerRouteSpec['origin']> },
): SpeakerRouteSpec {
  return {
    prefix: r.prefix,
    origin: r.origin,
    ...(r.asPath !== undefined ? { asPath: [...r.asPath] } : {}),
    ...(r.med !== undefined ? { med: r.med } : {}),
    ...(r.communities !== undefined ? { communities: [...r.communities] } : {}),
    ...(r.largeCommunities !== undefined ? { largeCommunities: [...r.largeCommunities] } : {}),
  };
}

function environment(env: Readonly<Record<string, string | number | boolean>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** `az vm create` names the NIC's IP configuration after the VM: ipconfig<vm>. */
export function ipConfigurationName(vmName: string): string {
  return `ipconfig${vmName}`;
}

/**
 * Where a BGP daemon the lab does not run must be for a route-server peering to come up
 * (R-ARS-3: both instances, the peering's ASN), in both addressing modes (ADR 0001: in
 * loopback mode an emulated 10.x.y.z is 127.x.y.z unless settings.loopbackAddresses says
 * otherwise or it collides; the lab's BGP port is 179 as root, else 1179, unless
 * settings.bgpPort fixes it).
 */
function externalDaemonAdvice(c: BgpConnection, rs: RouteServer, settings: LabFile['settings']): string {
  const loop = (a: string): string => {
    const given = settings.loopbackAddresses?.[a];
    if (given) return given;
    const n = parseIpv4(a);
    return n === undefined ? a : formatIpv4(((127 << 24) | (n & 0xffffff)) >>> 0);
  };
  const port = settings.bgpPort === 'auto' ? '179 (as root; 1179 otherwise)' : String(settings.bgpPort);
  const [i0, i1] = rs.virtualRouterIps;
  return (
    `Run a BGP daemon there yourself (or as a node: kind: exec runs any daemon): AS ${c.peerAsn}, ` +
    `at ${c.peerIp} in netns mode or ${loop(c.peerIp)} in loopback mode, port ${port}, ` +
    `with neighbours ${i0} and ${i1} (AS ${ROUTE_SERVER_ASN}; loopback mode: ${loop(i0)} and ${loop(i1)}); ` +
    'until something answers there, the session stays down'
  );
}

type LabFilePolicy = Pick<LabFile['routers'][string], 'import' | 'export' | 'removePrivateAs' | 'asOverride'>;
type LabFilePolicyEntry = NonNullable<LabFilePolicy['import']>[number];

/** A router's (or one neighbour's) policy fields as the spec holds them (ADR 0039). */
function policySpec(p: LabFilePolicy): NeighborPolicySpec {
  return {
    ...(p.import ? { import: p.import.map(entrySpec) } : {}),
    ...(p.export ? { export: p.export.map(entrySpec) } : {}),
    ...(p.removePrivateAs !== undefined
      ? {
          removePrivateAs:
            p.removePrivateAs === true
              ? { all: false, replaceAs: false }
              : { all: p.removePrivateAs.all, replaceAs: p.removePrivateAs.replaceAs },
        }
      : {}),
    ...(p.asOverride !== undefined ? { asOverride: p.asOverride } : {}),
  };
}

function entrySpec(e: LabFilePolicyEntry): RoutePolicyEntrySpec {
  const copy = <T extends object>(o: T): T => structuredClone(o);
  return {
    action: e.action,
    ...(e.match ? { match: copy(e.match) } : {}),
    ...(e.prepend !== undefined
      ? { prepend: typeof e.prepend === 'number' ? { count: e.prepend } : copy(e.prepend) }
      : {}),
    ...(e.communities ? { communities: copy(e.communities) } : {}),
    ...(e.largeCommunities ? { largeCommunities: copy(e.largeCommunities) } : {}),
    ...('localPref' in e && e.localPref !== undefined ? { localPref: e.localPref } : {}),
    ...(e.med !== undefined ? { med: e.med } : {}),
  };
}
