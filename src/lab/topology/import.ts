/**
 * @module lab/topology/import
 * From what Azure gives out to a lab file: an ARM template as Azure exports it (`az group
 * export`, the portal's "Export template"), and the JSON of `az network … show` / `list`
 * (one resource, a list, or several files together). Resource and property names are the
 * REST API's (azure-rest-api-specs, specification/network/resource-manager), which the lab
 * file already uses (docs/lab-file.md), so the mapping is mostly a move: `properties.X` of
 * a resource becomes `X` of its lab-file entry, `{ id }` references become NAME or
 * RESOURCE-GROUP/NAME.
 *
 * Nothing is dropped silently: every resource, child or property the lab file cannot hold
 * is reported with its type, name and why (`unmapped`). Template expressions are resolved
 * where they are the common ones — parameters (value given, else defaultValue), variables,
 * concat, resourceId, resourceGroup().location/name, subscription().subscriptionId — and a
 * value using any other function is reported as unmapped, with the expression.
 */
import { isIP } from 'node:net';
import { ROUTE_SERVER_ASN } from '../../azure/index.js';
import { labFileText, mostCommon, privatePeeringFields } from './export.js';
import { loadLabText } from './load.js';
import { RESOURCE_GROUP_KEYS } from './schema.js';

type Obj = Record<string, unknown>;

export interface ImportOptions {
  /** The lab's name (default 'imported'). */
  readonly name?: string;
  /** The resource group of template resources (a template is deployed into one; default 'imported-rg'). */
  readonly resourceGroup?: string;
  /** Region when a resource has none (default: the most common region of the input, else westeurope). */
  readonly location?: string;
  /** Template parameter values, over the template's defaultValues. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

export interface Unmapped {
  /** ARM type, e.g. Microsoft.Network/networkSecurityGroups/securityRules. */
  readonly type: string;
  /** The resource's name (children: parent/child). */
  readonly name: string;
  readonly why: string;
}

export interface ImportResult {
  readonly text: string;
  readonly unmapped: readonly Unmapped[];
  /** The loader's errors for the written file (empty when it validates). */
  readonly errors: readonly string[];
}

/** One input document: its label (a file name) and its parsed JSON. */
export interface ImportInput {
  readonly source: string;
  readonly json: unknown;
}

// ---------------------------------------------------------------------------
// Template expressions

class Unresolved extends Error {}

interface ExpressionContext {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly resourceGroup: string;
  readonly location: string;
  readonly subscriptionId: string;
  /** Variables being resolved (a variable that refers to itself is an error, not a loop). */
  readonly resolving: Set<string>;
}

/** A template value with its `[…]` expressions evaluated (recursively in objects and arrays). */
function evaluate(value: unknown, ctx: ExpressionContext): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1); // an escaped literal '['
    if (value.startsWith('[') && value.endsWith(']')) return new ExpressionParser(value.slice(1, -1), ctx).parseAll();
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => evaluate(v, ctx));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, ctx)]));
  return value;
}

/** ARM template expression grammar, the part needed: calls, 'strings', numbers, .property. */
class ExpressionParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly ctx: ExpressionContext,
  ) {}

  parseAll(): unknown {
    const v = this.expression();
    this.space();
    if (this.i !== this.s.length) throw new Unresolved(`[${this.s}]: unexpected '${this.s.slice(this.i)}'`);
    return v;
  }

  private space(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private expression(): unknown {
    this.space();
    const c = this.s[this.i];
    let v: unknown;
    if (c === "'") v = this.string();
    else if (c !== undefined && /[-\d]/.test(c)) v = this.number();
    else v = this.call();
    for (;;) {
      this.space();
      if (this.s[this.i] === '.') {
        this.i++;
        const m = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i));
        if (!m) throw new Unresolved(`[${this.s}]: a property name after '.'`);
        this.i += m[0].length;
        if (typeof v !== 'object' || v === null || !(m[0] in v))
          throw new Unresolved(`[${this.s}]: no property '${m[0]}'`);
        v = (v as Obj)[m[0]];
      } else if (this.s[this.i] === '[') {
        this.i++;
        const index = this.expression();
        this.space();
        if (this.s[this.i++] !== ']') throw new Unresolved(`[${this.s}]: ']' expected`);
        v = (v as Obj)[String(index)];
      } else return v;
    }
  }

  private string(): string {
    let out = '';
    this.i++;
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) throw new Unresolved(`[${this.s}]: unterminated string`);
      if (c === "'") {
        if (this.s[this.i] === "'") {
          out += "'";
          this.i++;
        } else return out;
      } else out += c;
    }
  }

  private number(): number {
    const m = /^-?\d+/.exec(this.s.slice(this.i))!;
    this.i += m[0].length;
    return Number(m[0]);
  }

  private call(): unknown {
    const m = /^[A-Za-z_][\w.]*/.exec(this.s.slice(this.i));
    if (!m) throw new Unresolved(`[${this.s}]: unexpected '${this.s.slice(this.i)}'`);
    const fn = m[0];
    this.i += fn.length;
    this.space();
    if (this.s[this.i++] !== '(') throw new Unresolved(`[${this.s}]: '(' expected after ${fn}`);
    const args: unknown[] = [];
    this.space();
    if (this.s[this.i] === ')') this.i++;
    else {
      for (;;) {
        args.push(this.expression());
        this.space();
        const c = this.s[this.i++];
        if (c === ')') break;
        if (c !== ',') throw new Unresolved(`[${this.s}]: ',' or ')' expected`);
      }
    }
    return this.apply(fn, args);
  }

  private apply(fn: string, args: unknown[]): unknown {
    const ctx = this.ctx;
    switch (fn.toLowerCase()) {
      case 'parameters': {
        const name = String(args[0]);
        if (!(name in ctx.parameters)) throw new Unresolved(`parameter '${name}' has no value and no defaultValue`);
        return ctx.parameters[name];
      }
      case 'variables': {
        const name = String(args[0]);
        if (!(name in ctx.variables)) throw new Unresolved(`variable '${name}' is not defined`);
        if (ctx.resolving.has(name)) throw new Unresolved(`variable '${name}' refers to itself`);
        ctx.resolving.add(name);
        try {
          return evaluate(ctx.variables[name], ctx);
        } finally {
          ctx.resolving.delete(name);
        }
      }
      case 'concat':
        if (args.every(Array.isArray)) return (args as unknown[][]).flat();
        return args.map((a) => scalarText(a, `[${this.s}]`)).join('');
      case 'resourceid':
        return armId(
          args.map((a) => scalarText(a, `[${this.s}]`)),
          ctx,
          this.s,
        );
      case 'resourcegroup':
        return {
          name: ctx.resourceGroup,
          location: ctx.location,
          id: `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}`,
        };
      case 'subscription':
        return { subscriptionId: ctx.subscriptionId, id: `/subscriptions/${ctx.subscriptionId}` };
      default:
        throw new Unresolved(`[${this.s}]: the function ${fn}() is not evaluated by import`);
    }
  }
}

function scalarText(v: unknown, where: string): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Unresolved(`${where}: expected a string`);
}

/**
 * resourceId([subscriptionId,] [resourceGroupName,] resourceType, name1, [name2, …]): the
 * type's segments after the namespace say how many names follow; what comes before is the
 * resource group (and subscription).
 */
function armId(args: string[], ctx: ExpressionContext, expr: string): string {
  const typeAt = args.findIndex((a) => /^[A-Za-z]+\.[A-Za-z.]+\/[A-Za-z]/.test(a));
  if (typeAt < 0) throw new Unresolved(`[${expr}]: no resource type in resourceId()`);
  const [namespace, ...types] = args[typeAt]!.split('/');
  const names = args.slice(typeAt + 1);
  if (names.length !== types.length) throw new Unresolved(`[${expr}]: ${types.length} names expected`);
  const before = args.slice(0, typeAt);
  const rg = before.length >= 1 ? before[before.length - 1]! : ctx.resourceGroup;
  const sub = before.length >= 2 ? before[0]! : ctx.subscriptionId;
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join('/')}`;
}

// ---------------------------------------------------------------------------
// Resources, whatever the input

/** One resource as found: type in lower case (Microsoft.Network/virtualNetworks/subnets), names top-down. */
interface Found {
  readonly type: string;
  readonly typeShown: string;
  readonly names: readonly string[];
  readonly group: string;
  readonly location?: string;
  /** ARM's `properties` (az's flattened output: the object itself). */
  readonly props: Obj;
  readonly raw: Obj;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i;

/** An ARM id's group, type (Namespace/type[/child…]) and names. */
function parseId(id: string): { group: string; type: string; names: string[] } | undefined {
  const m = ID.exec(id);
  if (!m) return undefined;
  const parts = m[4]!.split('/');
  if (parts.length % 2 !== 0) return undefined;
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    types.push(parts[i]!);
    names.push(parts[i + 1]!);
  }
  return { group: m[2]!, type: `${m[3]}/${types.join('/')}`, names };
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v) && typeof v.id === 'string') return v.id;
  return undefined;
}

// ---------------------------------------------------------------------------
// The importer

export function importLab(inputs: readonly ImportInput[], options: ImportOptions = {}): ImportResult {
  return new Importer(options).run(inputs);
}

const NETWORK = 'microsoft.network/';

class Importer {
  private readonly unmapped: Unmapped[] = [];
  private readonly found: Found[] = [];
  private readonly defaultGroup: string;
  /** Public IP id (lower case) → its address, where the input gives it. */
  private readonly publicIps = new Map<string, string | undefined>();

  constructor(private readonly options: ImportOptions) {
    this.defaultGroup = options.resourceGroup ?? 'imported-rg';
  }

  private report(type: string, name: string, why: string): void {
    this.unmapped.push({ type, name, why });
  }

  run(inputs: readonly ImportInput[]): ImportResult {
    for (const input of inputs) this.collect(input);
    const file = this.labFile();
    const name = this.options.name ?? 'imported';
    const text = labFileText(file, name).replace(
      /^# .*\n/,
      `# Lab '${name}', written by arslab import from ${inputs.map((i) => i.source).join(', ')} (docs/lab-file.md).\n`,
    );
    const loaded = loadLabText(text, `/${name}.yml`, { checkFile: () => 'file' });
    return {
      text,
      unmapped: this.unmapped,
      errors: loaded.ok ? [] : loaded.errors.map((e) => `${e.line}:${e.column}: ${e.field}: ${e.message}`),
    };
  }

  // ---- collecting ---------------------------------------------------------

  private collect(input: ImportInput): void {
    const json = input.json;
    if (isObj(json) && Array.isArray(json.resources)) {
      this.collectTemplate(json, input.source);
      return;
    }
    const list = Array.isArray(json) ? json : isObj(json) && Array.isArray(json.value) ? json.value : [json];
    for (const item of list) {
      if (!isObj(item) || typeof item.type !== 'string') {
        this.report(
          '(unknown)',
          input.source,
          'not an ARM template, nor a resource or a list of resources with a type',
        );
        continue;
      }
      const id = typeof item.id === 'string' ? parseId(item.id) : undefined;
      const group = typeof item.resourceGroup === 'string' ? item.resourceGroup : (id?.group ?? this.defaultGroup);
      const names = id?.names ?? String(item.name ?? '').split('/');
      this.add(item, item.type, names, group);
    }
  }

  private collectTemplate(t: Obj, source: string): void {
    const declared = isObj(t.parameters) ? t.parameters : {};
    const parameters: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(declared)) if (isObj(p) && 'defaultValue' in p) parameters[k] = p.defaultValue;
    Object.assign(parameters, this.options.parameters ?? {});
    const ctx: ExpressionContext = {
      parameters,
      variables: isObj(t.variables) ? t.variables : {},
      resourceGroup: this.defaultGroup,
      location: this.options.location ?? 'westeurope',
      subscriptionId: '00000000-0000-0000-0000-000000000000',
      resolving: new Set(),
    };
    // Parameters' own defaults may be expressions ([resourceGroup().location]).
    for (const [k, v] of Object.entries(parameters)) {
      try {
        parameters[k] = evaluate(v, ctx);
      } catch (e) {
        if (!(e instanceof Unresolved)) throw e;
        delete parameters[k];
      }
    }
    const walk = (resources: unknown[], parent?: { type: string; names: string[] }) => {
      for (const r of resources) {
        if (!isObj(r)) continue;
        let shownName = typeof r.name === 'string' ? r.name : '(unnamed)';
        try {
          shownName = String(evaluate(r.name, ctx));
        } catch (e) {
          if (!(e instanceof Unresolved)) throw e;
        }
        const typeText = typeof r.type === 'string' ? r.type : '(no type)';
        let resolved: Obj;
        try {
          resolved = evaluate({ ...r, resources: undefined }, ctx) as Obj;
        } catch (e) {
          if (!(e instanceof Unresolved)) throw e;
          // One property the importer cannot evaluate: evaluate the rest, report that one.
          resolved = this.evaluateParts(r, ctx, typeText, shownName, source);
        }
        const type = parent && !typeText.includes('/') ? `${parent.type}/${typeText}` : typeText;
        const nameText = String(resolved.name ?? shownName);
        const names = parent && !nameText.includes('/') ? [...parent.names, nameText] : nameText.split('/');
        if ('copy' in r) {
          this.report(type, nameText, 'copy loops are not expanded by import: write each resource out');
          continue;
        }
        this.add(resolved, type, names, this.defaultGroup);
        if (Array.isArray(r.resources)) walk(r.resources, { type, names });
      }
    };
    walk(t.resources as unknown[]);
  }

  /** A resource whose properties do not all evaluate: each top-level property on its own. */
  private evaluateParts(r: Obj, ctx: ExpressionContext, type: string, name: string, source: string): Obj {
    const out: Obj = {};
    const visit = (value: unknown, path: string): unknown => {
      try {
        return evaluate(value, ctx);
      } catch (e) {
        if (!(e instanceof Unresolved)) throw e;
        if (Array.isArray(value)) {
          return value.map((v, i) => visit(v, `${path}.${i}`)).filter((v) => v !== undefined);
        }
        if (isObj(value)) {
          return Object.fromEntries(
            Object.entries(value)
              .map(([k, v]) => [k, visit(v, `${path}.${k}`)] as const)
              .filter(([, v]) => v !== undefined),
          );
        }
        this.report(type, name, `${path} is not imported: ${e.message} (in ${source})`);
        return undefined;
      }
    };
    for (const [k, v] of Object.entries(r)) {
      if (k === 'resources') continue;
      const value = visit(v, k);
      if (value !== undefined) out[k] = value;
    }
    return out;
  }

  private add(raw: Obj, type: string, names: readonly string[], group: string): void {
    const props = isObj(raw.properties) ? raw.properties : raw;
    this.found.push({
      type: type.toLowerCase(),
      typeShown: type,
      names,
      group,
      ...(typeof raw.location === 'string' ? { location: normalizeLocation(raw.location) } : {}),
      props,
      raw,
    });
  }

  // ---- mapping ------------------------------------------------------------

  private of(type: string): Found[] {
    return this.found.filter((f) => f.type === NETWORK + type.toLowerCase());
  }

  /** A reference to `id` from group `from`: NAME in the same group, else GROUP/NAME (subnets: VNET/SUBNET). */
  private ref(id: unknown, from: string): string | undefined {
    const text = idOf(id);
    if (text === undefined) return undefined;
    const p = parseId(text);
    if (!p) return undefined;
    const name = p.names.join('/');
    return p.group.toLowerCase() === from.toLowerCase() ? name : `${p.group}/${name}`;
  }

  private labFile(): Obj {
    const groups = new Map<string, Obj>();
    const locations = this.found.map((f) => f.location).filter((l): l is string => l !== undefined);
    const location = this.options.location ?? mostCommon(locations) ?? 'westeurope';
    const group = (name: string): Obj => {
      const key = [...groups.keys()].find((g) => g.toLowerCase() === name.toLowerCase()) ?? name;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = {}));
      return g;
    };
    const put = (g: string, collection: string, name: string, value: Obj) => {
      const entries = (group(g)[collection] ??= {}) as Obj;
      entries[name] = { ...(entries[name] as Obj | undefined), ...value };
    };
    const at = (f: Found): Obj => (f.location !== undefined && f.location !== location ? { location: f.location } : {});
    const handled = new Set<Found>();
    const done = (f: Found) => handled.add(f);

    const usedPublicIps = new Set<string>();
    for (const f of this.of('publicIPAddresses')) {
      done(f);
      const address = typeof f.props.ipAddress === 'string' ? f.props.ipAddress : undefined;
      this.publicIps.set(`${f.group}/${f.names.join('/')}`.toLowerCase(), address);
    }

    // Route tables and routes.
    for (const f of this.of('routeTables')) {
      done(f);
      const routes: Obj = {};
      for (const r of asList(f.props.routes)) {
        const rp = isObj(r.properties) ? r.properties : r;
        routes[String(r.name)] = this.route(rp, `${f.names[0]}/${String(r.name)}`);
      }
      put(f.group, 'routeTables', f.names[0]!, {
        ...at(f),
        ...(f.props.disableBgpRoutePropagation === true ? { disableBgpRoutePropagation: true } : {}),
        ...(Object.keys(routes).length > 0 ? { routes } : {}),
      });
    }
    for (const f of this.of('routeTables/routes')) {
      done(f);
      put(f.group, 'routeTables', f.names[0]!, { routes: { [f.names[1]!]: this.route(f.props, f.names.join('/')) } });
    }
    // NSGs: declared (subnets may name them); rules are not modelled.
    for (const f of this.of('networkSecurityGroups')) {
      done(f);
      put(f.group, 'networkSecurityGroups', f.names[0]!, at(f));
      for (const rule of asList(f.props.securityRules))
        this.report(
          'Microsoft.Network/networkSecurityGroups/securityRules',
          `${f.names[0]}/${String(rule.name)}`,
          'security rules are not modelled: ARSLab does not filter traffic',
        );
    }
    for (const f of this.of('networkSecurityGroups/securityRules')) {
      done(f);
      this.report(f.typeShown, f.names.join('/'), 'security rules are not modelled: ARSLab does not filter traffic');
    }

    // VNets, subnets, peerings.
    const subnetOf = (g: string, vnet: string, name: string, sp: Obj, label: string) => {
      let prefix = typeof sp.addressPrefix === 'string' ? sp.addressPrefix : undefined;
      const list = Array.isArray(sp.addressPrefixes) ? sp.addressPrefixes.filter((p) => typeof p === 'string') : [];
      if (prefix === undefined && list.length > 0) prefix = list[0] as string;
      if (list.length > 1)
        this.report(
          'Microsoft.Network/virtualNetworks/subnets',
          label,
          `only the first of addressPrefixes ${list.join(', ')} is kept: a lab subnet has one IPv4 prefix`,
        );
      const rt = this.ref(sp.routeTable, g);
      const nsg = this.ref(sp.networkSecurityGroup, g);
      put(g, 'virtualNetworks', vnet, {
        subnets: {
          ...((group(g).virtualNetworks as Obj | undefined)?.[vnet] as { subnets?: Obj } | undefined)?.subnets,
          [name]: {
            ...(prefix !== undefined ? { addressPrefix: prefix } : {}),
            ...(rt !== undefined ? { routeTable: rt } : {}),
            ...(nsg !== undefined ? { networkSecurityGroup: nsg } : {}),
          },
        },
      });
    };
    const peeringOf = (g: string, vnet: string, name: string, pp: Obj) => {
      const remote = this.ref(pp.remoteVirtualNetwork, g);
      const flags: Obj = {};
      // Only what differs from Azure's defaults (access on, the rest off), as the loader defaults them.
      if (pp.allowVirtualNetworkAccess === false) flags.allowVirtualNetworkAccess = false;
      for (const k of ['allowForwardedTraffic', 'allowGatewayTransit', 'useRemoteGateways'])
        if (pp[k] === true) flags[k] = true;
      const existing = (
        (group(g).virtualNetworks as Obj | undefined)?.[vnet] as { virtualNetworkPeerings?: Obj } | undefined
      )?.virtualNetworkPeerings;
      put(g, 'virtualNetworks', vnet, {
        virtualNetworkPeerings: {
          ...existing,
          [name]: { ...(remote !== undefined ? { remoteVirtualNetwork: remote } : {}), ...flags },
        },
      });
    };
    for (const f of this.of('virtualNetworks')) {
      done(f);
      const space = isObj(f.props.addressSpace) ? f.props.addressSpace : {};
      const prefixes = asStrings(space.addressPrefixes);
      const v4 = prefixes.filter((p) => !p.includes(':'));
      for (const p of prefixes.filter((p) => p.includes(':')))
        this.report(f.typeShown, f.names[0]!, `address prefix ${p} is not imported: labs are IPv4, like Route Server`);
      put(f.group, 'virtualNetworks', f.names[0]!, { ...at(f), addressPrefixes: v4 });
      for (const s of asList(f.props.subnets))
        subnetOf(
          f.group,
          f.names[0]!,
          String(s.name),
          isObj(s.properties) ? s.properties : s,
          `${f.names[0]}/${String(s.name)}`,
        );
      for (const p of asList(f.props.virtualNetworkPeerings))
        peeringOf(f.group, f.names[0]!, String(p.name), isObj(p.properties) ? p.properties : p);
    }
    for (const f of this.of('virtualNetworks/subnets')) {
      done(f);
      subnetOf(f.group, f.names[0]!, f.names[1]!, f.props, f.names.join('/'));
    }
    for (const f of this.of('virtualNetworks/virtualNetworkPeerings')) {
      done(f);
      peeringOf(f.group, f.names[0]!, f.names[1]!, f.props);
    }

    // Route servers: virtualHubs of kind RouteServer (or with no virtualWan), their
    // ipConfigurations (the subnet) and bgpConnections.
    const hubIpConfigs = this.of('virtualHubs/ipConfigurations');
    const hubPeerings = this.of('virtualHubs/bgpConnections');
    for (const f of this.of('virtualHubs')) {
      done(f);
      const isRouteServer = f.raw.kind === 'RouteServer' || f.props.virtualWan === undefined;
      if (!isRouteServer) {
        this.report(
          f.typeShown,
          f.names[0]!,
          'a Virtual WAN hub (it has virtualWan): ARSLab models Route Server hubs only',
        );
        continue;
      }
      const name = f.names[0]!;
      const ipc: Obj | undefined = [
        ...asList(f.props.ipConfigurations).map((c) => (isObj(c.properties) ? c.properties : c)),
        ...hubIpConfigs.filter((c) => sameNames(c.names[0], name)).map((c) => c.props),
      ].find((c) => c.subnet !== undefined);
      const subnet = ipc ? this.ref(ipc.subnet, f.group) : undefined;
      const peerings: Obj = {};
      for (const c of hubPeerings.filter((c) => sameNames(c.names[0], name))) {
        peerings[c.names[1]!] = { peerIp: c.props.peerIp, peerAsn: c.props.peerAsn };
      }
      for (const c of asList(f.props.bgpConnections)) {
        const cp = isObj(c.properties) ? c.properties : c;
        if (cp.peerIp !== undefined) peerings[String(c.name)] = { peerIp: cp.peerIp, peerAsn: cp.peerAsn };
      }
      put(f.group, 'routeServers', name, {
        ...at(f),
        ...(subnet !== undefined ? { subnet } : {}),
        ...(f.props.allowBranchToBranchTraffic === true ? { allowBranchToBranchTraffic: true } : {}),
        ...(typeof f.props.hubRoutingPreference === 'string' && f.props.hubRoutingPreference !== 'ExpressRoute'
          ? { hubRoutingPreference: f.props.hubRoutingPreference }
          : {}),
        ...(Object.keys(peerings).length > 0 ? { peerings } : {}),
      });
      if (!ipc)
        this.report(f.typeShown, name, 'no ipConfigurations with a subnet: the route server has no RouteServerSubnet');
    }
    for (const c of [...hubIpConfigs, ...hubPeerings]) done(c);

    // NICs become VMs (a lab VM is one NIC); Compute VMs name them.
    const vmOfNic = new Map<string, string>();
    for (const f of this.found.filter((x) => x.type === 'microsoft.compute/virtualmachines')) {
      done(f);
      const profile = isObj(f.props.networkProfile) ? f.props.networkProfile : {};
      const nics = asList(profile.networkInterfaces);
      nics.forEach((n, i) => {
        const id = idOf(n);
        const p = id ? parseId(id) : undefined;
        if (!p) return;
        if (i === 0) vmOfNic.set(`${p.group}/${p.names[0]}`.toLowerCase(), f.names[0]!);
        else
          this.report(
            f.typeShown,
            f.names[0]!,
            `network interface ${p.names[0]} is not imported: a lab VM has one NIC`,
          );
      });
    }
    for (const f of this.of('networkInterfaces')) {
      done(f);
      const nicName = f.names[0]!;
      const vmName =
        vmOfNic.get(`${f.group}/${nicName}`.toLowerCase()) ??
        (idOf(f.props.virtualMachine) ? parseId(idOf(f.props.virtualMachine)!)?.names[0] : undefined) ??
        (nicName.endsWith('VMNic') ? nicName.slice(0, -5) : nicName);
      const ipcs = asList(f.props.ipConfigurations).map((c) => ({
        name: String(c.name),
        p: isObj(c.properties) ? c.properties : c,
      }));
      const primary = ipcs.find((c) => c.p.primary === true) ?? ipcs[0];
      for (const c of ipcs.filter((c) => c !== primary))
        this.report(
          'Microsoft.Network/networkInterfaces/ipConfigurations',
          `${nicName}/${c.name}`,
          'a lab VM has one IP configuration',
        );
      if (!primary) {
        this.report(f.typeShown, nicName, 'no IP configuration: nothing to place the VM in');
        continue;
      }
      const subnet = this.ref(primary.p.subnet, f.group);
      const address = typeof primary.p.privateIPAddress === 'string' ? primary.p.privateIPAddress : undefined;
      put(f.group, 'virtualMachines', vmName, {
        ...at(f),
        ...(subnet !== undefined ? { subnet } : {}),
        ...(address !== undefined ? { privateIPAddress: address } : {}),
        ...(f.props.enableIPForwarding === true ? { enableIPForwarding: true } : {}),
        ...(nicName !== `${vmName}VMNic` ? { nicName } : {}),
        ...(primary.name !== `ipconfig${vmName}` ? { ipConfigurationName: primary.name } : {}),
      });
    }

    // Gateways, sites, connections, circuits.
    for (const f of this.of('virtualNetworkGateways')) {
      done(f);
      const p = f.props;
      const type = p.gatewayType;
      if (type !== 'ExpressRoute' && type !== 'Vpn') {
        this.report(f.typeShown, f.names[0]!, `gatewayType ${String(type)} is not modelled (ExpressRoute and Vpn are)`);
        continue;
      }
      const ipcs = asList(p.ipConfigurations).map((c) => (isObj(c.properties) ? c.properties : c));
      const subnetId = ipcs.map((c) => idOf(c.subnet)).find((s) => s !== undefined);
      const sp = subnetId ? parseId(subnetId) : undefined;
      const vnet = sp
        ? sp.group.toLowerCase() === f.group.toLowerCase()
          ? sp.names[0]
          : `${sp.group}/${sp.names[0]}`
        : undefined;
      const publicIps = ipcs
        .map((c) => idOf(c.publicIPAddress))
        .filter((i): i is string => i !== undefined)
        .map((i) => {
          const q = parseId(i);
          const key = q ? `${q.group}/${q.names[0]}`.toLowerCase() : '';
          const address = this.publicIps.get(key);
          usedPublicIps.add(key);
          if (address === undefined)
            this.report(
              'Microsoft.Network/publicIPAddresses',
              q?.names[0] ?? i,
              `the address of ${f.names[0]}'s public IP is not in the input (templates leave it to Azure)`,
            );
          return address;
        })
        .filter((a): a is string => a !== undefined && isIP(a) === 4);
      const bgp = isObj(p.bgpSettings) ? p.bgpSettings : {};
      const apipa = asList(bgp.bgpPeeringAddresses).flatMap((b) => asStrings(b.customBgpIpAddresses));
      const sku = isObj(f.raw.sku) ? f.raw.sku.name : isObj(p.sku) ? p.sku.name : undefined;
      put(f.group, 'virtualNetworkGateways', f.names[0]!, {
        ...at(f),
        gatewayType: type,
        ...(typeof sku === 'string' ? { sku } : {}),
        ...(vnet !== undefined ? { virtualNetwork: vnet } : {}),
        ...(type === 'Vpn' && p.activeActive === true ? { activeActive: true } : {}),
        ...(type === 'Vpn' && p.enableBgp === true ? { enableBgp: true } : {}),
        ...(typeof bgp.asn === 'number' && bgp.asn !== ROUTE_SERVER_ASN ? { asn: bgp.asn } : {}),
        ...(type === 'Vpn' && publicIps.length > 0 ? { publicIpAddresses: publicIps } : {}),
        ...(type === 'Vpn' && apipa.length > 0 ? { customBgpIpAddresses: apipa } : {}),
      });
    }
    for (const f of this.of('localNetworkGateways')) {
      done(f);
      const p = f.props;
      const space = isObj(p.localNetworkAddressSpace) ? p.localNetworkAddressSpace : {};
      const bgp = isObj(p.bgpSettings) ? p.bgpSettings : undefined;
      if (p.gatewayIpAddress === undefined && p.fqdn !== undefined)
        this.report(f.typeShown, f.names[0]!, 'fqdn is not imported: a lab site needs gatewayIpAddress');
      put(f.group, 'localNetworkGateways', f.names[0]!, {
        ...at(f),
        ...(p.gatewayIpAddress !== undefined ? { gatewayIpAddress: p.gatewayIpAddress } : {}),
        ...(asStrings(space.addressPrefixes).length > 0 ? { addressPrefixes: asStrings(space.addressPrefixes) } : {}),
        ...(bgp && bgp.asn !== undefined
          ? { bgpSettings: { asn: bgp.asn, bgpPeeringAddress: bgp.bgpPeeringAddress } }
          : {}),
      });
    }
    for (const f of this.of('connections')) {
      done(f);
      const p = f.props;
      if (p.connectionType !== 'ExpressRoute' && p.connectionType !== 'IPsec') {
        this.report(
          f.typeShown,
          f.names[0]!,
          `connectionType ${String(p.connectionType)} is not modelled (ExpressRoute and IPsec are)`,
        );
        continue;
      }
      const gw = this.ref(p.virtualNetworkGateway1, f.group);
      const peer = this.ref(p.peer, f.group);
      const lng = this.ref(p.localNetworkGateway2, f.group);
      put(f.group, 'connections', f.names[0]!, {
        ...at(f),
        connectionType: p.connectionType,
        ...(gw !== undefined ? { virtualNetworkGateway1: gw } : {}),
        ...(p.connectionType === 'ExpressRoute' && peer !== undefined ? { peer } : {}),
        ...(p.connectionType === 'IPsec' && lng !== undefined ? { localNetworkGateway2: lng } : {}),
        ...(typeof p.routingWeight === 'number' && p.routingWeight !== 0 ? { routingWeight: p.routingWeight } : {}),
        ...(p.connectionType === 'IPsec' && p.enableBgp === true ? { enableBgp: true } : {}),
      });
    }
    const circuitPeering = (f: Found, name: string, pp: Obj) => {
      if (pp.peeringType !== undefined && pp.peeringType !== 'AzurePrivatePeering') {
        this.report(
          'Microsoft.Network/expressRouteCircuits/peerings',
          `${f.names[0]}/${name}`,
          `${String(pp.peeringType)} is not modelled: ARSLab models AzurePrivatePeering`,
        );
        return;
      }
      put(f.group, 'expressRouteCircuits', f.names[0]!, {
        peerings: { AzurePrivatePeering: privatePeeringFields(pp) },
      });
      for (const c of asList(pp.connections))
        globalReach(f.group, f.names[0]!, String(c.name), isObj(c.properties) ? c.properties : c);
    };
    const globalReach = (g: string, circuit: string, name: string, cp: Obj) => {
      const peer = idOf(cp.peerExpressRouteCircuitPeering);
      const q = peer ? parseId(peer) : undefined;
      const existing = (
        (group(g).expressRouteCircuits as Obj | undefined)?.[circuit] as { globalReachConnections?: Obj } | undefined
      )?.globalReachConnections;
      put(g, 'expressRouteCircuits', circuit, {
        globalReachConnections: {
          ...existing,
          [name]: {
            ...(q
              ? { peerCircuit: q.group.toLowerCase() === g.toLowerCase() ? q.names[0] : `${q.group}/${q.names[0]}` }
              : {}),
            addressPrefix: cp.addressPrefix,
          },
        },
      });
    };
    for (const f of this.of('expressRouteCircuits')) {
      done(f);
      const p = f.props;
      const sp = isObj(p.serviceProviderProperties) ? p.serviceProviderProperties : {};
      const tier = isObj(f.raw.sku) ? f.raw.sku.tier : undefined;
      put(f.group, 'expressRouteCircuits', f.names[0]!, {
        ...at(f),
        serviceProviderName: sp.serviceProviderName,
        peeringLocation: sp.peeringLocation,
        bandwidthInMbps: sp.bandwidthInMbps,
        ...(typeof tier === 'string' && tier !== 'Standard' ? { skuTier: tier } : {}),
      });
      for (const pe of asList(p.peerings))
        circuitPeering(f, String(pe.name), isObj(pe.properties) ? pe.properties : pe);
    }
    for (const f of this.of('expressRouteCircuits/peerings')) {
      done(f);
      circuitPeering(f, f.names[1]!, f.props);
    }
    for (const f of this.of('expressRouteCircuits/peerings/connections')) {
      done(f);
      globalReach(f.group, f.names[0]!, f.names[2]!, f.props);
    }

    for (const f of this.of('publicIPAddresses')) {
      if (!usedPublicIps.has(`${f.group}/${f.names.join('/')}`.toLowerCase()))
        this.report(
          f.typeShown,
          f.names.join('/'),
          "public IPs are placeholders: only a VPN gateway's tunnel addresses are kept",
        );
    }
    for (const f of this.found) {
      if (handled.has(f)) continue;
      this.report(f.typeShown, f.names.join('/'), 'this resource type is not modelled by ARSLab');
    }

    const resourceGroups = Object.fromEntries([...groups].map(([k, v]) => [k, orderGroup(v)]));
    return {
      name: this.options.name ?? 'imported',
      location,
      resourceGroups: Object.keys(resourceGroups).length > 0 ? resourceGroups : { [this.defaultGroup]: {} },
    };
  }

  private route(rp: Obj, label: string): Obj {
    if (
      rp.addressPrefix !== undefined &&
      typeof rp.addressPrefix === 'string' &&
      !/^[\d.]+\/\d+$/.test(rp.addressPrefix)
    )
      this.report(
        'Microsoft.Network/routeTables/routes',
        label,
        `addressPrefix ${rp.addressPrefix} (a service tag or IPv6) is kept as written and will not validate`,
      );
    return {
      addressPrefix: rp.addressPrefix,
      nextHopType: rp.nextHopType,
      ...(rp.nextHopIpAddress !== undefined ? { nextHopIpAddress: rp.nextHopIpAddress } : {}),
    };
  }
}

function orderGroup(g: Obj): Obj {
  return Object.fromEntries(RESOURCE_GROUP_KEYS.filter((k) => k in g).map((k) => [k, g[k]]));
}

function asList(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function sameNames(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** 'West Europe' (how some exports write it) → 'westeurope', as az account list-locations names it. */
function normalizeLocation(l: string): string {
  return l.replace(/\s+/g, '').toLowerCase();
}
