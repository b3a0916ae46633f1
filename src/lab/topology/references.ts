/**
 * @module lab/topology/references
 * How one resource names another in a lab file. A reference is one of:
 *
 * - `NAME` (`VNET/SUBNET` for a subnet): looked up in the referring resource's own
 *   resource group first, then in the whole lab, where it must be unique;
 * - `RESOURCE-GROUP/NAME` (`RESOURCE-GROUP/VNET/SUBNET`): exactly that one;
 * - an ARM id, `/subscriptions/{sub}/resourceGroups/{rg}/providers/...`, as `az ... show
 *   --query id` prints it: exactly that one, in the lab's own subscription.
 *
 * Azure compares names without regard to case, and so does this. A reference that does
 * not resolve says what it looked for and lists what the lab has instead.
 */
import { sameName } from '../../azure/index.js';
import { closest, listOf } from '../../config/index.js';

export type ReferenceKind =
  | 'virtualNetworks'
  | 'subnets'
  | 'routeTables'
  | 'networkSecurityGroups'
  | 'virtualMachines'
  | 'virtualNetworkGateways'
  | 'localNetworkGateways'
  | 'expressRouteCircuits';

/** A resource declared in the file that references can point at. */
export interface Declared {
  readonly kind: ReferenceKind;
  readonly resourceGroup: string;
  /** The name as declared; a subnet's is [vnet, subnet]. */
  readonly name: readonly string[];
}

/**
 * A part of the file that a schema error made unusable. References into it are neither
 * resolved nor reported: the schema error already is, and "not found" would be noise.
 * `kind: '*'` is a whole resource group; a name ending in '*' covers a VNet's subnets.
 */
export interface Unusable {
  readonly kind: ReferenceKind | '*';
  readonly resourceGroup: string;
  readonly name: readonly string[];
}

export type Resolution =
  | { readonly status: 'found'; readonly target: Declared }
  /** Points into an unusable part of the file: skip silently. */
  | { readonly status: 'unusable' }
  | { readonly status: 'error'; readonly message: string };

const LABELS: Readonly<Record<ReferenceKind, readonly [string, string]>> = {
  virtualNetworks: ['virtual network', 'virtual networks'],
  subnets: ['subnet', 'subnets'],
  routeTables: ['route table', 'route tables'],
  networkSecurityGroups: ['network security group', 'network security groups'],
  virtualMachines: ['virtual machine', 'virtual machines'],
  virtualNetworkGateways: ['virtual network gateway', 'virtual network gateways'],
  localNetworkGateways: ['local network gateway', 'local network gateways'],
  expressRouteCircuits: ['ExpressRoute circuit', 'ExpressRoute circuits'],
};

/** The ARM type each kind's ids carry. */
const ARM_TYPES: Readonly<Record<ReferenceKind, { provider: string; type: string; child?: string }>> = {
  virtualNetworks: { provider: 'Microsoft.Network', type: 'virtualNetworks' },
  subnets: { provider: 'Microsoft.Network', type: 'virtualNetworks', child: 'subnets' },
  routeTables: { provider: 'Microsoft.Network', type: 'routeTables' },
  networkSecurityGroups: { provider: 'Microsoft.Network', type: 'networkSecurityGroups' },
  virtualMachines: { provider: 'Microsoft.Compute', type: 'virtualMachines' },
  virtualNetworkGateways: { provider: 'Microsoft.Network', type: 'virtualNetworkGateways' },
  localNetworkGateways: { provider: 'Microsoft.Network', type: 'localNetworkGateways' },
  expressRouteCircuits: { provider: 'Microsoft.Network', type: 'expressRouteCircuits' },
};

const ARM_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/i;

export function referenceForms(kind: ReferenceKind): string {
  return kind === 'subnets'
    ? 'VNET/SUBNET, RESOURCE-GROUP/VNET/SUBNET or an ARM id'
    : 'NAME, RESOURCE-GROUP/NAME or an ARM id';
}

/** A declared name as one case-folded key: 'vnet\0subnet' for a subnet. */
function nameKey(name: readonly string[]): string {
  return name.map((n) => n.toLowerCase()).join('\u0000');
}

export class ReferenceResolver {
  private readonly byKind = new Map<ReferenceKind, Declared[]>();
  /** Per kind, the declared resources of each name (any resource group), in declaration order. */
  private readonly byName = new Map<ReferenceKind, Map<string, Declared[]>>();

  constructor(
    private readonly subscriptionId: string,
    private readonly resourceGroups: readonly string[],
    declared: readonly Declared[],
    private readonly unusable: readonly Unusable[],
  ) {
    for (const d of declared) {
      const list = this.byKind.get(d.kind) ?? [];
      list.push(d);
      this.byKind.set(d.kind, list);
      let names = this.byName.get(d.kind);
      if (!names) this.byName.set(d.kind, (names = new Map()));
      const k = nameKey(d.name);
      const same = names.get(k);
      if (same) same.push(d);
      else names.set(k, [d]);
    }
  }

  /**
   * Resolves `text` to a declared resource of `kind`. `fromGroup` is the referring
   * resource's resource group, searched first; nodes have none.
   */
  resolve(kind: ReferenceKind, text: string, fromGroup?: string): Resolution {
    const parsed = this.parse(kind, text);
    if ('message' in parsed) return { status: 'error', message: parsed.message };
    const { resourceGroup, name } = parsed;
    // One map probe per reference (a scan of every declared resource per reference made a
    // lab of 4,000 VMs in 500 VNets quadratic to load).
    const named = this.byName.get(kind)?.get(nameKey(name)) ?? [];

    if (resourceGroup !== undefined) {
      const hit = named.find((d) => sameName(d.resourceGroup, resourceGroup));
      if (hit) return { status: 'found', target: hit };
    } else {
      const local = fromGroup === undefined ? undefined : named.find((d) => sameName(d.resourceGroup, fromGroup));
      if (local) return { status: 'found', target: local };
      if (named.length === 1) return { status: 'found', target: named[0]! };
      if (named.length > 1) {
        const groups = named.map((d) => `'${d.resourceGroup}'`);
        return {
          status: 'error',
          message: `'${text}' is ambiguous: ${LABELS[kind][1]} of that name are in resource groups ${listOf(groups)}; write ${kind === 'subnets' ? 'RESOURCE-GROUP/VNET/SUBNET' : 'RESOURCE-GROUP/NAME'} or an ARM id`,
        };
      }
    }
    if (this.isUnusable(kind, resourceGroup, name)) return { status: 'unusable' };
    return { status: 'error', message: this.notFound(kind, resourceGroup, name, this.byKind.get(kind) ?? []) };
  }

  private parse(kind: ReferenceKind, text: string): { resourceGroup?: string; name: string[] } | { message: string } {
    const [singular] = LABELS[kind];
    if (text.startsWith('/')) {
      const m = ARM_ID.exec(text);
      if (!m) return { message: `'${text}' is not an ARM id of ${a(singular)} (expected ${armTemplate(kind)})` };
      const [, sub, rg, provider, type, name, childType, childName] = m as unknown as string[];
      const want = ARM_TYPES[kind];
      const typeOk =
        sameName(provider!, want.provider) &&
        sameName(type!, want.type) &&
        (want.child === undefined
          ? childType === undefined
          : childType !== undefined && sameName(childType, want.child));
      if (!typeOk) {
        const got = `${provider}/${type}${childType ? `/${childType}` : ''}`;
        return {
          message: `'${text}' is the id of a ${got} resource, not of ${a(singular)} (expected ${armTemplate(kind)})`,
        };
      }
      if (!sameName(sub!, this.subscriptionId)) {
        return {
          message: `'${text}' is in subscription ${sub}, but this lab's subscriptionId is ${this.subscriptionId}`,
        };
      }
      return { resourceGroup: rg!, name: want.child ? [name!, childName!] : [name!] };
    }
    const segments = text.split('/');
    const width = kind === 'subnets' ? 2 : 1;
    if (segments.some((s) => s === '') || (segments.length !== width && segments.length !== width + 1)) {
      return { message: `'${text}' is not ${a(singular)} reference: write ${referenceForms(kind)}` };
    }
    return segments.length === width ? { name: segments } : { resourceGroup: segments[0]!, name: segments.slice(1) };
  }

  private isUnusable(kind: ReferenceKind, resourceGroup: string | undefined, name: readonly string[]): boolean {
    return this.unusable.some(
      (u) =>
        (resourceGroup === undefined || sameName(u.resourceGroup, resourceGroup)) &&
        (u.kind === '*' ||
          (u.kind === kind &&
            u.name.every((part, i) => part === '*' || (name[i] !== undefined && sameName(part, name[i]!))))),
    );
  }

  private notFound(
    kind: ReferenceKind,
    resourceGroup: string | undefined,
    name: readonly string[],
    all: readonly Declared[],
  ): string {
    const [singular, plural] = LABELS[kind];
    if (resourceGroup !== undefined && !this.resourceGroups.some((g) => sameName(g, resourceGroup))) {
      const hint = closest(resourceGroup, this.resourceGroups);
      return `resource group '${resourceGroup}' is not in this lab${hint ? ` (did you mean '${hint}'?)` : ''}; resource groups: ${listOf(this.resourceGroups.map((g) => `'${g}'`))}`;
    }
    const display = name.join('/');
    const where = resourceGroup === undefined ? '' : ` in resource group '${resourceGroup}'`;
    if (all.length === 0) return `no ${singular} '${display}'${where}: this lab declares no ${plural}`;
    const qualified = all.map((d) => `${d.resourceGroup}/${d.name.join('/')}`);
    // Suggest on the name alone: a typo is in the name far more often than in the group.
    const hintName = closest(
      display,
      all.map((d) => d.name.join('/')),
    );
    const hint = hintName === undefined ? undefined : qualified[all.findIndex((d) => d.name.join('/') === hintName)];
    return `no ${singular} '${display}'${where}${hint ? ` (did you mean '${hint}'?)` : ''}; ${plural} in this lab: ${listOf(qualified)}`;
  }
}

/** "a subnet", "an ExpressRoute circuit". */
function a(noun: string): string {
  return /^[aeiouAEIOU]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function armTemplate(kind: ReferenceKind): string {
  const t = ARM_TYPES[kind];
  const base = `/subscriptions/SUB/resourceGroups/RG/providers/${t.provider}/${t.type}/NAME`;
  return t.child ? `${base}/${t.child}/NAME` : base;
}
