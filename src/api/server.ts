/**
 * @module api/server
 * The lab's local API on loopback: Azure Resource Manager paths for the resources and
 * operations ARSLab models (so az and the Azure SDKs talk to it unchanged), the identity and
 * metadata endpoints they need first, and /arslab/… for the lab itself (status, nodes,
 * events). One port speaks HTTPS, with the lab's certificate (api/tls), and plain HTTP on
 * loopback for the CLI, curl and tests (ADR 0027). Long-running operations answer 202 with
 * a Location, as ARM does.
 *
 * The API holds no state of its own: every answer is read from the running Lab. Routes are
 * registered by their groups (api/routes) on an api/router; this module only serves them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { asAzureError, AzureErrors, type JsonBytes } from '../azure/index.js';
import { realClock, type Clock } from '../bgp/clock.js';
import { sessionRows } from '../lab/graph/index.js';
import type { Lab } from '../lab/lab.js';
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
import { ARM_API_VERSION, ArmExtraPaths, armPath } from './paths.js';
import { notServed, Router, type ApiContext, type Reply, type RouteInfo } from './router.js';
import { ROUTE_GROUPS } from './routes/index.js';

export interface ApiServerOptions {
  /** The lab's secret (ADR 0010); default: a new one. */
  readonly token?: string;
  /** The identity endpoint's secret (IDENTITY_HEADER); default: a new one. */
  readonly identitySecret?: string;
  /** Time for operation results' retention (tests step a VirtualClock). Default: real time. */
  readonly clock?: Pick<Clock, 'now'>;
  readonly operationLimits?: OperationLimits;
  /** Largest request body accepted; default ARM's 4 MB. */
  readonly maxBodyBytes?: number;
  /** The server certificate and key (api/tls) for HTTPS on the same port; without it, plain HTTP only. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly caFile?: string };
}

/** The first byte of a TLS connection: a handshake record (RFC 8446 §5.1, ContentType 22). */
const TLS_HANDSHAKE = 0x16;
/** How long a new connection may stay silent before its protocol is known (Node's headersTimeout is 60 s). */
const FIRST_BYTE_TIMEOUT_MS = 60_000;

export class ApiServer {
  private server?: net.Server;
  /** Connections whose first byte has not come yet (neither server owns them). */
  private readonly undecided = new Set<net.Socket>();
  private readonly plain: http.Server;
  private readonly secure?: https.Server;
  /** Results of long-running operations, bounded (api/operations). */
  readonly operations: OperationStore;
  private readonly router = new Router();
  /** Called on POST /arslab/shutdown. */
  onShutdown?: () => void;
  /** The lab's secret: every request carries it as a bearer token, or a browser session (ADR 0010). */
  readonly token: string;
  /** What a caller of the identity endpoint must show (ADR 0027). */
  readonly identitySecret: string;
  /** The CA file clients must trust for `endpoint`, when known. */
  readonly caFile: string | undefined;
  private readonly clock: Pick<Clock, 'now'>;
  private guard?: GuardConfig;
  private sessions?: BrowserSessions;

  constructor(
    readonly lab: Lab,
    private readonly options: ApiServerOptions = {},
  ) {
    this.token = options.token ?? newLabToken({ labName: lab.spec.name });
    this.identitySecret = options.identitySecret ?? randomBytes(24).toString('base64url');
    this.caFile = options.tls?.caFile;
    this.clock = options.clock ?? realClock;
    this.operations = new OperationStore(this.clock, options.operationLimits ?? DEFAULT_OPERATION_LIMITS);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.plain = http.createServer(handler);
    if (options.tls) this.secure = https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler);
    const ctx: ApiContext = {
      lab,
      operations: this.operations,
      token: this.token,
      identitySecret: this.identitySecret,
      endpoint: () => this.endpoint ?? this.url ?? '',
      accepted: (sub, body) => this.accepted(sub, body),
      acceptedJson: (sub, json) => this.acceptedJson(sub, json),
    };
    this.ownRoutes(this.router);
    for (const register of ROUTE_GROUPS) register(this.router, ctx);
  }

  /** Every route served, for the spec test and the docs. */
  routes(): RouteInfo[] {
    return this.router.routes();
  }

  /**
   * ARM long-running operation: 202 + Location + Retry-After; the result waits at the
   * Location URL and a GET there answers it (`send` makes the Location absolute, on the
   * scheme and address the client used, as ARM's are). No Azure-AsyncOperation header: a
   * client that sees one polls it for a status document, and az failed on the result it
   * found there; Location alone is what az and the Azure SDKs follow to the result (ADR 0027).
   */
  accepted(sub: string, body: unknown): Reply {
    return this.acceptedJson(sub, body === undefined ? '' : JSON.stringify(body));
  }

  /** accepted() for a result already written as JSON (a NIC's table: UTF-8 pieces kept per layer). */
  acceptedJson(sub: string, json: string | JsonBytes): Reply {
    const id = this.operations.putJson(sub, json);
    const path = armPath(
      ArmExtraPaths.operationResult,
      { subscriptionId: sub, location: 'local', operationId: id },
      { 'api-version': ARM_API_VERSION },
    );
    return { status: 202, headers: { Location: path, 'Retry-After': '0' } };
  }

  /** The routes the server answers itself: its status, the web page's sign-in codes, shutdown. */
  private ownRoutes(r: Router): void {
    r.add('GET', '/arslab/status', () => ({ status: 200, body: this.status() }));
    // The web page's sign-in (ADR 0010): a one-time link, redeemed at GET /arslab/ui/login.
    r.add('POST', '/arslab/ui/codes', () => {
      const code = this.sessions!.newCode();
      return {
        status: 200,
        body: {
          url: `${this.url}/arslab/ui/login?code=${code}`,
          expiresInSeconds: this.sessions!.codeTtlMs / 1000,
        },
      };
    });
    r.add('POST', '/arslab/shutdown', () => {
      setImmediate(() => this.onShutdown?.());
      return { status: 202, body: { status: 'stopping' } };
    });
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
      api: {
        url: this.url,
        ...(this.endpoint ? { endpoint: this.endpoint } : {}),
        ...(this.caFile ? { caFile: this.caFile } : {}),
        authentication: 'bearer token (arslab token)',
        operations: this.operations.stats(),
      },
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
    // One port, two protocols: a TLS client's first byte is a handshake record, an HTTP
    // client's a method's letter; each connection goes to the server of its protocol.
    this.server = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      // A connection that says nothing holds a socket: it gets as long as Node's HTTP server
      // gives a request's headers, then goes (and goes at once when the API closes).
      this.undecided.add(socket);
      socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
      socket.once('close', () => this.undecided.delete(socket));
      socket.once('data', (first: Buffer) => {
        this.undecided.delete(socket);
        socket.setTimeout(0);
        socket.pause();
        socket.unshift(first);
        const to = this.secure && first[0] === TLS_HANDSHAKE ? this.secure : this.plain;
        to.emit('connection', socket);
        process.nextTick(() => socket.resume());
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.sessions = new BrowserSessions(addr.port, this.clock);
    const plain = selfNames(addr.address, addr.port, 'http');
    const secure = selfNames(addr.address, addr.port, 'https');
    this.guard = {
      hosts: new Set([...plain.hosts, ...secure.hosts]),
      origins: new Set([...plain.origins, ...(this.secure ? secure.origins : [])]),
      token: this.token,
      sessions: this.sessions,
      maxBodyBytes: this.options.maxBodyBytes ?? MAX_BODY_BYTES,
    };
    return addr;
  }

  /** The API's plain-HTTP URL (`http://127.0.0.1:PORT`), once listening: the CLI's. */
  get url(): string | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? `http://${a.address}:${a.port}` : undefined;
  }

  /** The HTTPS URL real Azure clients use (`https://127.0.0.1:PORT`), when the API has a certificate. */
  get endpoint(): string | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a && this.secure ? `https://${a.address}:${a.port}` : undefined;
  }

  async close(): Promise<void> {
    for (const s of this.streams) s.abort(new Error('the lab is stopping'));
    const closed = (srv: net.Server | undefined) =>
      new Promise<void>((resolve) => (srv?.listening ? srv.close(() => resolve()) : resolve()));
    const done = closed(this.server);
    for (const socket of this.undecided) socket.destroy();
    this.plain.closeAllConnections();
    this.secure?.closeAllConnections();
    await done;
  }

  private readonly streams = new Set<AbortController>();

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
      write({ type: 'error', ...asAzureError(e).toJSON() });
    } finally {
      this.streams.delete(ac);
      res.end();
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // `az cloud register --endpoint-resource-manager https://…/` joins its paths onto the
    // trailing slash: `//metadata/endpoints`, which URL would read as a host. Empty segments
    // mean nothing in ARM paths.
    const target = (req.url ?? '/').replace(/^[^?]*/, (path) =>
      path.replace(/^\/{2,}/, '/').replace(/([^:/])\/{2,}/g, '$1/'),
    );
    const url = new URL(target, 'http://localhost');
    const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
    // A body nobody read yet (refused before reading, or past the size bound): the answer
    // closes the connection, and Node stops reading it (api/guard readBody).
    let unread = hasBody(req);
    const send = (r: Reply) => {
      const text = r.json ?? (r.body === undefined ? '' : JSON.stringify(r.body));
      const pieces = typeof text === 'string' ? undefined : text;
      // ARM's Location is an absolute URL: the scheme and address (Host, checked) the client used.
      const location = r.headers?.['Location'];
      if (r.status === 202 && location?.startsWith('/'))
        r = { ...r, headers: { ...r.headers, Location: `${tls ? 'https' : 'http'}://${req.headers.host}${location}` } };
      res.writeHead(r.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'x-ms-request-id': randomUUID(),
        ...(unread ? { Connection: 'close' } : {}),
        ...(pieces ? { 'Content-Length': String(pieces.size) } : {}),
        ...(r.headers ?? {}),
      });
      if (!pieces) return void res.end(text);
      // Written piece by piece, not joined: the pieces are shared with other answers.
      for (const c of pieces.chunks) res.write(c);
      res.end();
    };
    try {
      const g = this.guard;
      if (!g) throw AzureErrors.labNotReady();
      checkCaller(req, g);
      // An unauthenticated path: its one-time code is the credential (ADR 0010).
      if (req.method === 'GET' && /^\/arslab\/ui\/login\/?$/i.test(url.pathname)) return send(this.signIn(url));
      const found = this.router.match(req.method ?? '', url.pathname);
      // The others (metadata, identity) are marked on their route; an unknown path needs the token too.
      if (found?.anonymous) found.check?.(req.headers);
      else authenticate(req, g);
      if (!found) throw notServed(req.method ?? '', url.pathname);
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
      const reply = await found.handler(found.params, body, url);
      if (reply.stream) return await this.streamReply(reply, res);
      if (reply.raw) return await this.rawReply(reply.raw, req, res);
      return send(reply);
    } catch (e) {
      const error = asAzureError(e);
      const headers: Record<string, string> =
        error.status === 401
          ? {
              'WWW-Authenticate':
                error.code === 'AuthenticationFailed'
                  ? 'Bearer realm="arslab"'
                  : `Bearer realm="arslab", error="invalid_token", error_description="${error.code}"`,
            }
          : {};
      return send({ status: error.status, body: error.toJSON(), headers });
    }
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
