/**
 * @module api/guard
 * The checks every request to a lab's API passes before a handler sees it (issue 8,
 * finding 6; ADR 0010), in this order:
 *
 * 1. `Host` is the lab's own address (a page on a name that resolves to 127.0.0.1 — DNS
 *    rebinding — carries its own name);
 * 2. no foreign `Origin`, no cross-site `Sec-Fetch-Site` (a web page elsewhere, even on
 *    another port of 127.0.0.1, which is "same-site" for cookies);
 * 3. a credential: the lab's token as `Authorization: Bearer`, or the browser session cookie,
 *    which for anything but GET/HEAD must come with the lab's own `Origin` (browsers send it
 *    on every such request; a forged form or `no-cors` fetch cannot set it);
 * 4. a body only as `application/json`, at most `maxBodyBytes`, read no further than that.
 *
 * Refusals are ARM errors (`{"error":{"code","message"}}`), with ARM's codes where ARM has
 * the case (AuthenticationFailed, InvalidAuthenticationToken, UnsupportedMediaType,
 * RequestContentTooLarge); Host and Origin refusals are ARSLab's own (ARM has no such
 * check: it is not on your loopback).
 */
import type * as http from 'node:http';
import { AzureErrors } from '../azure/index.js';
import { parseAuthorization, sameSecret, type BrowserSessions } from './auth.js';

/** ARM's limit on a request body (RequestContentTooLarge). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface GuardConfig {
  /** `host:port` values accepted in `Host`, lower case. */
  readonly hosts: ReadonlySet<string>;
  /** Origins of the lab's own page (`http://127.0.0.1:PORT`, …). */
  readonly origins: ReadonlySet<string>;
  readonly token: string;
  readonly sessions: BrowserSessions;
  readonly maxBodyBytes: number;
}

/**
 * The `Host` and `Origin` values under which a lab listening on host:port is itself: its
 * address or `localhost`, with the port — or without it on the scheme's default port, where
 * clients leave it out (RFC 9110 §7.2, RFC 6454 §6.2).
 */
export function selfNames(host: string, port: number, scheme = 'http'): { hosts: Set<string>; origins: Set<string> } {
  const names = [...new Set([host, 'localhost'])].map((n) => (n.includes(':') ? `[${n}]` : n).toLowerCase());
  const bare = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  const hosts = new Set(names.flatMap((n) => (bare ? [`${n}:${port}`, n] : [`${n}:${port}`])));
  const origins = new Set(names.map((n) => `${scheme}://${bare ? n : `${n}:${port}`}`));
  return { hosts, origins };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** 1 and 2: the request is addressed to this lab and does not come from a foreign page. */
export function checkCaller(req: http.IncomingMessage, g: GuardConfig): void {
  const host = header(req, 'host')?.toLowerCase();
  if (!host || !g.hosts.has(host)) {
    throw AzureErrors.invalidHostHeader(host ?? '', [...g.hosts].join(', '));
  }
  const origin = header(req, 'origin');
  if (origin !== undefined && !g.origins.has(origin.toLowerCase())) {
    throw AzureErrors.crossOrigin(
      `Requests from origin '${origin}' are refused: only the lab's own page (${[...g.origins][0]}) may call this API from a browser.`,
    );
  }
  // Fetch Metadata (W3C): a browser says where a request comes from even without Origin
  // (an <img>, a link); 'same-site' includes other ports of 127.0.0.1.
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw AzureErrors.crossOrigin(
      `A ${site} request is refused: only the lab's own page may call this API from a browser.`,
    );
  }
}

const SAFE = new Set(['GET', 'HEAD']);
const TOKEN_HINT = 'Send the lab token as `Authorization: Bearer TOKEN` (`arslab token` prints it).';

/** 3: the caller holds the lab's token, or a browser session on a same-origin request. */
export function authenticate(req: http.IncomingMessage, g: GuardConfig): 'token' | 'browser' {
  const cred = parseAuthorization(header(req, 'authorization'));
  if (cred.kind === 'bearer') {
    if (sameSecret(cred.token, g.token)) return 'token';
    throw AzureErrors.invalidAuthenticationToken(`It is not this lab's token. ${TOKEN_HINT}`);
  }
  if (cred.kind === 'malformed') throw AzureErrors.authenticationInvalidHeader(TOKEN_HINT);
  if (g.sessions.hasSession(header(req, 'cookie'))) {
    // Cross-site request forgery: a browser adds the cookie to any request to this origin;
    // only the lab's own page can make one that carries the lab's Origin.
    if (!SAFE.has(req.method ?? '') && header(req, 'origin') === undefined) {
      throw AzureErrors.crossOrigin(
        `A ${req.method} with the browser session must carry the lab's Origin header; it did not.`,
      );
    }
    return 'browser';
  }
  throw AzureErrors.authenticationMissing(TOKEN_HINT);
}

/** Whether the request comes with a body (RFC 9112 §6.3: Transfer-Encoding or a non-zero Content-Length). */
export function hasBody(req: http.IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const len = req.headers['content-length'];
  return len !== undefined && Number(len) !== 0;
}

/**
 * 4, first half: a body, or any declared type on a method that could carry one, must be
 * JSON. (A browser's "simple" cross-origin POST is text/plain, form or multipart.)
 */
export function checkMediaType(req: http.IncomingMessage): void {
  const type = header(req, 'content-type');
  if (type === undefined && !hasBody(req)) return;
  if (SAFE.has(req.method ?? '') && !hasBody(req)) return;
  const essence = (type ?? '').split(';')[0]?.trim().toLowerCase();
  if (essence !== 'application/json') throw AzureErrors.unsupportedMediaType(type);
}

/**
 * 4, second half: the body, at most `max` bytes. A declared length over the bound is
 * refused before anything is read; a body that grows past it stops being read at once
 * (the caller answers 413 with `Connection: close`, and Node discards the rest as the
 * socket closes).
 */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(AzureErrors.requestContentTooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        cleanup();
        req.pause();
        reject(AzureErrors.requestContentTooLarge(max));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
