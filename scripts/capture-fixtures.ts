/**
 * Captures real BGP messages sent by BIRD 2, FRR bgpd, GoBGP and ExaBGP, for the codec tests.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/capture-fixtures.js [--only bird,frr,gobgp,exabgp]
 *       [--out test/fixtures/wire/daemons] [--timeout 150] [--verbose]
 *
 * Needs root (BGP port 179 on 127.78.x.y) and the Debian packages bird2, frr, gobgpd, exabgp.
 *
 * Each daemon is started with the lab's drivers (src/lab/daemons) and peers with a tiny BGP
 * responder written here with hand-built bytes (AS 65515, listening on 127.78.0.1:179; it
 * deliberately does not use src/bgp/wire: these fixtures are the reference that codec is
 * tested against). The daemon is driven through a fixed series of steps (announce with
 * MED/communities/large/extended communities, AS-path prepend, IPv6 MP_REACH, MP_UNREACH,
 * IPv4 withdraw, inbound soft reset = ROUTE-REFRESH, shutdown = Cease NOTIFICATION), and every
 * message it sends is saved, one hex line per file, in
 *   <out>/<daemon>-<version>/<NN>-<type>-<what>.hex
 * with an index.json describing each file. KEEPALIVEs after the first are not saved.
 *
 * Bounded: every daemon has a maximum lifetime, the whole run a deadline after which all
 * daemons are killed and the script exits non-zero.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, type DaemonHandle, type DaemonKind } from '../src/lab/daemons/index.js';
import { FRR_BGPD } from '../src/lab/daemons/frr/index.js';
import { runCommand, sleep } from '../src/lab/daemons/process.js';
import { canonicalIpv6 } from '../src/lab/daemons/common.js';

// ---------------------------------------------------------------------------------------------
// Hand-built messages of the responder

const RESPONDER_ADDRESS = '127.78.0.1';
const RESPONDER_AS = 65515;
const MARKER = 'ff'.repeat(16);

/** Joins commented hex fragments ("ff eb  # my AS") into bytes. */
const hex = (...parts: string[]): Buffer =>
  Buffer.from(
    parts
      .join('')
      .replace(/#[^\n]*/g, '')
      .replace(/\s+/g, ''),
    'hex',
  );

/** Our OPEN: BGP-4, AS 65515, hold time 90 s, BGP ID 10.255.0.1, four capabilities. */
const OPEN = hex(
  MARKER,
  '0039', // length 57 = 19 header + 10 fixed OPEN fields + 28 optional parameters
  '01', // type 1: OPEN
  '04', // version 4
  'ffeb', // My Autonomous System 65515 (fits 2 octets; the 4-octet capability repeats it)
  '005a', // hold time 90 s: long enough that our 20 s keepalives never let it expire
  '0aff0001', // BGP identifier 10.255.0.1, different from every daemon's router id
  '1c', // optional parameters length 28, four parameters of type 2 (capabilities):
  '02 06  01 04  0001 00 01', //   multiprotocol (1): AFI 1 IPv4, reserved, SAFI 1 unicast
  '02 06  01 04  0002 00 01', //   multiprotocol (1): AFI 2 IPv6, reserved, SAFI 1 unicast
  '02 02  02 00', //                route refresh (2), RFC 2918, no value
  '02 06  41 04  0000ffeb', //      4-octet AS (65), RFC 6793: our AS 65515 on 4 octets
);

/** KEEPALIVE: the header alone. */
const KEEPALIVE = hex(MARKER, '0013', '04');

/** End-of-RIB IPv4 unicast (RFC 4724): an UPDATE with no withdrawn routes, no attributes, no NLRI. */
const EOR_IPV4 = hex(MARKER, '0017', '02', '0000', '0000');

/** End-of-RIB IPv6 unicast: an UPDATE whose only attribute is an empty MP_UNREACH_NLRI for AFI 2 / SAFI 1. */
const EOR_IPV6 = hex(
  MARKER,
  '001d', // length 29
  '02', // UPDATE
  '0000', // withdrawn routes length 0
  '0006', // total path attribute length 6
  '80 0f 03  0002 01', // flags optional, type 15 MP_UNREACH_NLRI, length 3: AFI 2, SAFI 1, no NLRI
);

// ---------------------------------------------------------------------------------------------
// Just enough decoding to name what the daemons send

const TYPE_NAMES: Record<number, string> = {
  1: 'open',
  2: 'update',
  3: 'notification',
  4: 'keepalive',
  5: 'route-refresh',
};
const CAPABILITY_NAMES: Record<number, string> = {
  1: 'multiprotocol',
  2: 'route-refresh',
  5: 'extended-next-hop',
  6: 'extended-message',
  9: 'bgp-role',
  64: 'graceful-restart',
  65: '4-octet-as',
  69: 'add-path',
  70: 'enhanced-route-refresh',
  71: 'long-lived-graceful-restart',
  73: 'fqdn',
  75: 'software-version',
  128: 'route-refresh-cisco',
};
const AFI: Record<number, string> = { 1: 'ipv4', 2: 'ipv6' };

interface OpenFacts {
  as: number;
  holdTime: number;
  bgpId: string;
  capabilities: { code: number; name: string; value: string }[];
  fourOctetAs?: number;
}

function decodeOpen(msg: Buffer): OpenFacts {
  const facts: OpenFacts = {
    as: msg.readUInt16BE(20),
    holdTime: msg.readUInt16BE(22),
    bgpId: [...msg.subarray(24, 28)].join('.'),
    capabilities: [],
  };
  const end = 29 + msg[28]!;
  for (let p = 29; p + 2 <= end; ) {
    const type = msg[p]!;
    const len = msg[p + 1]!;
    if (type === 2) {
      for (let c = p + 2; c + 2 <= p + 2 + len; ) {
        const code = msg[c]!;
        const clen = msg[c + 1]!;
        const value = msg.subarray(c + 2, c + 2 + clen);
        facts.capabilities.push({
          code,
          name: CAPABILITY_NAMES[code] ?? `capability-${code}`,
          value: value.toString('hex'),
        });
        if (code === 65 && clen === 4) facts.fourOctetAs = value.readUInt32BE(0);
        c += 2 + clen;
      }
    }
    p += 2 + len;
  }
  return facts;
}

/** Names an UPDATE that needs no context (End-of-RIB markers), else undefined. */
function updateKind(msg: Buffer): string | undefined {
  const wlen = msg.readUInt16BE(19);
  const alen = msg.readUInt16BE(21 + wlen);
  const nlriLen = msg.length - 23 - wlen - alen;
  if (wlen === 0 && alen === 0 && nlriLen === 0) return 'eor-ipv4';
  if (wlen === 0 && nlriLen === 0) {
    const attrs = msg.subarray(23, 23 + alen);
    const flags = attrs[0]!;
    const type = attrs[1]!;
    const len = flags & 0x10 ? attrs.readUInt16BE(2) : attrs[2]!;
    const hdr = flags & 0x10 ? 4 : 3;
    if (type === 15 && len === 3 && hdr + len === attrs.length) return `eor-${AFI[attrs.readUInt16BE(hdr)] ?? 'afi'}`;
  }
  return undefined;
}

/** The prefixes of an NLRI field (no ADD-PATH identifiers: the responder never offers ADD-PATH). */
function nlriPrefixes(buf: Buffer, afi: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < buf.length; ) {
    const bits = buf[i]!;
    const n = Math.ceil(bits / 8);
    const addr = Buffer.alloc(afi === 2 ? 16 : 4);
    buf.copy(addr, 0, i + 1, i + 1 + n);
    out.push(`${afi === 2 ? ipv6Text(addr) : [...addr].join('.')}/${bits}`);
    i += 1 + n;
  }
  return out;
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return canonicalIpv6(groups.join(':'));
}

const ATTR_NAMES: Record<number, string> = {
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
  14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI',
  16: 'EXTENDED_COMMUNITIES',
  17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR',
  32: 'LARGE_COMMUNITY',
};

function asPathText(v: Buffer, asnSize: number): string {
  const parts: string[] = [];
  for (let i = 0; i + 2 <= v.length; ) {
    const type = v[i]!;
    const count = v[i + 1]!;
    const asns: number[] = [];
    for (let k = 0; k < count; k++) {
      const at = i + 2 + k * asnSize;
      asns.push(asnSize === 4 ? v.readUInt32BE(at) : v.readUInt16BE(at));
    }
    parts.push(type === 1 ? `{${asns.join(' ')}}` : asns.join(' '));
    i += 2 + count * asnSize;
  }
  return parts.join(' ');
}

/** A one-line account of an UPDATE's contents, for index.json (what is in the file, not what was asked). */
function summarizeUpdate(msg: Buffer, fourOctetAs: boolean): string {
  const wlen = msg.readUInt16BE(19);
  const withdrawn = nlriPrefixes(msg.subarray(21, 21 + wlen), 1);
  const alen = msg.readUInt16BE(21 + wlen);
  const attrs = msg.subarray(23 + wlen, 23 + wlen + alen);
  const nlri = nlriPrefixes(msg.subarray(23 + wlen + alen), 1);
  const out: string[] = [];
  if (withdrawn.length) out.push(`withdrawn ${withdrawn.join(' ')}`);
  const shown: string[] = [];
  for (let i = 0; i < attrs.length; ) {
    const flags = attrs[i]!;
    const type = attrs[i + 1]!;
    const ext = (flags & 0x10) !== 0;
    const len = ext ? attrs.readUInt16BE(i + 2) : attrs[i + 2]!;
    const v = attrs.subarray(i + (ext ? 4 : 3), i + (ext ? 4 : 3) + len);
    const name = ATTR_NAMES[type] ?? `attribute-${type}`;
    switch (type) {
      case 1:
        shown.push(`${name} ${['IGP', 'EGP', 'INCOMPLETE'][v[0]!] ?? v[0]}`);
        break;
      case 2:
        shown.push(`${name} [${asPathText(v, fourOctetAs ? 4 : 2)}]`);
        break;
      case 17:
        shown.push(`${name} [${asPathText(v, 4)}]`);
        break;
      case 3:
        shown.push(`${name} ${[...v].join('.')}`);
        break;
      case 4:
      case 5:
        shown.push(`${name} ${v.readUInt32BE(0)}`);
        break;
      case 8: {
        const cs: string[] = [];
        for (let k = 0; k + 4 <= v.length; k += 4) cs.push(`${v.readUInt16BE(k)}:${v.readUInt16BE(k + 2)}`);
        shown.push(`${name} ${cs.join(' ')}`);
        break;
      }
      case 32: {
        const cs: string[] = [];
        for (let k = 0; k + 12 <= v.length; k += 12)
          cs.push(`${v.readUInt32BE(k)}:${v.readUInt32BE(k + 4)}:${v.readUInt32BE(k + 8)}`);
        shown.push(`${name} ${cs.join(' ')}`);
        break;
      }
      case 16: {
        const cs: string[] = [];
        for (let k = 0; k + 8 <= v.length; k += 8) cs.push(v.subarray(k, k + 8).toString('hex'));
        shown.push(`${name} ${cs.join(' ')}`);
        break;
      }
      case 14: {
        const afi = v.readUInt16BE(0);
        const nhLen = v[3]!;
        const nh = v.subarray(4, 4 + nhLen);
        const nhs =
          afi === 2
            ? [0, 16].filter((o) => o + 16 <= nh.length).map((o) => ipv6Text(nh.subarray(o, o + 16)))
            : [[...nh.subarray(0, 4)].join('.')];
        shown.push(
          `${name} ${AFI[afi] ?? afi} next hop ${nhs.join(' ')} NLRI ${nlriPrefixes(v.subarray(5 + nhLen), afi).join(' ')}`,
        );
        break;
      }
      case 15: {
        const afi = v.readUInt16BE(0);
        shown.push(`${name} ${AFI[afi] ?? afi} ${nlriPrefixes(v.subarray(3), afi).join(' ') || '(empty)'}`);
        break;
      }
      default:
        shown.push(`${name} (${len} bytes)`);
    }
    i += (ext ? 4 : 3) + len;
  }
  if (shown.length) out.push(`attributes ${shown.join(', ')}`);
  if (nlri.length) out.push(`NLRI ${nlri.join(' ')}`);
  return out.join('; ') || 'empty';
}

const CEASE_SUBCODES: Record<number, string> = {
  1: 'max-prefixes',
  2: 'admin-shutdown',
  3: 'peer-deconfigured',
  4: 'admin-reset',
  5: 'connection-rejected',
  6: 'other-config-change',
  7: 'collision',
  8: 'out-of-resources',
  9: 'hard-reset',
};

function notificationKind(msg: Buffer): string {
  const code = msg[19]!;
  const sub = msg[20]!;
  if (code === 6) return `cease-${CEASE_SUBCODES[sub] ?? sub}`;
  return `code${code}-subcode${sub}`;
}

// ---------------------------------------------------------------------------------------------
// Responder

interface Captured {
  bytes: Buffer;
  type: number;
  step: string;
  description: string;
  session: string;
  /** 1 for the first TCP connection of the session, 2 for the next... */
  connection: number;
}

/** One daemon's side of the responder: records what it sends, answers like a quiet peer. */
class Recorder {
  readonly messages: Captured[] = [];
  step = 'session';
  description = 'session establishment';
  session = 'default';
  socket: Socket | undefined;
  established = false;
  closed = false;
  open: OpenFacts | undefined;
  private keepaliveSaved = false;
  private connections = 0;
  private lastMessageAt = 0;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  readonly problems: string[] = [];

  constructor(
    readonly label: string,
    private readonly verbose: boolean,
  ) {}

  /** Set once the session should not come back (after a teardown the daemon reconnects). */
  refuse = false;

  attach(socket: Socket): void {
    if (this.refuse || (this.socket && !this.closed)) {
      // A second connection (collision): ours is established or starting; refuse the new one.
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.connections++;
    this.closed = false;
    this.established = false;
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 19) {
        const len = buf.readUInt16BE(16);
        if (buf.subarray(0, 16).toString('hex') !== MARKER || len < 19 || len > 4096) {
          this.problems.push(`bad framing from ${this.label}: ${buf.subarray(0, 19).toString('hex')}`);
          socket.destroy();
          return;
        }
        if (buf.length < len) break;
        this.onMessage(Buffer.from(buf.subarray(0, len)));
        buf = buf.subarray(len);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      this.established = false;
      clearInterval(this.keepaliveTimer);
    });
    socket.on('error', () => undefined);
    // The passive side sends its OPEN as soon as the connection is accepted (RFC 4271 8.2.2).
    socket.write(OPEN);
  }

  private onMessage(msg: Buffer): void {
    const type = msg[18]!;
    this.lastMessageAt = Date.now();
    if (this.verbose) console.log(`  <- ${this.label} ${TYPE_NAMES[type] ?? type} ${msg.length} bytes (${this.step})`);
    if (type === 1) {
      this.open = decodeOpen(msg);
      this.socket!.write(KEEPALIVE);
    } else if (type === 4) {
      if (!this.established) {
        // OpenConfirm -> Established: tell the daemon our (empty) tables are complete, so
        // that implementations waiting for the peer's End-of-RIB proceed.
        this.established = true;
        // Only for families both sides announced: an End-of-RIB for a family the daemon did
        // not negotiate is an error to it (ExaBGP resets the session).
        const mp = this.open?.capabilities.filter((c) => c.code === 1).map((c) => c.value) ?? [];
        const eors = [];
        if (mp.length === 0 || mp.includes('00010001')) eors.push(EOR_IPV4);
        if (mp.includes('00020001')) eors.push(EOR_IPV6);
        this.socket!.write(Buffer.concat(eors));
        this.keepaliveTimer = setInterval(() => this.socket?.write(KEEPALIVE), 20_000);
        this.keepaliveTimer.unref();
      }
      if (this.keepaliveSaved) return;
      this.keepaliveSaved = true;
    }
    this.messages.push({
      bytes: msg,
      type,
      step: this.step,
      description: this.description,
      session: this.session,
      connection: this.connections,
    });
  }

  /** Count of saved messages of `type` (any type when undefined). */
  count(type?: number): number {
    return this.messages.filter((m) => type === undefined || m.type === type).length;
  }

  /** Waits until `predicate` holds and nothing arrived for `quietMs`; false on timeout. */
  async settle(predicate: () => boolean, timeoutMs: number, quietMs = 500): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (predicate() && Date.now() - this.lastMessageAt >= quietMs) return true;
      await sleep(50);
    }
    return false;
  }
}

class Responder {
  private readonly server: Server;
  private readonly recorders = new Map<string, Recorder>();

  constructor(private readonly verbose: boolean) {
    this.server = createServer((socket) => {
      const remote = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      const rec = this.recorders.get(remote);
      if (!rec) {
        socket.destroy();
        return;
      }
      rec.attach(socket);
    });
  }

  listen(): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      this.server.once('error', reject);
      this.server.listen(179, RESPONDER_ADDRESS, () => resolvePromise());
    });
  }

  expect(address: string, label: string): Recorder {
    const rec = new Recorder(label, this.verbose);
    this.recorders.set(address, rec);
    return rec;
  }

  close(): void {
    for (const r of this.recorders.values()) r.socket?.destroy();
    this.server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// What each daemon is made to send

interface Step {
  name: string;
  description: string;
  run: (d: DaemonHandle) => Promise<unknown>;
  /** Message type expected from the daemon (2 UPDATE, 5 ROUTE-REFRESH...). */
  expect: number;
  /** The step ends the session: refuse the daemon's reconnection afterwards. */
  final?: boolean;
}

interface SessionPlan {
  session: string;
  kind: DaemonKind;
  address: string;
  asn: number;
  config: string;
  configExt: string;
  steps: Step[];
  notes?: string[];
}

interface DaemonPlan {
  kind: DaemonKind;
  /** Directory name prefix and version probe. */
  product: string;
  version: () => Promise<string>;
  sessions: SessionPlan[];
}

const NH4 = (n: number) => `198.51.100.${n}`;
const NH6 = (n: number) => `2001:db8::${n}`;

/** The common series of steps; `ext` sends a route with extended communities the daemon's own way. */
function commonSteps(
  asn: number,
  n: number,
  opts: {
    noAdvertise: boolean;
    ext: (d: DaemonHandle) => Promise<unknown>;
    extText: string;
    /** Makes the daemon send a ROUTE-REFRESH; undefined when it cannot. */
    refresh: ((d: DaemonHandle) => Promise<unknown>) | undefined;
  },
): Step[] {
  const communities = [`${asn}:1`, '65517:65517', ...(opts.noAdvertise ? ['no-advertise'] : [])];
  const large = [`${asn}:0:1`, `${asn}:4294967295:7`];
  return [
    {
      name: 'ipv4-med-communities-large',
      description:
        `UPDATE 198.18.${n}.0/24 next hop ${NH4(n)}, MED 10, communities ${communities.join(' ')}` +
        `${opts.noAdvertise ? ' (NO_ADVERTISE = 65535:65282)' : ''}, large communities ${large.join(' ')}`,
      run: (d) =>
        d.announce({ prefix: `198.18.${n}.0/24`, nextHop: NH4(n), med: 10, communities, largeCommunities: large }),
      expect: 2,
    },
    {
      name: 'ipv4-as-path-prepend',
      description: `UPDATE 198.20.${n}.0/24 next hop ${NH4(n)}, AS_PATH ${asn} ${asn} ${asn} (own AS + 2 prepends)`,
      run: (d) => d.announce({ prefix: `198.20.${n}.0/24`, nextHop: NH4(n), asPathPrepend: [asn, asn] }),
      expect: 2,
    },
    {
      name: 'ipv6-mp-reach',
      description: `UPDATE with MP_REACH_NLRI 2001:db8:${n}::/48 next hop ${NH6(n)}, community ${asn}:6`,
      run: (d) => d.announce({ prefix: `2001:db8:${n}::/48`, nextHop: NH6(n), communities: [`${asn}:6`] }),
      expect: 2,
    },
    {
      name: 'ipv6-mp-unreach',
      description: `UPDATE with MP_UNREACH_NLRI withdrawing 2001:db8:${n}::/48`,
      run: (d) => d.withdraw(`2001:db8:${n}::/48`),
      expect: 2,
    },
    {
      name: 'ipv4-withdraw',
      description: `UPDATE withdrawing 198.20.${n}.0/24 (withdrawn routes field)`,
      run: (d) => d.withdraw(`198.20.${n}.0/24`),
      expect: 2,
    },
    // Last of the route steps: BIRD's `configure` (every announce/withdraw) puts a protocol
    // enabled from birdc back to the `disabled` its configuration says, withdrawing its routes.
    {
      name: 'ipv4-extended-communities',
      description: `UPDATE 198.19.${n}.0/24 with extended communities ${opts.extText}`,
      run: opts.ext,
      expect: 2,
    },
    ...(opts.refresh
      ? [
          {
            name: 'route-refresh',
            description: 'ROUTE-REFRESH sent on an inbound soft reset',
            run: opts.refresh,
            expect: 5,
          },
        ]
      : []),
  ];
}

function plans(): DaemonPlan[] {
  const version = (argv: string[], re: RegExp) => async () => {
    const r = await runCommand(argv, { timeoutMs: 10_000 });
    const m = re.exec(`${r.stdout}\n${r.stderr}`);
    if (!m) throw new Error(`cannot read the version from ${argv.join(' ')}`);
    return m[1]!;
  };
  return [
    {
      kind: 'bird',
      product: 'bird',
      version: version(['bird', '--version'], /BIRD version (\S+)/),
      sessions: [
        {
          session: 'as4',
          kind: 'bird',
          address: '127.78.1.1',
          asn: 65001,
          configExt: 'conf',
          config: `
router id 10.78.1.1;
protocol device { }
protocol static extcomm {
  disabled;
  ipv4;
  route 198.19.1.0/24 blackhole { bgp_next_hop = ${NH4(1)}; bgp_ext_community.add((rt, 65001, 7)); bgp_ext_community.add((ro, 65001, 8)); };
}
filter to_rs {
  if proto ~ "arslab_*" || proto = "extcomm" then {
    # BIRD sends a MED to an eBGP peer only when an export filter sets it.
    if defined(bgp_med) then bgp_med = bgp_med;
    accept;
  }
  reject;
}
protocol bgp ars {
  local 127.78.1.1 as 65001;
  neighbor ${RESPONDER_ADDRESS} as ${RESPONDER_AS};
  strict bind yes;
  multihop;
  connect delay time 1;
  ipv4 { import all; export filter to_rs; next hop keep; };
  ipv6 { import all; export filter to_rs; next hop keep; };
}
`,
          steps: commonSteps(65001, 1, {
            noAdvertise: true,
            ext: (d) => d.command!('enable extcomm'),
            extText: '(rt, 65001, 7) (ro, 65001, 8)',
            refresh: (d) => d.command!('reload in ars'),
          }),
        },
      ],
    },
    {
      kind: 'frr',
      product: 'frr',
      version: version([FRR_BGPD, '--version'], /bgpd version (\S+)/),
      sessions: [
        {
          session: 'as4',
          kind: 'frr',
          address: '127.78.2.1',
          asn: 65002,
          configExt: 'conf',
          config: `
frr defaults traditional
router bgp 65002
 bgp router-id 10.78.2.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${RESPONDER_ADDRESS} remote-as ${RESPONDER_AS}
 neighbor ${RESPONDER_ADDRESS} update-source 127.78.2.1
 neighbor ${RESPONDER_ADDRESS} disable-connected-check
 neighbor ${RESPONDER_ADDRESS} timers connect 1
 address-family ipv4 unicast
  neighbor ${RESPONDER_ADDRESS} attribute-unchanged next-hop
 exit-address-family
 address-family ipv6 unicast
  neighbor ${RESPONDER_ADDRESS} activate
  neighbor ${RESPONDER_ADDRESS} attribute-unchanged next-hop
 exit-address-family
`,
          notes: ['FRR does not advertise a route carrying NO_ADVERTISE (RFC 1997), so its first UPDATE has none.'],
          steps: commonSteps(65002, 2, {
            noAdvertise: false,
            ext: (d) =>
              d.command!(
                [
                  'configure terminal',
                  'route-map CAPTURE-EXT permit 10',
                  `set ip next-hop ${NH4(2)}`,
                  'set extcommunity rt 65002:7 65002:8',
                  'exit',
                  'router bgp 65002',
                  'address-family ipv4 unicast',
                  'network 198.19.2.0/24 route-map CAPTURE-EXT',
                ].join('\n'),
              ),
            extText: 'RT:65002:7 RT:65002:8',
            refresh: (d) => d.command!(`clear bgp ipv4 unicast ${RESPONDER_ADDRESS} soft in`),
          }),
        },
      ],
    },
    {
      kind: 'gobgp',
      product: 'gobgp',
      version: version(['gobgpd', '--version'], /gobgpd version (\S+)/),
      sessions: [
        {
          session: 'as4',
          kind: 'gobgp',
          notes: [
            'No ROUTE-REFRESH: GoBGP 3.10 keeps every Adj-RIB-In, and `gobgp neighbor ADDR softresetin` re-runs the import policy on it without asking the peer.',
          ],
          address: '127.78.3.1',
          asn: 65003,
          configExt: 'toml',
          config: `
[global.config]
  as = 65003
  router-id = "10.78.3.1"
  port = 179
  local-address-list = ["127.78.3.1"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${RESPONDER_ADDRESS}"
    peer-as = ${RESPONDER_AS}
  [neighbors.timers.config]
    connect-retry = 1
  [neighbors.transport.config]
    local-address = "127.78.3.1"
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 64
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
`,
          steps: commonSteps(65003, 3, {
            noAdvertise: true,
            ext: (d) => d.command!(`global rib add -a ipv4 198.19.3.0/24 nexthop ${NH4(3)} origin igp rt 65003:7`),
            extText: 'route target 65003:7',
            refresh: undefined,
          }),
        },
      ],
    },
    {
      kind: 'exabgp',
      product: 'exabgp',
      version: version(['exabgp', '--version'], /ExaBGP : (\S+)/),
      sessions: [
        {
          session: 'as4',
          kind: 'exabgp',
          address: '127.78.4.1',
          asn: 65004,
          configExt: 'conf',
          config: `
neighbor ${RESPONDER_ADDRESS} {
    router-id 10.78.4.1;
    local-address 127.78.4.1;
    local-as 65004;
    peer-as ${RESPONDER_AS};
    family { ipv4 unicast; ipv6 unicast; }
    capability { route-refresh; graceful-restart 120; add-path send/receive; }
}
`,
          steps: commonSteps(65004, 4, {
            noAdvertise: true,
            ext: (d) =>
              d.command!(
                `announce route 198.19.4.0/24 next-hop ${NH4(4)} extended-community [ target:65004:7 origin:65004:8 ]`,
              ),
            extText: 'target:65004:7 origin:65004:8',
            refresh: (d) => d.command!('announce route-refresh ipv4 unicast'),
          }),
        },
        {
          session: 'as2',
          kind: 'exabgp',
          address: '127.78.5.1',
          asn: 65005,
          configExt: 'conf',
          config: `
neighbor ${RESPONDER_ADDRESS} {
    router-id 10.78.5.1;
    local-address 127.78.5.1;
    local-as 65005;
    peer-as ${RESPONDER_AS};
    family { ipv4 unicast; }
    capability { asn4 disable; }
}
`,
          notes: [
            'Session "as2": ExaBGP with `capability { asn4 disable; }`: no 4-octet AS capability, AS_PATH on 2 octets.',
            'ExaBGP 4.2 closes its sessions on SIGTERM without a NOTIFICATION, and so does `teardown` when graceful-restart was announced (session "as4"); the NOTIFICATION comes from `teardown` on session "as2".',
          ],
          steps: [
            {
              name: 'as2-ipv4-as-path',
              description: 'UPDATE 198.18.5.0/24, AS_PATH 65005 65005 65005 on 2 octets, community 65005:1',
              run: (d) =>
                d.announce({
                  prefix: '198.18.5.0/24',
                  nextHop: NH4(5),
                  asPathPrepend: [65005, 65005],
                  communities: ['65005:1'],
                }),
              expect: 2,
            },
            {
              name: 'as2-as4-path',
              description:
                'UPDATE 198.20.5.0/24 whose path holds a 4-octet AS (4200000001) on a 2-octet session: AS_TRANS 23456 in AS_PATH, AS4_PATH',
              run: (d) => d.command!(`announce route 198.20.5.0/24 next-hop ${NH4(5)} as-path [ 65005 4200000001 ]`),
              expect: 2,
            },
            {
              name: 'as2-ipv4-withdraw',
              description: 'UPDATE withdrawing 198.18.5.0/24',
              run: (d) => d.withdraw('198.18.5.0/24'),
              expect: 2,
            },
            {
              // Not on the "as4" session: with graceful-restart announced ExaBGP closes silently.
              name: 'as2-teardown',
              description:
                'NOTIFICATION sent on the API command `neighbor ADDR teardown 2` (ExaBGP 4.2 sends none on SIGTERM)',
              run: (d) => d.command!(`neighbor ${RESPONDER_ADDRESS} teardown 2`),
              expect: 3,
              final: true,
            },
          ],
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Run

interface IndexEntry {
  file: string;
  type: string;
  description: string;
  /** What the message holds, decoded by this script (UPDATE), or its raw body. */
  contents: string;
  connection: number;
  step: string;
  session: string;
  fourOctetAs: boolean;
  daemonAs: number;
  length: number;
}

async function captureSession(
  plan: SessionPlan,
  responder: Responder,
  work: string,
  handles: Set<DaemonHandle>,
  verbose: boolean,
): Promise<{ rec: Recorder; notes: string[] }> {
  const notes = [...(plan.notes ?? [])];
  const name = `${plan.kind}-${plan.session}`;
  const rec = responder.expect(plan.address, name);
  rec.session = plan.session;
  const configFile = join(work, `${name}.${plan.configExt}`);
  writeFileSync(configFile, plan.config);
  const d = await startDaemon(plan.kind, {
    name,
    workDir: join(work, name),
    configFile,
    listenAddress: plan.address,
    listenPort: 179,
    maxLifetimeSeconds: 120,
    log: verbose ? (l) => console.log(`  [${name}] ${l}`) : undefined,
  });
  handles.add(d);
  try {
    await d.ready();
    rec.step = 'session';
    rec.description = 'session establishment';
    if (!(await rec.settle(() => rec.established, 20_000, 1500)))
      throw new Error(`${name}: no session with the responder`);
    for (const step of plan.steps) {
      rec.step = step.name;
      rec.description = step.description;
      const before = rec.count(step.expect);
      try {
        await step.run(d);
      } catch (err) {
        notes.push(`step ${step.name}: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      if (step.final) rec.refuse = true;
      if (!(await rec.settle(() => rec.count(step.expect) > before, 8000))) {
        notes.push(`step ${step.name}: the daemon sent no ${TYPE_NAMES[step.expect]} within 8 s`);
      }
    }
    rec.step = 'shutdown';
    rec.description = 'NOTIFICATION sent when the daemon is stopped with SIGTERM';
    await d.stop({ graceMs: 5000 });
    await rec.settle(() => rec.closed, 5000, 200);
  } finally {
    await d.kill().catch(() => undefined);
    handles.delete(d);
  }
  notes.push(...rec.problems);
  return { rec, notes };
}

async function captureDaemon(
  plan: DaemonPlan,
  responder: Responder,
  out: string,
  work: string,
  handles: Set<DaemonHandle>,
  verbose: boolean,
): Promise<string> {
  const version = await plan.version();
  const dir = join(out, `${plan.product}-${version}`);
  const results = [];
  for (const s of plan.sessions)
    results.push({ plan: s, ...(await captureSession(s, responder, work, handles, verbose)) });

  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.hex') || f === 'index.json') rmSync(join(dir, f));
  const entries: IndexEntry[] = [];
  const sessions = [];
  let n = 0;
  for (const { plan: s, rec, notes } of results) {
    const fourOctetAs = rec.open?.fourOctetAs !== undefined; // we always offer it
    sessions.push({
      session: s.session,
      daemonAddress: s.address,
      daemonAs: s.asn,
      fourOctetAs,
      daemonOpen: rec.open ?? null,
      config: s.config.trim().split('\n'),
      notes,
    });
    for (const m of rec.messages) {
      const type = TYPE_NAMES[m.type] ?? `type${m.type}`;
      let what: string = m.step;
      let description = m.description;
      if (m.type === 1) {
        what = s.session === 'as2' ? 'as2' : 'capabilities';
        description = `OPEN: AS ${rec.open?.as}, hold time ${rec.open?.holdTime}, capabilities ${rec.open?.capabilities.map((c) => c.name).join(', ')}`;
      } else if (m.type === 4) {
        what = s.session === 'as2' ? 'as2' : 'first';
        description = 'KEEPALIVE (the first one; later ones are not saved)';
      } else if (m.type === 3) {
        what = notificationKind(m.bytes);
        description = `NOTIFICATION ${what} (${m.description})`;
      } else if (m.type === 5) {
        const afi = AFI[m.bytes.readUInt16BE(19)] ?? 'afi';
        what = `${afi}-unicast`;
        description = `ROUTE-REFRESH ${afi} unicast (${m.description})`;
      } else if (m.type === 2) {
        const kind = updateKind(m.bytes);
        if (kind) {
          what = kind;
          description = `End-of-RIB marker ${kind.slice(4)} unicast (RFC 4724)`;
        }
      }
      if (s.session === 'as2' && !what.startsWith('as2')) what = `as2-${what}`;
      const file = `${String(++n).padStart(2, '0')}-${type}-${what}.hex`;
      writeFileSync(join(dir, file), m.bytes.toString('hex') + '\n');
      const contents =
        m.type === 2 ? summarizeUpdate(m.bytes, fourOctetAs) : m.bytes.subarray(19).toString('hex') || '(no body)';
      entries.push({
        file,
        type: type.toUpperCase(),
        description,
        contents,
        connection: m.connection,
        step: m.step,
        session: s.session,
        fourOctetAs,
        daemonAs: s.asn,
        length: m.bytes.length,
      });
    }
  }
  const index = {
    daemon: plan.product,
    version,
    captured: new Date().toISOString().slice(0, 10),
    capturedBy: 'scripts/capture-fixtures.ts',
    format: 'one BGP message per .hex file, marker included, lower-case hex, one line',
    responder: {
      address: RESPONDER_ADDRESS,
      as: RESPONDER_AS,
      bgpId: '10.255.0.1',
      holdTime: 90,
      capabilities: ['multiprotocol ipv4 unicast', 'multiprotocol ipv6 unicast', 'route-refresh', '4-octet-as'],
    },
    sessions,
    messages: entries,
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  return `${dir}: ${entries.length} messages${results.some((r) => r.notes.length) ? `; notes: ${results.flatMap((r) => r.notes).join(' | ')}` : ''}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const out = resolve(opt('--out') ?? join(repo, 'test', 'fixtures', 'wire', 'daemons'));
  const only = opt('--only')?.split(',');
  const timeoutS = Number(opt('--timeout') ?? 150);
  const verbose = args.includes('--verbose');
  if (process.getuid?.() !== 0)
    throw new Error('run as root: the daemons and the responder use port 179 on 127.78.x.y');

  const handles = new Set<DaemonHandle>();
  const work = mkdtempSync(join(tmpdir(), 'arslab-cap-'));
  const responder = new Responder(verbose);
  const deadline = setTimeout(() => {
    console.error(`capture-fixtures: deadline of ${timeoutS}s reached: killing every daemon`);
    void Promise.allSettled([...handles].map((h) => h.kill())).then(() => process.exit(2));
  }, timeoutS * 1000);
  deadline.unref();
  try {
    await responder.listen();
    const selected = plans().filter((p) => !only || only.includes(p.kind));
    // One daemon after the other: no two sessions compete for the CPU while timing matters.
    for (const p of selected) {
      console.log(`capture-fixtures: ${p.kind}...`);
      console.log(`  ${await captureDaemon(p, responder, out, work, handles, verbose)}`);
    }
  } finally {
    await Promise.allSettled([...handles].map((h) => h.kill()));
    responder.close();
    rmSync(work, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}

main().catch((err: Error) => {
  console.error(`capture-fixtures: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
