/**
 * @module api/operations
 * Results of ARM long-running operations, kept until the client has read them, and bounded.
 *
 * ARM's contract (azure-resource-manager-rpc, async-api-reference.md): a POST action answers
 * 202 + Location; the Location URL answers the operation's result once it is done, "the
 * exact same response" each time it is read; an operation id that does not exist in that
 * subscription is a 404. ARM publishes no retention time, so ARSLab chooses one that lets
 * every client poll at least once after the 202 and keeps a `show-effective-route-table`
 * loop from growing the lab without end (issue 8, finding 4):
 *
 * - a result nobody has read stays `unreadTtlMs` (10 min: far longer than any client waits
 *   before its first poll — az and the SDKs honour Retry-After, which is 0 here);
 * - once read it stays `readTtlMs` more (60 s), so a client that lost the answer can retry;
 * - at most `maxCount` results and `maxBytes` of JSON are held: past either bound the
 *   oldest go first.
 *
 * The results are stored as the JSON text that will be sent: its size is what is bounded.
 */
import { randomUUID } from 'node:crypto';
import type { JsonBytes } from '../azure/index.js';
import type { Clock } from '../bgp/clock.js';

export interface OperationLimits {
  readonly unreadTtlMs: number;
  readonly readTtlMs: number;
  readonly maxCount: number;
  readonly maxBytes: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  unreadTtlMs: 10 * 60_000,
  readTtlMs: 60_000,
  maxCount: 512,
  maxBytes: 64 * 1024 * 1024,
};

/** What the store holds and has dropped, for `/arslab/status` (and the test of finding 4). */
export interface OperationStats {
  /** Results held now. */
  stored: number;
  /** Their JSON size, bytes. */
  storedBytes: number;
  /** Results ever stored. */
  created: number;
  /** Dropped because their time ran out. */
  expired: number;
  /** Dropped, oldest first, to stay within maxCount/maxBytes. */
  evicted: number;
}

/** A stored result: JSON text, or its UTF-8 bytes in pieces (a NIC's table, pieces shared between answers). */
export type OperationResult = string | JsonBytes;

interface Entry {
  readonly subscription: string;
  readonly json: OperationResult;
  /** UTF-8 bytes of json (shared pieces counted in full for each result: a bound, not a measure). */
  readonly size: number;
  expiresAt: number;
  read: boolean;
}

export class OperationStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private created = 0;
  private expired = 0;
  private evicted = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    readonly limits: OperationLimits = DEFAULT_OPERATION_LIMITS,
  ) {}

  /** Stores `body` as the result of a new operation of `subscription`; its id. */
  put(subscription: string, body: unknown): string {
    return this.putJson(subscription, body === undefined ? '' : JSON.stringify(body));
  }

  /** put() for a body already written as JSON (a NIC's table: UTF-8 pieces kept per layer). */
  putJson(subscription: string, json: OperationResult): string {
    this.sweep();
    const id = randomUUID();
    const size = typeof json === 'string' ? Buffer.byteLength(json) : json.size;
    this.entries.set(id, {
      subscription: subscription.toLowerCase(),
      json,
      size,
      expiresAt: this.clock.now() + this.limits.unreadTtlMs,
      read: false,
    });
    this.bytes += size;
    this.created++;
    // Map order is insertion order: the first entries are the oldest.
    for (const [oldId, e] of this.entries) {
      if (this.entries.size <= this.limits.maxCount && this.bytes <= this.limits.maxBytes) break;
      if (oldId === id) break; // the new result is kept even when alone over maxBytes
      this.drop(oldId, e);
      this.evicted++;
    }
    return id;
  }

  /**
   * The stored JSON of operation `id`, when it exists in `subscription` and has not expired
   * (RPC rule: another subscription's operation is a 404 too). The first read starts the
   * shorter read-retention time.
   */
  get(subscription: string, id: string): OperationResult | undefined {
    this.sweep();
    const e = this.entries.get(id);
    if (!e || e.subscription !== subscription.toLowerCase()) return undefined;
    if (!e.read) {
      e.read = true;
      e.expiresAt = Math.min(e.expiresAt, this.clock.now() + this.limits.readTtlMs);
    }
    return e.json;
  }

  stats(): OperationStats {
    this.sweep();
    return {
      stored: this.entries.size,
      storedBytes: this.bytes,
      created: this.created,
      expired: this.expired,
      evicted: this.evicted,
    };
  }

  /** Drops every expired result (at most maxCount entries to look at). */
  private sweep(): void {
    const now = this.clock.now();
    for (const [id, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.drop(id, e);
        this.expired++;
      }
    }
  }

  private drop(id: string, e: Entry): void {
    this.entries.delete(id);
    this.bytes -= e.size;
  }
}
