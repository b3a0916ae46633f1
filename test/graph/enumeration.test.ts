/**
 * Issue 9 / ADR 0012: only the lab graph enumerates the lab's speakers and sessions. Every
 * other module of the lab and the API asks the graph (speakers(), sessions(), sidesOf()…)
 * instead of walking the builders' own containers — the route servers' instances and
 * peerings, the hybrid runtime's gateways, circuits, routers and sessions, a circuit's MSEEs,
 * a router's sessions, the lab's nodes.
 *
 * What counts, precisely (checked with the TypeScript compiler on src/lab and src/api, the
 * layers that hold runtime objects; src/cli reaches the lab only through the API, src/agent
 * is its own process):
 * - an iteration site: `for … of X`, `...X`, `Array.from(X)`, `X.values()/keys()/entries()`,
 *   and `X.m(…)` for the Array and Map methods that visit elements (map, forEach, filter,
 *   find, findIndex, some, every, flatMap, reduce, indexOf, includes);
 * - whose X has a type naming a builder's speaker or session type (BUILDER_TYPES below) —
 *   a container of them, or of records holding them;
 * - unless X is itself a call of a LabGraph method (reading the graph's answer is the point),
 *   or the site is in src/lab/graph/, or in a function listed in BUILDER_SITES: a builder
 *   building, starting, stopping or re-policing the speakers it owns, each with its reason.
 * A new site anywhere else fails this test; a listed site that no longer exists fails it too,
 * so the list cannot go stale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The builders' speaker and session types: iterating a collection of these is enumerating. */
const BUILDER_TYPES = [
  'Speaker',
  'InProcessSession',
  'BgpNeighbor',
  'BgpPeer',
  'PeeringRuntime',
  'InstanceRuntime',
  'RouteServerRuntime',
  'GatewayRuntime',
  'CircuitRuntime',
  'RouterRuntime',
  'NodeRuntime',
  'DaemonNode',
  'SpeakerNode',
  'HttpNode',
];
const TYPE_RE = new RegExp(`\\b(${BUILDER_TYPES.join('|')})\\b`);

const VISITING = new Set([
  'map',
  'forEach',
  'filter',
  'find',
  'findIndex',
  'some',
  'every',
  'flatMap',
  'reduce',
  'indexOf',
  'includes',
  'values',
  'keys',
  'entries',
]);

/**
 * Where a builder walks what it owns — file and enclosing function — and why that is not a
 * reader rebuilding an index. Everything else asks the graph.
 */
const BUILDER_SITES: Record<string, string> = {
  'src/lab/routeServer.ts:RouteServerRuntime.register':
    'the builder registers its two instances and their peerings in the graph',
  'src/lab/routeServer.ts:RouteServerRuntime.start': 'it listens on its instances and starts their peerings',
  'src/lab/routeServer.ts:RouteServerRuntime.stop': 'it stops its peerings and closes its listeners',
  'src/lab/routeServer.ts:RouteServerRuntime.originateVnets': 'R-ARS-9: each of its instances originates the VNets',
  'src/lab/routeServer.ts:RouteServerRuntime.setModel':
    'a new model re-polices its instances and reconciles their peerings with the bgpConnections (ADR 0034)',
  'src/lab/lab.ts:Lab.applyModel':
    'the reconcile (ADR 0034) starts the route-server runtimes it just built and stops those it just removed from the graph',
  'src/lab/routeServer.ts:RouteServerRuntime.refreshPeers': 'R-ARS-13: it asks every NVA of its instances again',
  'src/lab/routeServer.ts:RouteServerRuntime.programmed': 'R-ARS-8: what it programs merges its two instances',
  'src/lab/routeServer.ts:RouteServerRuntime.programmedFor':
    'R-ARS-8: the same for one prefix (incremental effective routes)',
  'src/lab/routeServer.ts:RouteServerRuntime.unpeeredWith':
    'R-ARS-21: which NVAs one of its instances never peered with, from its own peerings',
  'src/lab/hybrid.ts:GatewayRuntime.applyStaticSites':
    'R-VPN-4: a VPN gateway puts its static sites on each of its own instances',
  'src/lab/hybrid.ts:HybridRuntime.setModel':
    'a new model rebuilds, keeps or removes the gateways, circuits and sessions it built (ADR 0034), re-polices static sites (R-VPN-4)',
  'src/lab/hybrid.ts:HybridRuntime.constructor': 'the builder indexes the arrival orders of the instances it built',
  'src/lab/hybrid.ts:HybridRuntime.register':
    'the builder registers its speakers and sessions in the graph (a router: its addresses from its sessions)',
  'src/lab/hybrid.ts:HybridRuntime.registerGateway':
    'the builder registers the instances of a gateway it built (at boot, or created at run time)',
  'src/lab/hybrid.ts:HybridRuntime.registerCircuit':
    'the builder registers the MSEEs of a circuit it built (at boot, or created at run time)',
  'src/lab/hybrid.ts:HybridRuntime.registerRouter':
    'the builder registers a router it built, from its sessions’ addresses',
  'src/lab/hybrid.ts:HybridRuntime.wire': 'the builder creates the sessions between the speakers it built',
  'src/lab/hybrid.ts:HybridRuntime.start': 'it originates its routers’ routes and opens its sessions',
  'src/lab/hybrid.ts:HybridRuntime.stop': 'it closes its sessions',
  'src/lab/hybrid.ts:HybridRuntime.landing':
    'the builder resolves an attachment against the circuits and gateway instances it built',
  'src/lab/customerEdge.ts:CustomerEdges.start': 'it listens on its Azure-side addresses and starts its sessions',
  'src/lab/customerEdge.ts:CustomerEdges.stop': 'it stops its sessions and closes its listeners',
  'src/lab/hybrid.ts:HybridRuntime.applyMeshPaths': 'R-VPN-2: it keeps its mesh sessions as GatewaySubnet allows',
  'src/lab/hybrid.ts:HybridRuntime.meshDown': 'R-VPN-2: which of its mesh sessions are down',
  'src/lab/hybrid.ts:HybridRuntime.applyBranchToBranch': 'R-ARS-11: it opens or closes its route-server sessions',
  'src/lab/hybrid.ts:HybridRuntime.isActiveSession': 'R-ARS-11: whether one of its sessions exists now',
  'src/lab/hybrid.ts:HybridRuntime.expressRouteRoutes': 'R-ER-4: a gateway programs from its own instances',
  'src/lab/hybrid.ts:HybridRuntime.vpnRoutes': 'R-VPN-1: a gateway programs from its own instances',
  'src/lab/hybrid.ts:HybridRuntime.expressRouteRouteFor':
    'R-ER-4: the same for one prefix (incremental effective routes)',
  'src/lab/hybrid.ts:HybridRuntime.vpnRouteFor': 'R-VPN-1: the same for one prefix (incremental effective routes)',
  'src/lab/kinds/speaker.ts:SpeakerNode.start': 'the scripted speaker starts its own sessions',
  'src/lab/kinds/speaker.ts:SpeakerNode.stop': 'it stops its own sessions',
  'src/lab/kinds/speaker.ts:SpeakerNode.pause': 'it freezes its own sessions',
  'src/lab/kinds/speaker.ts:SpeakerNode.resume': 'it thaws its own sessions',
  'src/lab/kinds/speaker.ts:SpeakerNode.sessions': '`node sessions` of a scripted speaker: its own sessions',
  'src/lab/kinds/speaker.ts:SpeakerNode.receivedRoutes': '`node routes` of a scripted speaker: its own sessions',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

/** "Class.method" or "function" enclosing a node ("<top>" at module level). */
function enclosing(node: ts.Node): string {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    const cls = (): string => {
      const c = n!.parent;
      return ts.isClassLike(c) && c.name ? `${c.name.text}.` : '';
    };
    if (ts.isConstructorDeclaration(n)) return `${cls()}constructor`;
    if ((ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n)) && ts.isIdentifier(n.name))
      return `${cls()}${n.name.text}`;
    if (ts.isPropertyDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isArrowFunction(n.initializer))
      return `${cls()}${n.name.text}`;
    if (ts.isFunctionDeclaration(n) && n.name) return n.name.text;
  }
  return '<top>';
}

interface Site {
  readonly where: string;
  readonly line: string;
  readonly type: string;
}

/** Every iteration site over builder speakers or sessions outside the graph. */
function scan(): { sites: Site[]; files: number } {
  const scanned = [...sourceFiles(join(root, 'src/lab')), ...sourceFiles(join(root, 'src/api'))];
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const program = ts.createProgram(scanned, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const sites: Site[] = [];
  const isGraphCall = (e: ts.Expression): boolean => {
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return false;
    const t = checker.getTypeAtLocation(e.expression.expression);
    return t.getSymbol()?.getName() === 'LabGraph';
  };
  for (const file of scanned) {
    const rel = relative(root, file);
    if (rel.startsWith('src/lab/graph/')) continue;
    const sf = program.getSourceFile(file)!;
    const check = (x: ts.Expression, at: ts.Node): void => {
      // `g.sessions().values()`, `[...g.speakers()]`: the graph's answer.
      let e = x;
      while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
      if (isGraphCall(e)) return;
      const type = checker.typeToString(
        checker.getTypeAtLocation(e),
        undefined,
        ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType,
      );
      const bare = type.replace(/import\([^)]*\)\./g, '');
      if (!TYPE_RE.test(bare)) return;
      const { line } = sf.getLineAndCharacterOfPosition(at.getStart(sf));
      sites.push({ where: `${rel}:${enclosing(at)}`, line: `${rel}:${line + 1}: ${e.getText(sf)}`, type: bare });
    };
    const visit = (n: ts.Node): void => {
      if (ts.isForOfStatement(n)) check(n.expression, n);
      else if (ts.isSpreadElement(n)) check(n.expression, n);
      else if (ts.isCallExpression(n)) {
        const callee = n.expression;
        if (ts.isPropertyAccessExpression(callee)) {
          const name = callee.name.text;
          const recv = callee.expression;
          if (ts.isIdentifier(recv) && recv.text === 'Array' && name === 'from' && n.arguments[0])
            check(n.arguments[0], n);
          else if (
            ts.isIdentifier(recv) &&
            recv.text === 'Object' &&
            /^(values|entries|keys)$/.test(name) &&
            n.arguments[0]
          )
            check(n.arguments[0], n);
          else if (VISITING.has(name)) check(recv, n);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { sites, files: scanned.length };
}

const result = scan();

test('only the lab graph enumerates speakers and sessions (issue 9, ADR 0012)', () => {
  const outside = result.sites.filter((s) => !(s.where in BUILDER_SITES));
  assert.deepEqual(
    outside.map((s) => `${s.line}  [${s.where}; ${s.type}]`),
    [],
    'modules walking builder containers instead of asking the lab graph',
  );
});

test('every listed builder site still exists (the list of exceptions cannot go stale)', () => {
  const seen = new Set(result.sites.map((s) => s.where));
  assert.deepEqual(
    Object.keys(BUILDER_SITES).filter((k) => !seen.has(k)),
    [],
  );
});

test('the scan sees what it must: a walk of a builder container is caught', () => {
  // The check is only as good as its detection: the builders' own walks are found, by type.
  assert.ok(result.files > 20, `scanned ${result.files} files`);
  assert.ok(
    result.sites.some((s) => s.where === 'src/lab/hybrid.ts:HybridRuntime.start'),
    'HybridRuntime.start walks its sessions',
  );
  assert.ok(
    result.sites.some((s) => s.where === 'src/lab/routeServer.ts:RouteServerRuntime.start'),
    'RouteServerRuntime.start walks its instances',
  );
});
