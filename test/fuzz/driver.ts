/**
 * Sends the fuzz suite's inputs (./messages.ts) to a running route server over real TCP from
 * configured NVA addresses, and checks each outcome against the oracle.
 *
 * Per route-server instance: an observer NVA (a configured peer that only listens: the route
 * server reflects to it whatever it installs, R-ARS-9) and one or more fuzzing NVAs. A fuzzing
 * NVA sends a batch: inputs whose outcome keeps the session, then a marker UPDATE for a prefix
 * of its own, then at most one input that ends the session. TCP keeps the order and the route
 * server handles one UPDATE at a time, so when the observer sees the marker, the effect of
 * every input before it is in what the observer holds: the batch's routes (accepted,
 * attribute-discard), or their absence (treat-as-withdraw). A cleanup UPDATE withdraws the
 * batch's prefixes before the next batch; two prefix pools alternate so a batch never meets
 * the previous one's cleanup.
 *
 * A mismatch, a hang (no marker and no close within the bound) or a dead lab is a finding:
 * the batch is kept (`Finding`) for the corpus, test/fixtures/fuzz/corpus.
 */
import * as net from 'node:net';
import fc from 'fast-check';
import {
  CONTEXT_4OCTET,
  decodeMessage,
  MessageReader,
  type ReceivedMessage,
  type ReceivedUpdate,
} from '../../src/bgp/index.js';
import {
  havoc,
  havocArb,
  mutateOpen,
  mutateOther,
  mutateUpdate,
  normalizePath,
  openMutationArb,
  otherMutationArb,
  prefixText,
  routeArb,
  RS_ASN,
  routeAttrs,
  updateMutationArb,
  updateOctets,
  endsSession,
  type Expect,
  type ExpectedRoute,
  type FuzzContext,
  type FuzzInput,
  type V4,
  openOctets,
  capabilityOctets,
  keepaliveOctets,
  type OutcomeClass,
} from './messages.js';

// ------------------------------------------------------------------------------------------
// A raw BGP connection that keeps what it needs and nothing more

class Conn {
  readonly notifications: string[] = [];
  keepaliveSeen = false;
  updatesSeen = 0;
  /** UPDATEs that announce `watchPrefix` (the VNet range: sent only in a full table, i.e. a refresh). */
  watchHits = 0;
  closed = false;
  readonly closedP: Promise<void>;
  private readonly reader = new MessageReader();
  /** The watched prefix as NLRI octets: an UPDATE that does not end with them is not decoded. */
  private readonly watchTail: number[];
  onUpdate?: (u: ReceivedUpdate) => void;

  constructor(
    readonly socket: net.Socket,
    private readonly watchPrefix: string,
  ) {
    const [a, len] = watchPrefix.split('/');
    const n = (Number(len) + 7) >> 3;
    this.watchTail = [Number(len), ...a!.split('.').map(Number).slice(0, n)];
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.data(c));
    socket.on('error', () => {});
    this.closedP = new Promise((r) =>
      socket.on('close', () => {
        this.closed = true;
        r();
      }),
    );
  }

  private data(c: Buffer): void {
    for (const f of this.reader.push(c)) {
      if (!f.ok) {
        this.notifications.push(`framing ${f.error.code}/${f.error.subcode}`);
        continue;
      }
      const type = f.bytes[18];
      if (type === 4) this.keepaliveSeen = true;
      else if (type === 3) this.notifications.push(`${f.bytes[19]}/${f.bytes[20]}`);
      else if (type === 2) {
        this.updatesSeen++;
        // A fuzzing NVA reads every route the others send; it only needs the VNet range, which
        // the route server sends alone (its own attributes), so last in the NLRI.
        if (this.onUpdate === undefined && !this.endsWithWatch(f.bytes)) continue;
        const d = decodeMessage(f.bytes, CONTEXT_4OCTET);
        if (!d.ok || d.value.type !== 'UPDATE') continue;
        const u = d.value as ReceivedUpdate;
        if (u.nlri.some((p) => prefixText(p as V4) === this.watchPrefix)) this.watchHits++;
        this.onUpdate?.(u);
      }
    }
  }

  private endsWithWatch(b: Uint8Array): boolean {
    const t = this.watchTail;
    for (let i = 0; i < t.length; i++) if (b[b.length - t.length + i] !== t[i]) return false;
    return true;
  }

  send(b: Uint8Array): void {
    if (!this.closed) this.socket.write(b);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function connect(remote: string, port: number, local: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: remote, port, localAddress: local });
    s.once('connect', () => resolve(s));
    s.once('error', () => {
      s.destroy();
      resolve(undefined);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(2);
  }
  return true;
}

// ------------------------------------------------------------------------------------------
// Peers

export interface PeerAddress {
  /** Real (socket) address, e.g. 127.163.1.4, and the emulated one it stands for. */
  readonly local: string;
  readonly emulated: string;
  readonly asn: number;
}

export interface InstanceTarget {
  /** The instance's socket address and its emulated address. */
  readonly remote: string;
  readonly emulated: string;
  readonly port: number;
}

const ipv4 = (t: string) => t.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);

/** What the observer held for some prefixes when a marker arrived. */
export type Snapshot = ReadonlyMap<string, ReceivedUpdate>;

/** A 4-octet AS session that announces nothing and keeps what the route server reflects. */
export class Observer {
  /** prefix → the last UPDATE announcing it, or absent once withdrawn. */
  readonly rib = new Map<string, ReceivedUpdate>();
  conn?: Conn;
  private readonly waits = new Map<string, { prefixes: readonly string[]; done: (s: Snapshot) => void }>();

  constructor(
    readonly target: InstanceTarget,
    readonly peer: PeerAddress,
    /** The VNet range: the route server's initial table carries it. */
    readonly vnetPrefix: string,
  ) {}

  async open(ms = 20_000): Promise<void> {
    this.conn = await establish(this.target, this.peer, ms, this.vnetPrefix);
    this.conn.onUpdate = (u) => {
      for (const p of u.withdrawn) this.rib.delete(prefixText(p as V4));
      for (const p of u.nlri) this.rib.set(prefixText(p as V4), u);
      for (const p of u.nlri) {
        const w = this.waits.get(prefixText(p as V4));
        if (!w) continue;
        this.waits.delete(prefixText(p as V4));
        const snap = new Map<string, ReceivedUpdate>();
        for (const q of w.prefixes) {
          const r = this.rib.get(q);
          if (r) snap.set(q, r);
        }
        w.done(snap);
      }
    };
    keepAlive(this.conn);
  }

  /**
   * Resolves with what is held for `prefixes` the moment `marker` is announced — before a
   * session reset that follows can withdraw them — or undefined after `ms`.
   */
  marker(marker: string, prefixes: readonly string[], ms: number): Promise<Snapshot | undefined> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waits.delete(marker);
        resolve(undefined);
      }, ms);
      this.waits.set(marker, {
        prefixes,
        done: (s) => {
          clearTimeout(t);
          resolve(s);
        },
      });
    });
  }

  close(): void {
    this.conn?.destroy();
  }
}

function keepAlive(c: Conn): void {
  const t = setInterval(() => c.send(keepaliveOctets()), 10_000);
  t.unref();
  void c.closedP.then(() => clearInterval(t));
}

/**
 * OPEN (4-octet AS, IPv4 unicast, route refresh) until the session is Established on the
 * route server's side too: its initial table (RFC 4271 §9.4, which carries `watch`, the VNet
 * range) has come. A KEEPALIVE alone is not enough: RFC 4271 §6.8 lets it still close the
 * connection with Cease/7 when a previous session of ours is not torn down yet.
 */
async function establish(target: InstanceTarget, peer: PeerAddress, ms: number, watch: string): Promise<Conn> {
  const end = Date.now() + ms;
  let last = 'no connection';
  while (Date.now() < end) {
    const s = await connect(target.remote, target.port, peer.local);
    if (s) {
      const c = new Conn(s, watch);
      c.send(
        openOctets({
          myAs: peer.asn,
          holdTime: 90,
          bgpId: ipv4(peer.emulated),
          params: [
            {
              type: 2,
              value: [
                ...capabilityOctets({ kind: 'multiprotocol', afi: 1, safi: 1 }),
                ...capabilityOctets({ kind: 'route-refresh' }),
                ...capabilityOctets({ kind: 'four-octet-as', asn: peer.asn }),
              ],
            },
          ],
        }),
      );
      c.send(keepaliveOctets());
      if ((await until(() => c.watchHits > 0 || c.closed, 3000)) && !c.closed) return c;
      last = c.notifications.join(' ') || 'closed';
      c.destroy();
    }
    await sleep(100);
  }
  throw new Error(`${peer.local} never Established with ${target.remote} (${last})`);
}

// ------------------------------------------------------------------------------------------
// Results

export interface Finding {
  readonly why: string;
  /** The inputs sent on the connection, in order (the one at fault among them). */
  readonly inputs: readonly FuzzInput[];
}

export class Tally {
  messages = 0;
  batches = 0;
  readonly byClass = new Map<string, number>();
  readonly byMutation = new Map<string, number>();
  readonly mismatches: { input: FuzzInput; got: string }[] = [];
  hangs = 0;
  crashes = 0;
  readonly findings: Finding[] = [];

  count(i: FuzzInput, observed: string): void {
    this.messages++;
    const k = i.expect.kind === 'session-reset' ? `session-reset ${observed}` : i.expect.kind;
    this.byClass.set(k, (this.byClass.get(k) ?? 0) + 1);
    const m = `${i.message} ${i.mutation}`;
    this.byMutation.set(m, (this.byMutation.get(m) ?? 0) + 1);
  }
}

// ------------------------------------------------------------------------------------------
// The fuzzing NVA

export interface FuzzerOptions {
  readonly target: InstanceTarget;
  /** The emulated and mapped addresses of the instance, for RFC 4271 §6.3 (a). */
  readonly peer: PeerAddress;
  readonly observer: Observer;
  /** A prefix only the full table carries (the VNet range): seen again after a ROUTE-REFRESH. */
  readonly vnetPrefix: string;
  /** Distinct per fuzzer: the third octet of its 100.64.x.y/32 pools. */
  readonly index: number;
  readonly tally: Tally;
  /** Is the lab process alive? (a dead one is a crash) */
  readonly alive: () => boolean;
  readonly batchSize?: number;
  /** Share of batches that open with a mutated OPEN (each costs a reconnection). */
  readonly openShare?: number;
  /** Share of batches that end with an input that ends the session. */
  readonly endShare?: number;
}

const MARKER_ATTRS = (peerAs: number, nextHop: number) =>
  routeAttrs({ origin: 0, asPath: [{ type: 2, asns: [peerAs] }], nextHop });

export class Fuzzer {
  private conn?: Conn;
  private batchNo = 0;
  readonly ctx: FuzzContext;

  constructor(readonly o: FuzzerOptions) {
    this.ctx = { peerAs: o.peer.asn, instanceAddresses: [ipv4(o.target.emulated), ipv4(o.target.remote)] };
  }

  /** 100.64.I.0/24 split in two pools of /32s; the marker is .250 / .251. */
  private pool(parity: number): V4[] {
    const base = ((100 << 24) | ((64 + (this.o.index >> 8)) << 16) | ((this.o.index & 255) << 8)) >>> 0;
    return Array.from({ length: 120 }, (_, i) => ({ addr: (base | (parity * 120 + i)) >>> 0, len: 32 }));
  }
  /** Markers: .250 and .251 close the two pools' batches, .252 follows an input whose outcome is open. */
  private marker(which: number): V4 {
    const base = ((100 << 24) | ((64 + (this.o.index >> 8)) << 16) | ((this.o.index & 255) << 8)) >>> 0;
    return { addr: (base | (250 + which)) >>> 0, len: 32 };
  }

  private async ensure(): Promise<Conn> {
    if (this.conn && !this.conn.closed) return this.conn;
    // Established once the initial table came (so only a ROUTE-REFRESH brings the VNet range again).
    const c = await establish(this.o.target, this.o.peer, 60_000, this.o.vnetPrefix);
    keepAlive(c);
    this.conn = c;
    return c;
  }

  /** One batch from the generator's random source; returns false when the lab died. */
  async batch(rng: fc.Random): Promise<boolean> {
    const sample = <T>(a: fc.Arbitrary<T>): T => a.generate(rng, undefined).value;
    const open = rng.nextDouble() < (this.o.openShare ?? 0.01);
    if (open) return this.openCase(sample(openMutationArb));
    const parity = this.batchNo++ & 1;
    const pool = this.pool(parity);
    const inputs: FuzzInput[] = [];
    let used = 0;
    let refreshUsed = false;
    const n = this.o.batchSize ?? 24;
    while (inputs.length < n) {
      if (rng.nextDouble() < 0.85) {
        const take = 1 + Math.floor(rng.nextDouble() * 3);
        if (used + take > pool.length) break;
        const nlri = pool.slice(used, used + take);
        used += take;
        const route = sample(routeArb);
        const input = mutateUpdate(route, nlri, sample(updateMutationArb), this.ctx);
        if (endsSession(input.expect)) continue; // kept for the end of a batch
        // Half the time the prefixes were installed first, so treat-as-withdraw must withdraw.
        if (input.expect.kind === 'treat-as-withdraw' && rng.nextDouble() < 0.5)
          inputs.push(mutateUpdate(sample(routeArb), nlri, { kind: 'valid' }, this.ctx));
        inputs.push(input);
      } else {
        const input = mutateOther(sample(otherMutationArb));
        if (endsSession(input.expect)) continue;
        if (input.message === 'ROUTE-REFRESH') {
          // One per batch, in one batch of four: judging one means waiting for a refresh that
          // may not come.
          if (refreshUsed || (this.batchNo & 3) !== 0) continue;
          refreshUsed = true;
        }
        inputs.push(input);
      }
    }
    let last: FuzzInput | undefined;
    if (rng.nextDouble() < (this.o.endShare ?? 0.1)) {
      const pick = rng.nextDouble();
      if (pick < 0.4) {
        const nlri = pool.slice(used, used + 1);
        used += 1;
        let m = sample(updateMutationArb);
        for (let i = 0; i < 50 && !endsSession(mutateUpdate(sample(routeArb), nlri, m, this.ctx).expect); i++)
          m = sample(updateMutationArb);
        last = mutateUpdate(sample(routeArb), nlri, m, this.ctx);
        if (!endsSession(last.expect)) last = undefined;
      } else if (pick < 0.7) {
        let m = sample(otherMutationArb);
        for (let i = 0; i < 50 && !endsSession(mutateOther(m).expect); i++) m = sample(otherMutationArb);
        last = mutateOther(m);
        if (!endsSession(last.expect)) last = undefined;
      } else {
        const nlri = pool.slice(used, used + 1);
        used += 1;
        const valid = mutateUpdate(sample(routeArb), nlri, { kind: 'valid' }, this.ctx);
        last = havoc(valid.octets, sample(havocArb));
      }
    }
    return this.run(inputs, last, parity);
  }

  /** The prefixes an input announces or withdraws (from its expectation). */
  private static prefixesOf(i: FuzzInput): string[] {
    const e = i.expect;
    if (e.kind === 'accepted' || e.kind === 'attribute-discard') return e.reflect.map((r) => r.prefix);
    if (e.kind === 'treat-as-withdraw') return [...e.prefixes];
    return [];
  }

  /** Sends one batch and judges it; the same path replays a corpus entry. */
  async run(inputs: readonly FuzzInput[], last: FuzzInput | undefined, parity = this.batchNo++ & 1): Promise<boolean> {
    const c = await this.ensure();
    const t = this.o.tally;
    const obs = this.o.observer;
    const marker = this.marker(parity);
    const markerText = prefixText(marker);
    const watchBefore = c.watchHits;
    const sent = last ? [...inputs, last] : inputs;
    const names = [...new Set(sent.flatMap(Fuzzer.prefixesOf))];
    const touched = names.map(parseV4);
    const snapshot = obs.marker(markerText, names, 5000);
    for (const i of inputs) c.send(i.octets);
    c.send(
      updateOctets({ withdrawn: [], attrs: MARKER_ATTRS(this.o.peer.asn, ipv4(this.o.peer.emulated)), nlri: [marker] }),
    );
    if (last) c.send(last.octets);

    const snap = await snapshot;
    if (!this.o.alive()) return this.crashed(sent);
    if (snap === undefined) {
      // No marker: the route server closed before it (an input meant to keep the session
      // did not), or answered nothing at all (a hang).
      const why = c.closed
        ? `session closed early: ${c.notifications.join(' ') || 'no NOTIFICATION'}`
        : 'no marker in 5 s';
      if (!c.closed) t.hangs++;
      t.findings.push({ why, inputs: sent });
      for (const i of sent) t.count(i, 'unjudged');
      this.drop();
      return true;
    }
    // A refresh is written to us before the marker is handled, but our two sockets are read
    // in any order: wait for it (or, where none is expected, long enough to see one come).
    if (inputs.some((i) => i.message === 'ROUTE-REFRESH'))
      await until(() => c.watchHits > watchBefore, inputs.some((i) => i.expect.kind === 'refresh') ? 1000 : 100);
    const refreshed = c.watchHits > watchBefore;
    inputs.forEach((i, k) => {
      // A prefix sent again later in the batch is judged by its last input only.
      const mine = Fuzzer.prefixesOf(i);
      const later = sent.slice(k + 1).some((j) => Fuzzer.prefixesOf(j).some((p) => mine.includes(p)));
      const got = later ? undefined : this.judge(i, refreshed, snap);
      if (got !== undefined) {
        t.mismatches.push({ input: i, got });
        t.findings.push({ why: `${i.message} ${i.mutation}: expected ${describe(i.expect)}, got ${got}`, inputs: [i] });
      }
      t.count(i, 'kept');
    });
    if (last) await this.judgeLast(c, last);
    if (!this.o.alive()) return this.crashed(sent);
    if (!c.closed) c.send(updateOctets({ withdrawn: [...touched, marker, this.marker(2)], attrs: [], nlri: [] }));
    t.batches++;
    return true;
  }

  private crashed(inputs: readonly FuzzInput[]): boolean {
    this.o.tally.crashes++;
    this.o.tally.findings.push({ why: 'the lab process died', inputs });
    return false;
  }

  private drop(): void {
    this.conn?.destroy();
    this.conn = undefined;
  }

  /** undefined when the observed effect is the expected one, else what was seen. */
  private judge(i: FuzzInput, refreshed: boolean, rib: Snapshot): string | undefined {
    const e = i.expect;
    switch (e.kind) {
      case 'accepted':
      case 'attribute-discard':
        for (const r of e.reflect) {
          const u = rib.get(r.prefix);
          if (r.route === undefined) {
            if (u) return `${r.prefix} reflected, but ${r.not} says it must not be`;
            continue;
          }
          if (!u) return `${r.prefix} not reflected`;
          const diff = compareRoute(u, r.route);
          if (diff) return `${r.prefix}: ${diff}`;
        }
        return undefined;
      case 'treat-as-withdraw':
        for (const p of e.prefixes) if (rib.has(p)) return `${p} reflected (installed)`;
        return undefined;
      case 'ignored':
        return i.message === 'ROUTE-REFRESH' && refreshed ? 'the Adj-RIB-Out was sent again' : undefined;
      case 'refresh':
        return refreshed ? undefined : 'no UPDATE with the full table after the ROUTE-REFRESH';
      default:
        return undefined;
    }
  }

  private async judgeLast(c: Conn, last: FuzzInput): Promise<void> {
    const t = this.o.tally;
    const e = last.expect;
    if (e.kind === 'havoc') {
      // No outcome predicted: either a NOTIFICATION the RFCs define, then the close, or the
      // session goes on — then a further marker must come through (the route server answers).
      const m = this.marker(2);
      const answered = this.o.observer.marker(prefixText(m), [], 5000);
      c.send(
        updateOctets({ withdrawn: [], attrs: MARKER_ATTRS(this.o.peer.asn, ipv4(this.o.peer.emulated)), nlri: [m] }),
      );
      const closedFirst = c.closedP.then(() => sleep(200)).then(() => 'closed' as const);
      const ok = (await Promise.race([answered, closedFirst])) !== undefined;
      if (!ok) {
        t.hangs++;
        t.findings.push({ why: 'no answer after a havoc UPDATE', inputs: [last] });
      }
    } else await until(() => c.closed, ANSWER_MS);
    const got = c.notifications.at(-1);
    let mismatch: string | undefined;
    const observed = got ?? (c.closed ? 'closed' : 'kept');
    if (e.kind === 'session-reset') {
      if (!c.closed) mismatch = `session kept${got ? ` after NOTIFICATION ${got}` : ''}`;
      else if (!got || !e.notifications.includes(got)) mismatch = `closed with ${got ?? 'no NOTIFICATION'}`;
    } else if (e.kind === 'closed') {
      if (!c.closed) mismatch = 'session kept';
      else if (got) mismatch = `NOTIFICATION ${got} sent back`;
    } else if (e.kind === 'havoc') {
      if (got && !KNOWN_NOTIFICATION.test(got)) mismatch = `unknown NOTIFICATION ${got}`;
    }
    if (mismatch) {
      t.mismatches.push({ input: last, got: mismatch });
      t.findings.push({
        why: `${last.message} ${last.mutation}: expected ${describe(e)}, got ${mismatch}`,
        inputs: [last],
      });
    }
    t.count(last, observed);
    // After havoc the route server may hold routes we cannot name (octets of the NLRI
    // changed too): end the session, which withdraws everything it holds from us.
    this.drop();
  }

  /** A mutated OPEN on a fresh connection. */
  private async openCase(m: Parameters<typeof mutateOpen>[0]): Promise<boolean> {
    const t = this.o.tally;
    this.drop();
    const input = mutateOpen(m, { peerAs: this.o.peer.asn, bgpId: ipv4(this.o.peer.emulated) });
    // The route server holds off after a session ends (RFC 4271 §8.1.1 IdleHoldTimer): retry
    // the connection until it is accepted, then judge the answer to the OPEN.
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      const s = await connect(this.o.target.remote, this.o.target.port, this.o.peer.local);
      if (!s) {
        await sleep(100);
        continue;
      }
      const c = new Conn(s, this.o.vnetPrefix);
      c.send(input.octets);
      if (input.expect.kind === 'established') c.send(keepaliveOctets());
      // An accepted OPEN is answered with OPEN, KEEPALIVE and, once Established, the table.
      await until(
        () =>
          c.closed ||
          c.notifications.length > 0 ||
          (input.expect.kind === 'established' ? c.watchHits > 0 : c.keepaliveSeen),
        ANSWER_MS,
      );
      if ((c.closed && c.notifications.length === 0) || c.notifications.includes('6/7')) {
        // Refused before our OPEN was read (Idle), or closed as a collision with our previous
        // session, still Established on its side (RFC 4271 §6.8): not an answer to this OPEN.
        c.destroy();
        await sleep(200);
        continue;
      }
      let mismatch: string | undefined;
      const got = c.notifications.at(-1);
      if (input.expect.kind === 'established') {
        if (c.watchHits === 0 || got) mismatch = got ? `NOTIFICATION ${got}` : 'no KEEPALIVE and table';
      } else if (input.expect.kind === 'session-reset') {
        await until(() => c.closed, ANSWER_MS);
        if (!got || !input.expect.notifications.includes(got))
          mismatch = `answered ${got ?? (c.keepaliveSeen ? 'KEEPALIVE' : 'nothing')}`;
      }
      if (mismatch) {
        t.mismatches.push({ input, got: mismatch });
        t.findings.push({
          why: `OPEN ${input.mutation}: expected ${describe(input.expect)}, got ${mismatch}`,
          inputs: [input],
        });
      }
      t.count(input, got ?? 'established');
      if (input.expect.kind === 'established' && c.watchHits > 0 && !c.closed) {
        this.conn = c;
        keepAlive(c);
      } else c.destroy();
      return this.o.alive();
    }
    t.hangs++;
    t.findings.push({ why: 'no connection accepted for 60 s', inputs: [input] });
    return this.o.alive();
  }

  close(): void {
    this.conn?.destroy();
  }
}

/**
 * How long an answer that ends a session (NOTIFICATION, close) may take: a busy lab answers its
 * API within 2 s (the benchmark's hang bound), so more than that is not an answer.
 */
const ANSWER_MS = 5000;

/** NOTIFICATION codes RFC 4271 §4.5 and RFC 7313 define (1–7). */
const KNOWN_NOTIFICATION = /^[1-7]\/\d+$/;

const parseV4 = (t: string): V4 => {
  const [a, len] = t.split('/');
  return { addr: ipv4(a!), len: Number(len) };
};

function describe(e: Expect): string {
  return e.kind === 'session-reset'
    ? `session-reset ${e.notifications.join('|')} (${e.rule})`
    : `${e.kind} (${e.rule})`;
}

/** What differs between the observer's UPDATE and the expected re-advertisement, or undefined. */
export function compareRoute(u: ReceivedUpdate, r: ExpectedRoute): string | undefined {
  const a = u.attributes;
  const path = normalizePath((a.asPath ?? []).map((s) => [s.type, s.asns] as const));
  if (JSON.stringify(path) !== JSON.stringify(r.asPath))
    return `AS_PATH ${JSON.stringify(path)} ≠ ${JSON.stringify(r.asPath)}`;
  if (a.origin !== r.origin) return `ORIGIN ${a.origin} ≠ ${r.origin}`;
  if (JSON.stringify(a.communities ?? []) !== JSON.stringify(r.communities)) return 'COMMUNITIES differ';
  const large = (a.largeCommunities ?? []).map((c) => `${c.globalAdmin}:${c.localData1}:${c.localData2}`);
  if (JSON.stringify(large) !== JSON.stringify(r.largeCommunities)) return 'LARGE_COMMUNITY differs';
  const ext = (a.extendedCommunities ?? []).map((c) => c.toString(16));
  if (JSON.stringify(ext) !== JSON.stringify(r.extendedCommunities)) return 'EXTENDED_COMMUNITIES differ';
  const agg = a.aggregator ? `${a.aggregator.asn} ${a.aggregator.address}` : undefined;
  if (agg !== r.aggregator) return `AGGREGATOR ${agg ?? 'absent'} ≠ ${r.aggregator ?? 'absent'}`;
  if ((a.atomicAggregate === true) !== r.atomicAggregate) return `ATOMIC_AGGREGATE ${a.atomicAggregate === true}`;
  const unknown = (a.unknown ?? [])
    .map((x) => {
      if ((x.flags & 0x20) === 0) return `${x.type}:partial-missing`;
      return `${x.type}:${Buffer.from(x.value).toString('hex')}`;
    })
    .sort();
  if (JSON.stringify(unknown) !== JSON.stringify(r.unknown))
    return `unknown attributes ${unknown.join(',')} ≠ ${r.unknown.join(',')}`;
  const nh = a.nextHop;
  if (nh === undefined) return 'no NEXT_HOP';
  return undefined;
}

export { RS_ASN, type OutcomeClass, type ReceivedMessage };

/**
 * A seeded source for fast-check's `Random` (xoshiro128**, Blackman & Vigna): every run of a
 * seed sends the same inputs in the same order per fuzzer.
 */
export function seededRandom(seed: number): fc.Random {
  class Xoshiro {
    constructor(private readonly s: number[]) {}
    clone(): Xoshiro {
      return new Xoshiro([...this.s]);
    }
    getState(): readonly number[] {
      return this.s;
    }
    next(): number {
      const s = this.s;
      const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9);
      const t = s[1]! << 9;
      s[2]! ^= s[0]!;
      s[3]! ^= s[1]!;
      s[1]! ^= s[2]!;
      s[0]! ^= s[3]!;
      s[2]! ^= t;
      s[3] = rotl(s[3]!, 11);
      return r | 0;
    }
  }
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  // splitmix32 spreads the seed over the four words.
  let z = seed | 0;
  const words = Array.from({ length: 4 }, () => {
    z = (z + 0x9e3779b9) | 0;
    let x = z;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) | 0;
  });
  return new fc.Random(new Xoshiro(words));
}
