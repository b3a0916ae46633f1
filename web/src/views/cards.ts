/**
 * What one click shows: a card per kind of thing on the graph, each reading the same API
 * the CLI reads — a NIC's effective routes (show-effective-route-table), a route-server
 * peering's learned and advertised routes per instance, a gateway's learned routes and BGP
 * peer status, a circuit's route tables — and the fault buttons making the CLI's calls
 * (node stop/start, link down/up).
 */
import { enc, get, post, rg } from '../api.js';
import type { Card } from '../cards.js';
import { details, h, table } from '../dom.js';
import type {
  AdvertisedRoute,
  BgpPeerStatus,
  CircuitRoute,
  CircuitRouteSummary,
  EffectiveRoute,
  GatewayLearnedRoute,
  LearnedRoute,
  RouterTableRow,
  ViewEdge,
  ViewNode,
  ViewRef,
} from '../types.js';

/** What the cards need from the page. */
export interface CardContext {
  readonly subscription: () => string;
  /** After a fault: refresh the graph and the cards now (the timeline will say more). */
  readonly changed: () => void;
  readonly explainAtNic: (nic: { name: string; resourceGroup: string; vm: string }, prefix: string) => void;
  readonly probeFrom: (vm: string) => void;
  readonly toggleGroup: (id: string) => Promise<void>;
  readonly isCollapsed: (id: string) => boolean;
}

type Ref<T extends ViewRef['type']> = Extract<ViewRef, { type: T }>;

const list = (x: readonly string[] | null | undefined) => (x ?? []).join(' ');

/** az's table columns for show-effective-route-table (azure-cli transform_effective_route_table). */
export function effectiveRoutesTable(
  rows: readonly EffectiveRoute[],
  nic: string,
  onPrefix?: (prefix: string) => void,
): HTMLTableElement {
  return table<EffectiveRoute>(
    [
      ['Source', (r) => r.source],
      ['State', (r) => r.state],
      [
        'Address Prefix',
        (r) =>
          onPrefix
            ? h(
                'button',
                { class: 'link', title: 'explain and trace this prefix', onclick: () => onPrefix(r.addressPrefix[0]!) },
                list(r.addressPrefix),
              )
            : list(r.addressPrefix),
      ],
      ['Next Hop Type', (r) => r.nextHopType],
      ['Next Hop IP', (r) => list(r.nextHopIpAddress)],
    ],
    rows,
    { 'data-view': 'effective-routes', 'data-nic': nic },
  );
}

function actionButtons(
  actions: readonly string[],
  run: (action: string) => Promise<unknown>,
  status: HTMLElement,
  attrs: Record<string, string> = {},
): HTMLElement {
  return h(
    'span',
    { class: 'actions' },
    actions.map((a) =>
      h(
        'button',
        {
          ...attrs,
          'data-action': a,
          onclick: async (ev: Event) => {
            const b = ev.currentTarget as HTMLButtonElement;
            b.disabled = true;
            status.textContent = `${a}…`;
            status.className = 'status';
            try {
              await run(a);
              status.textContent = `${a}: done`;
            } catch (e) {
              status.textContent = (e as Error).message;
              status.className = 'status error';
            } finally {
              b.disabled = false;
            }
          },
        },
        a,
      ),
    ),
  );
}

// --- VMs: NICs' effective routes, the nodes on them ----------------------------------

export function vmCard(ctx: CardContext, node: ViewNode, ref: Ref<'vm'>): Card {
  return {
    key: `vm:${node.id}`,
    title: `VM ${ref.vm}`,
    attrs: { 'data-vm': ref.vm },
    render: async (body) => {
      body.append(details(node.details));
      const status = h('div', { class: 'status' });
      for (const n of ref.nodes) {
        body.append(
          h(
            'div',
            { class: 'node-row', 'data-node': n.name },
            h('strong', null, n.name),
            ` ${n.kind} · `,
            h('span', { class: `state ${n.state}` }, n.state),
            ' ',
            actionButtons(
              ['stop', 'kill', 'start', 'pause', 'resume'],
              async (a) => {
                await post(`/arslab/nodes/${enc(n.name)}/${a}`);
                ctx.changed();
              },
              status,
              { 'data-node': n.name },
            ),
          ),
        );
      }
      if (ref.nodes.length) body.append(status);
      body.append(h('button', { class: 'small', onclick: () => ctx.probeFrom(ref.vm) }, `probe from ${ref.vm}…`));
      const sub = ctx.subscription();
      const tables = await Promise.all(
        ref.nics.map((nic) =>
          post<{ value: EffectiveRoute[] }>(
            `${rg(sub, nic.resourceGroup)}/Microsoft.Network/networkInterfaces/${enc(nic.name)}/effectiveRouteTable`,
          ).then((r) => ({ nic, rows: r.value })),
        ),
      );
      for (const { nic, rows } of tables) {
        body.append(
          h('h3', null, `Effective routes · ${nic.name} (${nic.address})`),
          effectiveRoutesTable(rows, nic.name, (p) =>
            ctx.explainAtNic({ name: nic.name, resourceGroup: nic.resourceGroup, vm: ref.vm }, p),
          ),
        );
      }
    },
  };
}

// --- Route servers: per instance, each peering's learned and advertised routes ------

/** A row of a route server's or gateway's learned (with its source peer) or advertised routes. */
type BgpRouteRow = Omit<AdvertisedRoute, 'origin'> & { readonly origin: string; readonly sourcePeer?: string };

/** az's columns for those rows; learned routes have SourcePeer after NextHop. */
const bgpRoutesTable = (rows: readonly BgpRouteRow[], attrs: Record<string, string>, learned = false) =>
  table<BgpRouteRow>(
    [
      ['Network', (r) => r.network],
      ['NextHop', (r) => r.nextHop],
      ...(learned ? [['SourcePeer', (r: BgpRouteRow) => r.sourcePeer ?? ''] as const] : []),
      ['Origin', (r) => r.origin],
      ['AsPath', (r) => r.asPath],
      ['Weight', (r) => r.weight],
      ['LocalAddress', (r) => r.localAddress],
    ],
    rows,
    attrs,
  );

async function peeringRoutes(
  sub: string,
  p: { resourceGroup: string; routeServer: string; name: string },
  instances: readonly string[] | 'all',
): Promise<HTMLElement[]> {
  const base = `${rg(sub, p.resourceGroup)}/Microsoft.Network/virtualHubs/${enc(p.routeServer)}/bgpConnections/${enc(p.name)}`;
  const [learned, advertised] = await Promise.all([
    post<Record<string, LearnedRoute[]>>(`${base}/getLearnedRoutes`),
    post<Record<string, AdvertisedRoute[]>>(`${base}/getAdvertisedRoutes`),
  ]);
  const out: HTMLElement[] = [];
  const names = instances === 'all' ? Object.keys(learned) : instances;
  for (const inst of names) {
    const attrs = { 'data-peering': p.name, 'data-instance': inst };
    out.push(
      h('h3', null, `${p.name} · learned by ${inst}`),
      bgpRoutesTable(learned[inst] ?? [], { ...attrs, 'data-view': 'learned-routes' }, true),
      h('h3', null, `${p.name} · advertised by ${inst}`),
      bgpRoutesTable(advertised[inst] ?? [], { ...attrs, 'data-view': 'advertised-routes' }),
    );
  }
  return out;
}

export function routeServerCard(ctx: CardContext, node: ViewNode, ref: Ref<'route-server'>): Card {
  return {
    key: `rs:${node.id}`,
    title: `Route server ${ref.routeServer} ${ref.instance}`,
    render: async (body) => {
      body.append(details(node.details));
      for (const name of ref.peerings)
        body.append(
          ...(await peeringRoutes(
            ctx.subscription(),
            { resourceGroup: ref.resourceGroup, routeServer: ref.routeServer, name },
            [ref.instance],
          )),
        );
    },
  };
}

// --- Sessions: details, a route-server peering's routes, cut / restore ---------------

export function sessionCard(ctx: CardContext, e: ViewEdge): Card {
  return {
    key: `edge:${e.id}`,
    title: e.members ? e.label : e.kind === 'peering' ? `Peering ${e.label}` : `Session ${e.label}`,
    attrs: { 'data-session': e.label },
    render: async (body) => {
      body.append(details(e.details));
      if (e.members) {
        // An edge standing for several (members of a collapsed group): each one, in its state.
        body.append(
          table<{ label: string; state: string }>(
            [
              [e.kind === 'bgp' ? 'session' : 'peering', (m) => m.label],
              ['state', (m) => m.state],
            ],
            e.members,
            { 'data-view': 'members' },
          ),
          h('p', { class: 'note' }, 'Expand the group (double-click it) to open one of them.'),
        );
        return;
      }
      if (e.link) {
        const status = h('div', { class: 'status' });
        body.append(
          actionButtons(
            ['cut', 'close gracefully', 'restore'],
            async (a) => {
              if (a === 'restore') await post('/arslab/links/up', { session: e.link!.session });
              else await post('/arslab/links/down', { session: e.link!.session, graceful: a !== 'cut' });
              ctx.changed();
            },
            status,
            { 'data-session': e.link.session },
          ),
          status,
        );
      } else if (e.kind === 'bgp') {
        body.append(
          h(
            'p',
            { class: 'note' },
            'A route-server ↔ NVA session runs over TCP to a real daemon: stop or pause the node on its VM to break it.',
          ),
        );
      }
      if (e.peering) body.append(...(await peeringRoutes(ctx.subscription(), e.peering, 'all')));
    },
  };
}

// --- Gateways: learned routes and BGP peer status of one instance ------------------

export function gatewayCard(ctx: CardContext, node: ViewNode, ref: Ref<'gateway'>): Card {
  let peer = ref.peers[0] ?? '';
  return {
    key: `gw:${node.id}`,
    title: `Gateway ${ref.gateway} instance ${ref.index}`,
    render: async (body) => {
      const base = `${rg(ctx.subscription(), ref.resourceGroup)}/Microsoft.Network/virtualNetworkGateways/${enc(ref.gateway)}`;
      const q = `instance=${ref.index}`;
      const [learned, status] = await Promise.all([
        post<{ value: GatewayLearnedRoute[] }>(`${base}/getLearnedRoutes?${q}`),
        post<{ value: BgpPeerStatus[] }>(`${base}/getBgpPeerStatus?${q}`),
      ]);
      body.append(
        details(node.details),
        h('h3', null, 'BGP peer status'),
        table<BgpPeerStatus>(
          [
            ['Neighbor', (r) => r.neighbor],
            ['ASN', (r) => r.asn],
            ['State', (r) => r.state],
            ['ConnectedDuration', (r) => r.connectedDuration ?? ''],
            ['RoutesReceived', (r) => r.routesReceived],
            ['MessagesSent', (r) => r.messagesSent],
            ['MessagesReceived', (r) => r.messagesReceived],
          ],
          status.value,
          { 'data-view': 'bgp-peer-status' },
        ),
        h('h3', null, 'Learned routes'),
        table<GatewayLearnedRoute>(
          [
            ['Network', (r) => r.network],
            ['NextHop', (r) => r.nextHop],
            ['SourcePeer', (r) => r.sourcePeer],
            ['Origin', (r) => r.origin],
            ['AsPath', (r) => r.asPath],
            ['Weight', (r) => r.weight],
            ['LocalAddress', (r) => r.localAddress],
          ],
          learned.value,
          { 'data-view': 'gateway-learned-routes' },
        ),
      );
      if (ref.peers.length) {
        const select = h(
          'select',
          {
            onchange: (e: Event) => {
              peer = (e.target as HTMLSelectElement).value;
              void fillAdvertised();
            },
          },
          ref.peers.map((p) => h('option', { value: p, selected: p === peer }, p)),
        );
        const holder = h('div');
        const fillAdvertised = async () => {
          const adv = await post<{ value: AdvertisedRoute[] }>(`${base}/getAdvertisedRoutes?${q}&peer=${enc(peer)}`);
          holder.replaceChildren(bgpRoutesTable(adv.value, { 'data-view': 'gateway-advertised-routes' }));
        };
        body.append(h('h3', null, 'Advertised routes to ', select), holder);
        await fillAdvertised();
      }
    },
  };
}

// --- Circuits and MSEEs: route tables, summaries, link faults -----------------------

async function circuitPath(
  ctx: CardContext,
  ref: { resourceGroup: string; circuit: string },
  path: 'primary' | 'secondary',
): Promise<HTMLElement[]> {
  const base = `${rg(ctx.subscription(), ref.resourceGroup)}/Microsoft.Network/expressRouteCircuits/${enc(ref.circuit)}/peerings/AzurePrivatePeering`;
  const [routes, summary] = await Promise.all([
    post<{ value: CircuitRoute[] }>(`${base}/routeTables/${path}`),
    post<{ value: CircuitRouteSummary[] }>(`${base}/routeTablesSummary/${path}`),
  ]);
  const status = h('div', { class: 'status' });
  return [
    h('h3', null, `${path} link`),
    h(
      'div',
      null,
      actionButtons(
        ['link down', 'link up'],
        async (a) => {
          await post(`/arslab/links/${a === 'link down' ? 'down' : 'up'}`, { circuit: ref.circuit, path });
          ctx.changed();
        },
        status,
        { 'data-path': path },
      ),
      status,
    ),
    table<CircuitRouteSummary>(
      [
        ['Neighbor', (r) => r.neighbor],
        ['V', (r) => r.v],
        ['AS', (r) => r.as],
        ['UpDown', (r) => r.upDown],
        ['StatePfxRcd', (r) => r.statePfxRcd],
      ],
      summary.value,
      { 'data-view': 'circuit-summary', 'data-path': path },
    ),
    table<CircuitRoute>(
      [
        ['Network', (r) => r.network],
        ['NextHop', (r) => r.nextHop],
        ['LocPrf', (r) => r.locPrf ?? ''],
        ['Weight', (r) => r.weight],
        ['Path', (r) => r.path],
      ],
      routes.value,
      { 'data-view': 'circuit-routes', 'data-path': path },
    ),
  ];
}

export function circuitCard(ctx: CardContext, node: ViewNode, ref: Ref<'circuit'>): Card {
  return {
    key: `circuit:${node.id}`,
    title: `Circuit ${ref.circuit}`,
    render: async (body) => {
      body.append(details(node.details));
      for (const p of ['primary', 'secondary'] as const) body.append(...(await circuitPath(ctx, ref, p)));
    },
  };
}

export function mseeCard(ctx: CardContext, node: ViewNode, ref: Ref<'msee'>): Card {
  return {
    key: `msee:${node.id}`,
    title: `MSEE ${ref.circuit}/${ref.path}`,
    render: async (body) => {
      body.append(details(node.details), ...(await circuitPath(ctx, ref, ref.path)));
    },
  };
}

// --- Built-in routers and daemons on premises --------------------------------------

export function routerCard(ctx: CardContext, node: ViewNode, name: string, builtIn: boolean): Card {
  return {
    key: `router:${node.id}`,
    title: `${builtIn ? 'Router' : 'Node'} ${name}`,
    attrs: { 'data-node': name },
    render: async (body) => {
      const status = h('div', { class: 'status' });
      body.append(
        details(node.details),
        actionButtons(
          ['stop', 'kill', 'start', 'pause', 'resume'],
          async (a) => {
            await post(`/arslab/nodes/${enc(name)}/${a}`);
            ctx.changed();
          },
          status,
          { 'data-node': name },
        ),
        status,
      );
      const rows = await get<{ value: RouterTableRow[] }>(`/arslab/nodes/${enc(name)}/routes`);
      body.append(
        h('h3', null, 'BGP table'),
        table<RouterTableRow>(
          [
            ['', (r) => (r.best ? '>' : '')],
            ['Network', (r) => r.prefix],
            ['NextHop', (r) => r.nextHop],
            ['Weight', (r) => r.weight ?? ''],
            ['Path', (r) => `${r.asPath.join(' ')} ${r.origin === 'IGP' ? 'i' : r.origin === 'EGP' ? 'e' : '?'}`],
            ['From', (r) => r.peer ?? (r.local ? 'local' : '')],
          ],
          rows.value,
          { 'data-view': 'router-table' },
        ),
      );
    },
  };
}

// --- VNets, subnets, groups -------------------------------------------------------

export function plainCard(node: ViewNode): Card {
  return {
    key: `node:${node.id}`,
    title: `${node.kind === 'vnet' ? 'VNet' : node.kind === 'subnet' ? 'Subnet' : node.kind} ${node.name}`,
    live: false,
    render: (body) => void body.append(details(node.details)),
  };
}

export function groupCard(ctx: CardContext, node: ViewNode, summary: readonly string[]): Card {
  return {
    key: `group:${node.id}`,
    title: node.label.split('\n')[0]!,
    attrs: { 'data-group': node.id },
    render: (body) => {
      const collapsed = ctx.isCollapsed(node.id);
      body.append(
        h(
          'ul',
          null,
          summary.map((s) => h('li', null, s)),
        ),
        h(
          'button',
          {
            'data-action': collapsed ? 'expand' : 'collapse',
            onclick: async () => {
              await ctx.toggleGroup(node.id);
            },
          },
          collapsed ? 'expand on the graph' : 'collapse on the graph',
        ),
      );
    },
  };
}
