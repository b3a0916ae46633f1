/**
 * @module api/router
 * What a route group needs to register its routes, and nothing of the server itself: the
 * groups (api/routes/*) import this module, the server imports the groups — one direction,
 * so no import cycle (issue 11, item 2).
 *
 * A route is a method and a path template (`/…/virtualHubs/{virtualHubName}`, mostly from
 * api/paths); `{name}` matches one path segment and reaches the handler as `params.name`,
 * URL-decoded. `{name:a|b}` matches only those words (case-insensitive, as ARM paths are).
 */
import type * as http from 'node:http';
import { AzureErrors, sameName, type AzureError, type JsonBytes } from '../azure/index.js';
import type { Lab } from '../lab/lab.js';
import type { OperationStore } from './operations.js';

/** The path parameters of a matched route, by the names of its template. */
export type Params = Readonly<Record<string, string>>;

export type Handler = (params: Params, body: unknown, url: URL) => Promise<Reply> | Reply;

export interface Reply {
  status: number;
  body?: unknown;
  /** The body already serialised as JSON (a stored operation result: text, or UTF-8 pieces written in turn). */
  json?: string | JsonBytes;
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

/** What a route group works with: the running lab and the ARM conventions of the server. */
export interface ApiContext {
  readonly lab: Lab;
  /** Results of long-running operations, bounded (api/operations). */
  readonly operations: OperationStore;
  /** The lab's secret (ADR 0010), which the identity endpoint hands out. */
  readonly token: string;
  /** The secret a caller of the identity endpoint must show (IDENTITY_HEADER, MSI_SECRET). */
  readonly identitySecret: string;
  /** The API's HTTPS URL (`https://127.0.0.1:PORT`), once listening. */
  endpoint(): string;
  /** ARM long-running operation: 202 + Location; `body` waits at the Location URL. */
  accepted(subscriptionId: string, body: unknown): Reply;
  /** accepted() for a result already written as JSON. */
  acceptedJson(subscriptionId: string, json: string | JsonBytes): Reply;
}

/**
 * A resource-group list as ARM answers it (`{"value": [...]}`): the items of `rg`, names
 * compared as Azure does, case-insensitively.
 */
export function listInGroup<T extends { readonly resourceGroup: string }>(
  items: readonly T[],
  rg: string,
  json: (item: T) => unknown,
): Reply {
  return { status: 200, body: { value: items.filter((x) => sameName(x.resourceGroup, rg)).map(json) } };
}

/** A route group registers its routes; api/routes/index.ts lists the groups. */
export type RouteGroup = (router: Router, ctx: ApiContext) => void;

export interface RouteOptions {
  /**
   * Served without the lab's token: what Azure itself serves without one (the cloud's
   * metadata endpoints) and the identity endpoint, which checks its own secret (ADR 0027).
   */
  readonly anonymous?: boolean;
  /** Checks the request's headers before the handler runs (the identity endpoint's secret). */
  readonly check?: (headers: Readonly<Record<string, string | string[] | undefined>>) => void;
}

interface Route extends RouteOptions {
  readonly method: string;
  readonly template: string;
  readonly re: RegExp;
  readonly handler: Handler;
}

/** One registered route, as the spec test reads them. */
export interface RouteInfo {
  readonly method: string;
  readonly template: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/** The regex of a path template: `{name}` → `(?<name>[^/]+)`, `{name:a|b}` → `(?<name>a|b)`. */
export function compileTemplate(template: string): RegExp {
  let src = '';
  let last = 0;
  for (const m of template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g)) {
    src += escapeRe(template.slice(last, m.index));
    const words = m[2]?.split('|').map(escapeRe).join('|');
    src += `(?<${m[1]}>${words ?? '[^/]+'})`;
    last = m.index + m[0].length;
  }
  src += escapeRe(template.slice(last));
  return new RegExp(`^${src}/?$`, 'i');
}

export class Router {
  private readonly list: Route[] = [];

  add(method: string, template: string, handler: Handler, options: RouteOptions = {}): void {
    this.list.push({ method, template, re: compileTemplate(template), handler, ...options });
  }

  /** Every route, in registration order. */
  routes(): RouteInfo[] {
    return this.list.map(({ method, template }) => ({ method, template }));
  }

  /** The route for method and path, if any. */
  match(method: string, path: string): ({ params: Params; handler: Handler } & RouteOptions) | undefined {
    for (const r of this.list) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeSegment(v);
      return {
        params,
        handler: r.handler,
        ...(r.anonymous ? { anonymous: true } : {}),
        ...(r.check ? { check: r.check } : {}),
      };
    }
    return undefined;
  }
}

/** A path no route serves: ARM's InvalidResourceType, 404. */
export function notServed(method: string, path: string): AzureError {
  return AzureErrors.notServed(method, path);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a malformed escape stays as sent: the handler's lookup says what is missing
  }
}

/** A PUT's answer as the REST spec gives it: 201 when it created the resource, 200 when it updated it. */
export const created = (existed: boolean, body: unknown): Reply => ({ status: existed ? 200 : 201, body });
