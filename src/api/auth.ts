/**
 * @module api/auth
 * Who may talk to a lab's API (issue 8, finding 6; ADR 0010): the lab's secret token as an
 * ARM bearer token, or — for the web page the lab serves — a browser session cookie obtained
 * through a one-time sign-in link. Everything here is about credentials; the request checks
 * that use them (Host, Origin, media type, size) are in api/guard.ts.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../bgp/clock.js';

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** The tenant of every lab: the `tid` of its token, what `/tenants` and `/subscriptions` report. */
export const LAB_TENANT_ID = '00000000-0000-0000-0000-000000000000';

/**
 * A new lab token: 256 random bits, in the shape of a JSON Web Token (header.claims.secret).
 *
 * The shape is for Azure clients that read their access token: `az login --identity` decodes
 * the managed-identity token it receives, without checking its signature, to learn the tenant
 * (`tid`) (azure-cli, _profile.py); tools such as Terraform's azurerm read `oid`. The third
 * segment is not a signature: it is the secret. ARSLab compares the whole token, constant-time.
 */
export function newLabToken(claims: { labName: string; tenantId?: string; objectId?: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'none', kid: 'arslab' };
  const body = {
    aud: 'https://management.azure.com/',
    iss: 'https://arslab.local/',
    sub: claims.objectId ?? '00000000-0000-0000-0000-00000000a51a',
    oid: claims.objectId ?? '00000000-0000-0000-0000-00000000a51a',
    tid: claims.tenantId ?? LAB_TENANT_ID,
    appid: 'arslab',
    name: `arslab lab ${claims.labName}`,
    iat: now,
    nbf: now,
    // Azure's tokens carry an expiry and some clients refuse one without; the lab accepts
    // this token for its whole life, whatever exp says.
    exp: now + 30 * 86_400,
  };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}.${b64url(randomBytes(32))}`;
}

/** Constant-time equality of two secrets (hashed first, so lengths do not leak either). */
export function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

/** What an `Authorization` header holds. */
export type BearerCredential = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'bearer'; token: string };

/** RFC 6750 §2.1: `Bearer` (case-insensitive scheme), one space, the token. */
export function parseAuthorization(header: string | undefined): BearerCredential {
  if (header === undefined || header === '') return { kind: 'missing' };
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  return m ? { kind: 'bearer', token: m[1]! } : { kind: 'malformed' };
}

/** The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4 syntax). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The browser side of ADR 0010: `arslab ui` asks the API (with the token) for a sign-in link
 * holding a one-time code; opening it sets an HttpOnly, SameSite=Strict cookie holding the
 * lab's browser secret, which is never the API token and never leaves the lab process.
 * Codes are single-use, expire after `codeTtlMs`, and at most `maxCodes` wait at once.
 */
export class BrowserSessions {
  /** Cookies are scoped by host, not port: the name carries the port so two labs do not clash. */
  readonly cookieName: string;
  private readonly secret = b64url(randomBytes(32));
  private readonly codes = new Map<string, number>();

  constructor(
    port: number,
    private readonly clock: Pick<Clock, 'now'>,
    readonly codeTtlMs = 5 * 60_000,
    readonly maxCodes = 16,
  ) {
    this.cookieName = `arslab-${port}`;
  }

  /** A new one-time code (the oldest waiting code goes when maxCodes wait). */
  newCode(): string {
    this.sweep();
    const code = b64url(randomBytes(32));
    this.codes.set(code, this.clock.now() + this.codeTtlMs);
    for (const old of this.codes.keys()) {
      if (this.codes.size <= this.maxCodes) break;
      this.codes.delete(old);
    }
    return code;
  }

  /** Uses up `code`: the Set-Cookie value when it was valid, else undefined. */
  redeem(code: string, secure: boolean): string | undefined {
    this.sweep();
    let found: string | undefined;
    for (const c of this.codes.keys()) if (sameSecret(c, code)) found = c;
    if (found === undefined) return undefined;
    this.codes.delete(found);
    return `${this.cookieName}=${this.secret}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  /** Whether a `Cookie` header carries this lab's browser session. */
  hasSession(cookieHeader: string | undefined): boolean {
    const v = cookieValue(cookieHeader, this.cookieName);
    return v !== undefined && sameSecret(v, this.secret);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [c, at] of this.codes) if (at <= now) this.codes.delete(c);
  }
}
