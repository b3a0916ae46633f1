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
import type { Lab } from '../lab/lab.js';
import { bgpConnectionJson, nicJson, routeJson, routeServerJson, vmJson, vnetJson } from './arm.js';
import { ROUTE_GROUPS } from './routes/index.js';

export type Handler = (m: RegExpMatchArray, body: unknown, url: URL) => Promise<Reply> | Reply;
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * A streamed answer (application/x-ndjson): `stream` writes one JSON value per line as
   * it goes; `signal` aborts when the client goes away (Ctrl-C on `arslab probe`) or the API
   * closes. Errors found before streaming are thrown by the handler as usual.
   */
  stream?: (write: (value: unknown) => void, signal: AbortSignal) => Promise<void>;
}

/** A body already written as JSON (sent as is): a NIC's table is joined from JSON kept per layer. */
export class JsonText {
  constructor(readonly text: string) {}
}

export const SEG = '([^/]+)';
/** `/subscriptions/{sub}/resourceGroups/{rg}/providers`: m[1] subscription, m[2] resource group. */
export const RG = `/subscriptions/${SEG}/resourceGroups/${SEG}/providers`;

export class ApiServer {
  private server?: http.Server;
  private readonly operations = new Map<string, { body: unknown; expires: number }>();
  private readonly routes: { method: string; re: RegExp; handler: Handler }[] = [];
  /** Called on POST /arslab/shutdown. */
  onShutdown?: () => void;

  constructor(readonly lab: Lab) {
    this.defineRoutes();
    for (const register of ROUTE_GROUPS) register(this);
  }

  /** Adds a route; `pattern` is a regex source matched against the whole path, case-insensitively. */
  route(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, re: new RegExp(`^${pattern}/?$`, 'i'), handler });
  }

  /** ARM long-running operation: 202 + Location; the result waits at the operation URL. */
  accepted(sub: string, body: unknown): Reply {
    const id = randomUUID();
    this.operations.set(id, { body, expires: Date.now() + 10 * 60_000 });
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
      return this.accepted(m[1]!, new JsonText(lab.effectiveRouteTable(nic).json()));
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
      const p = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
      const remote = (p['remoteVirtualNetwork'] as { id?: string } | undefined)?.id;
      if (!remote)
        throw AzureErrors.invalidParameter('remoteVirtualNetwork', 'properties.remoteVirtualNetwork.id is required');
      const existed = vnet.virtualNetworkPeerings.some((x) => x.name.toLowerCase() === m[4]!.toLowerCase());
      const bool = (k: string) => (typeof p[k] === 'boolean' ? (p[k] as boolean) : undefined);
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
      const p = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
      const addressPrefix = p['addressPrefix'];
      const nextHopType = p['nextHopType'];
      if (typeof addressPrefix !== 'string')
        throw AzureErrors.invalidParameter('addressPrefix', 'properties.addressPrefix is required');
      if (typeof nextHopType !== 'string')
        throw AzureErrors.invalidParameter('nextHopType', 'properties.nextHopType is required');
      const ip = p['nextHopIpAddress'];
      const existed = t.routes.some((x) => x.name.toLowerCase() === m[4]!.toLowerCase());
      const next = putRoute(model(), m[2]!, m[3]!, {
        name: m[4]!,
        addressPrefix,
        nextHopType: nextHopType as NextHopType,
        ...(typeof ip === 'string' && ip ? { nextHopIpAddress: ip } : {}),
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
      const b = (body ?? {}) as {
        targetResourceId?: string;
        sourceIPAddress?: string;
        destinationIPAddress?: string;
        targetNicResourceId?: string;
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
        const op = this.operations.get(m[3]!);
        if (!op) throw new AzureError(404, 'OperationNotFound', `Operation ${m[3]} was not found or has expired.`);
        return { status: 200, body: op.body };
      },
    );

    // --- ARSLab: the lab itself ------------------------------------------------
    this.route('GET', '/arslab/status', () => ({ status: 200, body: this.status() }));
    this.route('GET', '/arslab/events', (_m, _b, url) => ({
      status: 200,
      body: { value: lab.events.since(Number(url.searchParams.get('since') ?? 0)) },
    }));
    this.route('GET', `/arslab/nodes/${SEG}/routes`, async (m) => {
      // A built-in on-premises router (issue 3): its whole BGP table, own routes included.
      const router = lab.hybrid?.routers.get(m[1]!.toLowerCase());
      if (router) {
        await lab.settled();
        return { status: 200, body: { value: router.table() } };
      }
      return { status: 200, body: { value: await this.node(m[1]!).receivedRoutes() } };
    });
    this.route('GET', `/arslab/nodes/${SEG}/sessions`, async (m) => ({
      status: 200,
      body: { value: await this.node(m[1]!).sessions() },
    }));
    this.route('POST', `/arslab/nodes/${SEG}/command`, async (m, body) => {
      const text = (body as { text?: string } | undefined)?.text;
      if (!text) throw AzureErrors.invalidParameter('text', 'a command is required');
      return { status: 200, body: { output: await this.node(m[1]!).command(text) } };
    });
    this.route('POST', `/arslab/nodes/${SEG}/(stop|kill|start|pause|resume)`, async (m) => {
      // Built-in on-premises routers (issue 3) are in-process speakers, not nodes.
      const router = lab.hybrid?.routers.get(m[1]!.toLowerCase());
      if (router) {
        const body = lab.hybrid!.routerAction(
          router,
          m[2]!.toLowerCase() as 'stop' | 'kill' | 'start' | 'pause' | 'resume',
        );
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
    this.route('POST', '/arslab/shutdown', () => {
      setImmediate(() => this.onShutdown?.());
      return { status: 202, body: { status: 'stopping' } };
    });
  }

  private node(name: string) {
    const n = this.lab.node(name);
    if (!n) {
      const known = [...this.lab.nodes.values()].map((x) => x.spec.name).join(', ');
      throw new AzureError(404, 'NodeNotFound', `no node named '${name}' in this lab (nodes: ${known || 'none'})`);
    }
    return n;
  }

  private connectionState(rs: Parameters<ApiServer['lab']['routeServer']>[0], peering: string): string {
    const rt = this.lab.routeServer(rs);
    if (!rt) return 'Unknown';
    const states = rt.instances.map((i) => i.peerings.get(peering.toLowerCase())?.session.peer.state);
    if (states.every((s) => s === 'Established')) return 'Connected';
    if (states.some((s) => s === 'Established' || s === 'OpenConfirm' || s === 'OpenSent' || s === 'Connect'))
      return 'Connecting';
    return 'NotConnected';
  }

  status(): Record<string, unknown> {
    const lab = this.lab;
    return {
      name: lab.spec.name,
      file: lab.spec.file,
      mode: lab.mode,
      bgpPort: lab.port,
      startedAt: lab.startedAt.toISOString(),
      pid: process.pid,
      routeServers: [...lab.routeServers.values()].map((r) => ({
        name: r.resource.name,
        resourceGroup: r.resource.resourceGroup,
        instances: r.status(),
      })),
      nodes: [...lab.nodes.values()].map((n) => n.status()),
      addresses: lab.mode === 'loopback' ? Object.fromEntries(lab.addresses.entries()) : {},
      namespaces: lab.namespaces(),
      warnings: [...lab.spec.warnings, ...[...lab.routeServers.values()].flatMap((r) => r.warnings())],
    };
  }

  async listen(host = '127.0.0.1', port = 0): Promise<AddressInfo> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return this.server.address() as AddressInfo;
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

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (r: Reply) => {
      const text = r.body === undefined ? '' : r.body instanceof JsonText ? r.body.text : JSON.stringify(r.body);
      res.writeHead(r.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'x-ms-request-id': randomUUID(),
        ...(r.headers ?? {}),
      });
      res.end(text);
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      if (raw.length) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new AzureError(
            400,
            'InvalidRequestContent',
            'The request content was invalid and could not be deserialized.',
          );
        }
      }
      for (const r of this.routes) {
        if (r.method !== req.method) continue;
        const m = url.pathname.match(r.re);
        if (!m) continue;
        const reply = await r.handler(m, body, url);
        if (reply.stream) return await this.streamReply(reply, res);
        return send(reply);
      }
      throw new AzureError(
        404,
        'InvalidResourceType',
        `The resource type or operation '${req.method} ${url.pathname}' is not supported by ARSLab.`,
      );
    } catch (e) {
      if (e instanceof AzureError) return send({ status: e.status, body: e.toJSON() });
      const msg = (e as Error).message ?? String(e);
      send({ status: 500, body: { error: { code: 'InternalServerError', message: msg } } });
    }
  }
}
