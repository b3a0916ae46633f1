/**
 * @module api/server
 * The lab's local API on loopback: Azure Resource Manager paths for the resources and
 * operations ARSLab models (so az-shaped clients and SDKs can talk to it), and /arslab/…
 * for the lab itself (status, nodes, events). Long-running operations answer 202 with a
 * Location, as ARM does for learned routes and effective routes.
 *
 * The API holds no state of its own: every answer is read from the running Lab.
 */
import * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  AzureError,
  AzureErrors,
  byId,
  deleteRoute,
  deleteVnetPeering,
  getRouteTable,
  putRoute,
  putVnetPeering,
  type NextHopType,
  getNetworkInterface,
  getRouteServer,
  getVirtualMachine,
  getVirtualNetwork,
  primaryIpConfig,
} from '../azure/index.js';
import { parseIpv4, v4Prefix } from '../bgp/wire/index.js';
import { realClock, type Clock } from '../bgp/clock.js';
import { sessionRows, type RouterAction } from '../lab/graph/index.js';
import type { Lab } from '../lab/lab.js';
import { bgpConnectionJson, nicJson, routeJson, routeServerJson, vmJson, vnetJson } from './arm.js';
import { field, objectAt, properties } from './body.js';
import { BrowserSessions, newLabToken } from './auth.js';
import {
  authenticate,
  checkCaller,
  checkMediaType,
  hasBody,
  MAX_BODY_BYTES,
  readBody,
  selfNames,
  type GuardConfig,
} from './guard.js';
import { DEFAULT_OPERATION_LIMITS, OperationStore, type OperationLimits } from './operations.js';
import { ROUTE_GROUPS } from './routes/index.js';

export type Handler = (m: RegExpMatchArray, body: unknown, url: URL) => Promise<Reply> | Reply;
export interface Reply {
  status: number;
  body?: unknown;
  /** The body already serialised as JSON (a stored operation result). */
  json?: string;
  headers?: Record<string, string>;
  /**
   * A streamed answer (application/x-ndjson): `stream` writes one JSON value per line as
   * it goes; `signal` aborts when the client goes away (Ctrl-C on `arslab probe`) or the API
   * closes. Errors found before streaming are thrown by the handler as usual.
   */
  stream?: (write: (value: unknown) => void, signal: AbortSignal) => Promise<void>;
  /**
   * The handler writes the response itself (the web page's files, server-sent events:
   * src/api/routes/ui.ts, events.ts); `signal` aborts when the client goes away or the API
   * closes.
   */
  raw?: (req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal) => Promise<void> | void;
}

export const SEG = '([^/]+)';
/** `/subscriptions/{sub}/resourceGroups/{rg}/providers`: m[1] subscription, m[2] resource group. */
export const RG = `/subscriptions/${SEG}/resourceGroups/${SEG}/providers`;

export interface ApiServerOptions {
  /** The lab's secret (ADR 0010); default: a new one. */
  readonly token?: string;
  /** Time for operation results' retention (tests step a VirtualClock). Default: real time. */
  readonly clock?: Pick<Clock, 'now'>;
  readonly operationLimits?: OperationLimits;
  /** Largest request body accepted; default ARM's 4 MB. */
  readonly maxBodyBytes?: number;
}

export class ApiServer {
  private server?: http.Server;
  /** Results of long-running operations, bounded (api/operations). */
  readonly operations: OperationStore;
  private readonly routes: { method: string; re: RegExp; handler: Handler }[] = [];
  /** Called on POST /arslab/shutdown. */
  onShutdown?: () => void;
  /** The lab's secret: every request carries it as a bearer token, or a browser session (ADR 0010). */
  readonly token: string;
  private readonly clock: Pick<Clock, 'now'>;
  private guard?: GuardConfig;
  private sessions?: BrowserSessions;

  constructor(
    readonly lab: Lab,
    private readonly options: ApiServerOptions = {},
  ) {
    this.token = options.token ?? newLabToken({ labName: lab.spec.name });
    this.clock = options.clock ?? realClock;
    this.operations = new OperationStore(this.clock, options.operationLimits ?? DEFAULT_OPERATION_LIMITS);
    this.defineRoutes();
    for (const register of ROUTE_GROUPS) register(this);
  }

  /** Adds a route; `pattern` is a regex source matched against the whole path, case-insensitively. */
  route(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, re: new RegExp(`^${pattern}/?$`, 'i'), handler });
  }

  /** ARM long-running operation: 202 + Location; the result waits at the operation URL. */
  accepted(sub: string, body: unknown): Reply {
    return this.acceptedJson(sub, body === undefined ? '' : JSON.stringify(body));
  }

  /** accepted() for a result already written as JSON. */
  acceptedJson(sub: string, json: string): Reply {
    const id = this.operations.putJson(sub, json);
    const location = `/subscriptions/${sub}/providers/Microsoft.Network/locations/local/operationResults/${id}?api-version=2024-05-01`;
    return { status: 202, headers: { Location: location, 'Azure-AsyncOperation': location, 'Retry-After': '0' } };
  }

  private defineRoutes(): void {
    const lab = this.lab;
    const model = () => lab.model;

    // --- ARM: Route Server (virtualHubs) -----------------------------------
    this.route('GET', `${RG}/Microsoft.Network/virtualHubs/${SEG}`, (m) => ({
      status: 200,
      body: routeServerJson(getRouteServer(model(), m[2]!, m[3]!)),
    }));
    this.route('GET', `${RG}/Microsoft.Network/virtualHubs`, (m) => ({
      status: 200,
      body: {
        value: model()
          .routeServers.filter((r) => r.resourceGroup.toLowerCase() === m[2]!.toLowerCase())
          .map(routeServerJson),
      },
    }));
    this.route('GET', `${RG}/Microsoft.Network/virtualHubs/${SEG}/bgpConnections`, (m) => {
      const rs = getRouteServer(model(), m[2]!, m[3]!);
      return {
        status: 200,
        body: { value: rs.bgpConnections.map((c) => bgpConnectionJson(rs, c, this.connectionState(rs, c.name))) },
      };
    });
    this.route('GET', `${RG}/Microsoft.Network/virtualHubs/${SEG}/bgpConnections/${SEG}`, (m) => {
      const rs = getRouteServer(model(), m[2]!, m[3]!);
      const c = rs.bgpConnections.find((x) => x.name.toLowerCase() === m[4]!.toLowerCase());
      if (!c) throw AzureErrors.bgpConnectionNotFound(m[4]!, rs.name);
      return { status: 200, body: bgpConnectionJson(rs, c, this.connectionState(rs, c.name)) };
    });
    for (const [op, fn] of [
      ['getLearnedRoutes', 'learnedRoutes'],
      ['getAdvertisedRoutes', 'advertisedRoutes'],
    ] as const) {
      this.route('POST', `${RG}/Microsoft.Network/virtualHubs/${SEG}/bgpConnections/${SEG}/${op}`, (m) => {
        const rs = getRouteServer(model(), m[2]!, m[3]!);
        const rt = lab.routeServer(rs);
        if (!rt) throw AzureErrors.resourceNotFound('Microsoft.Network/virtualHubs', rs.name, rs.resourceGroup);
        return this.accepted(m[1]!, rt[fn](m[4]!));
      });
    }

    // --- ARM: NICs, VMs, VNets ------------------------------------------------
    this.route('GET', `${RG}/Microsoft.Network/networkInterfaces/${SEG}`, (m) => ({
      status: 200,
      body: nicJson(getNetworkInterface(model(), m[2]!, m[3]!)),
    }));
    this.route('GET', `${RG}/Microsoft.Network/networkInterfaces`, (m) => ({
      status: 200,
      body: {
        value: model()
          .networkInterfaces.filter((n) => n.resourceGroup.toLowerCase() === m[2]!.toLowerCase())
          .map((n) => nicJson(n)),
      },
    }));
    this.route('POST', `${RG}/Microsoft.Network/networkInterfaces/${SEG}/effectiveRouteTable`, (m) => {
      const nic = getNetworkInterface(model(), m[2]!, m[3]!);
      return this.acceptedJson(m[1]!, lab.effectiveRouteTable(nic).json());
    });
    // ARSLab: a NIC's effective routes with their version, or only what changed after
    // `?since=VERSION` (issue 12; for the web page and the timing model).
    this.route('GET', `/arslab/networkInterfaces/${SEG}/${SEG}/effectiveRoutes`, (m, _b, url) => {
      const nic = getNetworkInterface(model(), m[1]!, m[2]!);
      const since = url.searchParams.get('since');
      if (since === null) {
        const t = lab.effectiveRouteTable(nic);
        return { status: 200, body: { version: t.version, layers: t.layers, full: true, value: t.value } };
      }
      const v = Number(since);
      if (!Number.isInteger(v) || v < 0)
        throw AzureErrors.invalidParameter(
          'since',
          `'${since}' is not a version (a whole number from a previous answer)`,
        );
      const t = lab.effectiveRouteTable(nic);
      return { status: 200, body: { ...lab.effectiveRouteChanges(nic, v), layers: t.layers } };
    });
    this.route('GET', `${RG}/Microsoft.Compute/virtualMachines/${SEG}`, (m) => ({
      status: 200,
      body: vmJson(getVirtualMachine(model(), m[2]!, m[3]!)),
    }));
    this.route('GET', `${RG}/Microsoft.Network/virtualNetworks/${SEG}`, (m) => ({
      status: 200,
      body: vnetJson(model(), getVirtualNetwork(model(), m[2]!, m[3]!)),
    }));
    this.route('GET', `${RG}/Microsoft.Network/virtualNetworks/${SEG}/virtualNetworkPeerings`, (m) => {
      const v = vnetJson(model(), getVirtualNetwork(model(), m[2]!, m[3]!)) as {
        properties: { virtualNetworkPeerings: unknown[] };
      };
      return { status: 200, body: { value: v.properties.virtualNetworkPeerings } };
    });

    this.route('GET', `${RG}/Microsoft.Network/virtualNetworks/${SEG}/virtualNetworkPeerings/${SEG}`, (m) => {
      const v = vnetJson(model(), getVirtualNetwork(model(), m[2]!, m[3]!)) as {
        properties: { virtualNetworkPeerings: { name: string }[] };
      };
      const p = v.properties.virtualNetworkPeerings.find((x) => x.name.toLowerCase() === m[4]!.toLowerCase());
      if (!p)
        throw AzureErrors.resourceNotFound(
          'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
          `${m[3]}/${m[4]}`,
          m[2]!,
        );
      return { status: 200, body: p };
    });
    // PUT/DELETE a VNet peering: the model changes; route servers react (R-ARS-13).
    this.route('PUT', `${RG}/Microsoft.Network/virtualNetworks/${SEG}/virtualNetworkPeerings/${SEG}`, (m, body) => {
      const vnet = getVirtualNetwork(model(), m[2]!, m[3]!);
      const p = properties(body);
      const remoteRef = field(p, 'properties', 'remoteVirtualNetwork', 'object');
      const remote = field(remoteRef, 'properties.remoteVirtualNetwork', 'id', 'string');
      if (!remote)
        throw AzureErrors.invalidParameter('remoteVirtualNetwork', 'properties.remoteVirtualNetwork.id is required');
      const existed = vnet.virtualNetworkPeerings.some((x) => x.name.toLowerCase() === m[4]!.toLowerCase());
      const bool = (k: string) => field(p, 'properties', k, 'boolean');
      const next = putVnetPeering(model(), vnet.id, {
        name: m[4]!,
        remoteVirtualNetwork: remote,
        ...(bool('allowVirtualNetworkAccess') !== undefined
          ? { allowVirtualNetworkAccess: bool('allowVirtualNetworkAccess')! }
          : {}),
        ...(bool('allowForwardedTraffic') !== undefined
          ? { allowForwardedTraffic: bool('allowForwardedTraffic')! }
          : {}),
        ...(bool('allowGatewayTransit') !== undefined ? { allowGatewayTransit: bool('allowGatewayTransit')! } : {}),
        ...(bool('useRemoteGateways') !== undefined ? { useRemoteGateways: bool('useRemoteGateways')! } : {}),
      });
      lab.applyModel(next, `virtual network peering ${vnet.name}/${m[4]} ${existed ? 'updated' : 'created'}`);
      const v = vnetJson(lab.model, getVirtualNetwork(lab.model, m[2]!, m[3]!)) as {
        properties: { virtualNetworkPeerings: { name: string }[] };
      };
      return {
        status: existed ? 200 : 201,
        body: v.properties.virtualNetworkPeerings.find((x) => x.name.toLowerCase() === m[4]!.toLowerCase()),
      };
    });
    this.route('DELETE', `${RG}/Microsoft.Network/virtualNetworks/${SEG}/virtualNetworkPeerings/${SEG}`, (m) => {
      const vnet = getVirtualNetwork(model(), m[2]!, m[3]!);
      lab.applyModel(
        deleteVnetPeering(model(), vnet.id, m[4]!),
        `virtual network peering ${vnet.name}/${m[4]} deleted`,
      );
      return { status: 200 };
    });

    // --- ARM: routes of a route table (R-NIC-3): effective routes and the gateways' iBGP
    // mesh (R-VPN-2, a GatewaySubnet table) follow at once through Lab.applyModel.
    this.route('GET', `${RG}/Microsoft.Network/routeTables/${SEG}/routes`, (m) => {
      const t = getRouteTable(model(), m[2]!, m[3]!);
      return { status: 200, body: { value: t.routes.map((r) => routeJson(t, r)) } };
    });
    this.route('GET', `${RG}/Microsoft.Network/routeTables/${SEG}/routes/${SEG}`, (m) => {
      const t = getRouteTable(model(), m[2]!, m[3]!);
      const r = t.routes.find((x) => x.name.toLowerCase() === m[4]!.toLowerCase());
      if (!r) throw AzureErrors.resourceNotFound('Microsoft.Network/routeTables/routes', `${m[3]}/${m[4]}`, m[2]!);
      return { status: 200, body: routeJson(t, r) };
    });
    this.route('PUT', `${RG}/Microsoft.Network/routeTables/${SEG}/routes/${SEG}`, (m, body) => {
      const t = getRouteTable(model(), m[2]!, m[3]!);
      const p = properties(body);
      const addressPrefix = field(p, 'properties', 'addressPrefix', 'string');
      const nextHopType = field(p, 'properties', 'nextHopType', 'string');
      if (addressPrefix === undefined)
        throw AzureErrors.invalidParameter('addressPrefix', 'properties.addressPrefix is required');
      if (nextHopType === undefined)
        throw AzureErrors.invalidParameter('nextHopType', 'properties.nextHopType is required');
      const ip = field(p, 'properties', 'nextHopIpAddress', 'string');
      const existed = t.routes.some((x) => x.name.toLowerCase() === m[4]!.toLowerCase());
      const next = putRoute(model(), m[2]!, m[3]!, {
        name: m[4]!,
        addressPrefix,
        nextHopType: nextHopType as NextHopType,
        ...(ip ? { nextHopIpAddress: ip } : {}),
      });
      lab.applyModel(next, `route ${t.name}/${m[4]} ${existed ? 'updated' : 'created'}`);
      const nt = getRouteTable(lab.model, m[2]!, m[3]!);
      return {
        status: existed ? 200 : 201,
        body: routeJson(nt, nt.routes.find((x) => x.name.toLowerCase() === m[4]!.toLowerCase())!),
      };
    });
    this.route('DELETE', `${RG}/Microsoft.Network/routeTables/${SEG}/routes/${SEG}`, (m) => {
      const t = getRouteTable(model(), m[2]!, m[3]!);
      // ARM: deleting a child that does not exist is 204 No Content (az exits 0), not an error.
      if (!t.routes.some((x) => x.name.toLowerCase() === m[4]!.toLowerCase())) return { status: 204 };
      lab.applyModel(deleteRoute(model(), m[2]!, m[3]!, m[4]!), `route ${t.name}/${m[4]} deleted`);
      return { status: 200 };
    });

    // --- ARM: Network Watcher next hop ----------------------------------------
    this.route('POST', `${RG}/Microsoft.Network/networkWatchers/${SEG}/nextHop`, (m, body) => {
      const o = objectAt(body);
      const b = {
        targetResourceId: field(o, '', 'targetResourceId', 'string'),
        sourceIPAddress: field(o, '', 'sourceIPAddress', 'string'),
        destinationIPAddress: field(o, '', 'destinationIPAddress', 'string'),
        targetNicResourceId: field(o, '', 'targetNicResourceId', 'string'),
      };
      const vm = byId(model().virtualMachines, b.targetResourceId);
      if (!vm)
        throw AzureErrors.invalidParameter(
          'targetResourceId',
          `virtual machine ${b.targetResourceId ?? '(none)'} not found`,
        );
      const nicId = b.targetNicResourceId ?? vm.networkInterfaces[0];
      const nic = byId(model().networkInterfaces, nicId);
      if (!nic) throw AzureErrors.invalidParameter('targetNicResourceId', `network interface ${nicId} not found`);
      if (b.sourceIPAddress && !nic.ipConfigurations.some((c) => c.privateIPAddress === b.sourceIPAddress)) {
        throw AzureErrors.invalidParameter(
          'sourceIPAddress',
          `${b.sourceIPAddress} is not an address of ${nic.name} (${primaryIpConfig(nic)?.privateIPAddress})`,
        );
      }
      const dst = parseIpv4(b.destinationIPAddress ?? '');
      if (dst === undefined)
        throw AzureErrors.invalidParameter(
          'destinationIPAddress',
          `${b.destinationIPAddress ?? '(none)'} is not an IPv4 address`,
        );
      return this.accepted(m[1]!, lab.nextHop(nic, v4Prefix(dst, 32)));
    });

    // --- ARM: operation results --------------------------------------------------
    this.route(
      'GET',
      `/subscriptions/${SEG}/providers/Microsoft.Network/locations/${SEG}/operationResults/${SEG}`,
      (m) => {
        const json = this.operations.get(m[1]!, m[3]!);
        if (json === undefined) {
          const l = this.operations.limits;
          throw new AzureError(
            404,
            'OperationNotFound',
            `Operation ${m[3]} was not found in subscription ${m[1]} or has expired (ARSLab keeps a result ${l.unreadTtlMs / 60_000} min until it is read, then ${l.readTtlMs / 1000} s).`,
          );
        }
        return { status: 200, json };
      },
    );

    // --- ARSLab: the lab itself ------------------------------------------------
    this.route('GET', '/arslab/status', () => ({ status: 200, body: this.status() }));
    this.route('GET', '/arslab/events', (_m, _b, url) => {
      const since = Number(url.searchParams.get('since') ?? 0);
      if (!Number.isSafeInteger(since) || since < 0)
        throw AzureErrors.invalidParameter(
          'since',
          `expected an event number (0 or more), got '${url.searchParams.get('since')}'`,
        );
      return { status: 200, body: { value: lab.events.since(since) } };
    });
    this.route('GET', `/arslab/nodes/${SEG}/routes`, async (m) => {
      // A built-in on-premises router (the customer's edge, in process): its whole BGP table, own routes included.
      const router = this.router(m[1]!);
      if (router) {
        await lab.settled();
        return { status: 200, body: { value: router.table() } };
      }
      return { status: 200, body: { value: await this.node(m[1]!).receivedRoutes() } };
    });
    this.route('GET', `/arslab/nodes/${SEG}/sessions`, async (m) => {
      const s = lab.graph.speaker(m[1]!);
      if (s?.kind === 'router') {
        // A built-in router's sessions, from the lab graph, in the shape daemons report.
        await lab.settled();
        return {
          status: 200,
          body: {
            value: lab.graph.sidesOf(s).map((x) => ({
              neighbor: x.remote.address,
              state: x.session.state,
              established: x.session.state === 'Established',
              name: x.session.name,
              remoteAs: x.remote.asn,
            })),
          },
        };
      }
      return { status: 200, body: { value: await this.node(m[1]!).sessions() } };
    });
    this.route('POST', `/arslab/nodes/${SEG}/command`, async (m, body) => {
      const text = field(objectAt(body), '', 'text', 'string');
      if (!text) throw AzureErrors.invalidParameter('text', 'a command is required');
      const router = this.router(m[1]!);
      if (router) {
        // ExaBGP-style announce/withdraw, as for the built-in speaker (src/lab/announceCommand.ts).
        let output: string;
        try {
          output = router.command(text);
        } catch (e) {
          throw AzureErrors.invalidParameter('text', (e as Error).message);
        }
        await lab.settled();
        return { status: 200, body: { output } };
      }
      return { status: 200, body: { output: await this.node(m[1]!).command(text) } };
    });
    this.route('POST', `/arslab/nodes/${SEG}/(stop|kill|start|pause|resume)`, async (m) => {
      // Built-in on-premises routers are in-process speakers, not nodes.
      const s = lab.graph.speaker(m[1]!);
      if (s?.kind === 'router') {
        const body = lab.graph.faults.routerAction(s, m[2]!.toLowerCase() as RouterAction);
        await lab.settled();
        return { status: 200, body };
      }
      const n = this.node(m[1]!);
      switch (m[2]!.toLowerCase()) {
        case 'stop':
          await n.stop();
          break;
        case 'kill':
          await n.stop({ kill: true });
          break;
        case 'start':
          await n.start();
          break;
        case 'pause':
          n.pause();
          break;
        case 'resume':
          n.resume();
          break;
      }
      return { status: 200, body: n.status() };
    });
    // The web page's sign-in (ADR 0010): a one-time link, redeemed at GET /arslab/ui/login.
    this.route('POST', '/arslab/ui/codes', () => {
      const code = this.sessions!.newCode();
      return {
        status: 200,
        body: {
          url: `${this.url}/arslab/ui/login?code=${code}`,
          expiresInSeconds: this.sessions!.codeTtlMs / 1000,
        },
      };
    });
    this.route('POST', '/arslab/shutdown', () => {
      setImmediate(() => this.onShutdown?.());
      return { status: 202, body: { status: 'stopping' } };
    });
  }

  /** A built-in on-premises router by name (the lab graph's), if `name` is one. */
  private router(name: string) {
    const s = this.lab.graph.speaker(name);
    return s?.owner.kind === 'router' ? s.owner.runtime : undefined;
  }

  private node(name: string) {
    const n = this.lab.node(name);
    if (!n) {
      const g = this.lab.graph;
      const known = [...g.nodes().map((x) => x.spec.name), ...g.speakers({ kind: 'router' }).map((x) => x.name)];
      throw new AzureError(
        404,
        'NodeNotFound',
        `no node named '${name}' in this lab (nodes: ${known.join(', ') || 'none'})`,
      );
    }
    return n;
  }

  private connectionState(rs: Parameters<ApiServer['lab']['routeServer']>[0], peering: string): string {
    const sides = this.lab.graph.peeringSessions(rs.id, peering);
    if (sides.length === 0) return 'Unknown';
    // A cut link still looks up until it is noticed (hold timer).
    const states = sides.map((x) => (x.session.state === 'Cut' ? 'Established' : x.session.state));
    if (states.every((s) => s === 'Established')) return 'Connected';
    if (states.some((s) => s === 'Established' || s === 'OpenConfirm' || s === 'OpenSent' || s === 'Connect'))
      return 'Connecting';
    return 'NotConnected';
  }

  status(): Record<string, unknown> {
    const lab = this.lab;
    const g = lab.graph;
    return {
      name: lab.spec.name,
      file: lab.spec.file,
      mode: lab.mode,
      bgpPort: lab.port,
      startedAt: lab.startedAt.toISOString(),
      pid: process.pid,
      api: { url: this.url, authentication: 'bearer token (arslab token)', operations: this.operations.stats() },
      routeServers: g.routeServers().map((r) => ({
        name: r.resource.name,
        resourceGroup: r.resource.resourceGroup,
        instances: r.status(),
      })),
      // Every session of the lab graph: route-server peerings, gateway, MSEE and on-premises ones.
      sessions: sessionRows(g),
      nodes: g.nodes().map((n) => n.status()),
      addresses: lab.mode === 'loopback' ? Object.fromEntries(lab.addresses.entries()) : {},
      namespaces: lab.namespaces(),
      warnings: [...lab.spec.warnings, ...g.routeServers().flatMap((r) => r.warnings())],
    };
  }

  async listen(host = '127.0.0.1', port = 0): Promise<AddressInfo> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.sessions = new BrowserSessions(addr.port, this.clock);
    this.guard = {
      ...selfNames(addr.address, addr.port),
      token: this.token,
      sessions: this.sessions,
      maxBodyBytes: this.options.maxBodyBytes ?? MAX_BODY_BYTES,
    };
    return addr;
  }

  /** The API's own URL (`http://127.0.0.1:PORT`), once listening. */
  get url(): string | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? `http://${a.address}:${a.port}` : undefined;
  }

  async close(): Promise<void> {
    for (const s of this.streams) s.abort(new Error('the lab is stopping'));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
  }

  private readonly streams = new Set<AbortController>();

  private async streamReply(r: Reply, res: http.ServerResponse): Promise<void> {
    const ac = new AbortController();
    this.streams.add(ac);
    res.on('close', () => ac.abort(new Error('the client went away')));
    res.writeHead(r.status, {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
      'x-ms-request-id': randomUUID(),
      ...(r.headers ?? {}),
    });
    res.flushHeaders();
    const write = (v: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(v)}\n`);
    };
    try {
      await r.stream!(write, ac.signal);
    } catch (e) {
      write({
        type: 'error',
        error: {
          code: e instanceof AzureError ? e.code : 'InternalServerError',
          message: (e as Error).message ?? String(e),
        },
      });
    } finally {
      this.streams.delete(ac);
      res.end();
    }
  }

  private async rawReply(raw: NonNullable<Reply['raw']>, req: http.IncomingMessage, res: http.ServerResponse) {
    const ac = new AbortController();
    this.streams.add(ac);
    res.on('close', () => ac.abort(new Error('the client went away')));
    try {
      await raw(req, res, ac.signal);
    } catch (e) {
      // Before the head: an ordinary error answer (handle's catch); after it, the stream just ends.
      if (!res.headersSent) throw e;
    } finally {
      this.streams.delete(ac);
      if (res.headersSent && !res.writableEnded) res.end();
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A body nobody read yet (refused before reading, or past the size bound): the answer
    // closes the connection, and Node stops reading it (api/guard readBody).
    let unread = hasBody(req);
    const send = (r: Reply) => {
      const text = r.json ?? (r.body === undefined ? '' : JSON.stringify(r.body));
      res.writeHead(r.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'x-ms-request-id': randomUUID(),
        ...(unread ? { Connection: 'close' } : {}),
        ...(r.headers ?? {}),
      });
      res.end(text);
    };
    try {
      const g = this.guard;
      if (!g) throw new AzureError(503, 'LabNotReady', 'the API is not listening yet');
      checkCaller(req, g);
      // The one unauthenticated path: its one-time code is the credential (ADR 0010).
      if (req.method === 'GET' && /^\/arslab\/ui\/login\/?$/i.test(url.pathname)) return send(this.signIn(url));
      authenticate(req, g);
      const found = this.match(req.method ?? '', url.pathname);
      checkMediaType(req);
      let body: unknown;
      if (unread) {
        const raw = (await readBody(req, g.maxBodyBytes)).toString('utf8');
        unread = false;
        if (raw.trim().length) {
          try {
            body = JSON.parse(raw);
          } catch {
            throw AzureErrors.invalidRequestContent();
          }
        }
      }
      const reply = await found.handler(found.m, body, url);
      if (reply.stream) return await this.streamReply(reply, res);
      if (reply.raw) return await this.rawReply(reply.raw, req, res);
      return send(reply);
    } catch (e) {
      if (e instanceof AzureError) {
        const headers: Record<string, string> =
          e.status === 401
            ? {
                'WWW-Authenticate':
                  e.code === 'AuthenticationFailed'
                    ? 'Bearer realm="arslab"'
                    : `Bearer realm="arslab", error="invalid_token", error_description="${e.code}"`,
              }
            : {};
        return send({ status: e.status, body: e.toJSON(), headers });
      }
      const msg = (e as Error).message ?? String(e);
      send({ status: 500, body: { error: { code: 'InternalServerError', message: msg } } });
    }
  }

  /** The route for method and path; 404 (ARM's InvalidResourceType) when there is none. */
  private match(method: string, path: string): { m: RegExpMatchArray; handler: Handler } {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = path.match(r.re);
      if (m) return { m, handler: r.handler };
    }
    throw new AzureError(
      404,
      'InvalidResourceType',
      `The resource type or operation '${method} ${path}' is not supported by ARSLab.`,
    );
  }

  /** GET /arslab/ui/login?code=…: a valid one-time code becomes the browser session cookie. */
  private signIn(url: URL): Reply {
    const cookie = this.sessions?.redeem(url.searchParams.get('code') ?? '', false);
    if (!cookie)
      throw AzureErrors.invalidAuthenticationToken(
        'This sign-in link is used, expired or was never issued: ask the lab for a new one.',
      );
    return { status: 303, headers: { Location: '/arslab/ui/', 'Set-Cookie': cookie } };
  }
}
