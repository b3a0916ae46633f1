/**
 * @module test/helpers/tshark
 * Runs tshark (Wireshark 4.x) over pcap files written by tests: `checkPcapClean` reports
 * anything Wireshark would flag, `dissectBgp` gives the BGP messages as Wireshark decodes them.
 *
 * Wireshark decodes TCP port 179 as BGP by default. `PcapRecorder` writes 179 for the listening
 * endpoint, so nothing more is needed; for captures that keep another port (e.g. 1179), pass
 * `bgpPorts: [1179]` and the helpers add `-d tcp.port==1179,bgp`.
 *
 * Both helpers pin the preferences that matter (checksum validation on, TCP sequence analysis
 * and reassembly on, no name resolution), so a user's Wireshark profile cannot weaken the check.
 * tshark's stderr notices ("Running as user "root"...", profile/preferences messages) are not
 * problems; a non-zero exit status is.
 */
import { execFile } from 'node:child_process';

export interface TsharkOptions {
  /** TCP ports to decode as BGP besides 179. */
  readonly bgpPorts?: readonly number[];
  /** Milliseconds before tshark is killed; default 60 s. */
  readonly timeoutMs?: number;
  /** Lowest expert severity counted as a problem; default 'warning': tshark warns on malformed BGP. */
  readonly minSeverity?: 'note' | 'warning' | 'error';
}

export interface PcapCheck {
  /** Frames in the file. */
  readonly packets: number;
  /** BGP messages Wireshark decoded (several can share one segment; one can span several). */
  readonly bgpMessages: number;
  /** Human-readable findings; empty when the capture is clean. */
  readonly problems: string[];
}

const TSHARK = process.env['TSHARK'] ?? 'tshark';

/** stderr lines that say nothing about the capture. */
const BENIGN_STDERR = [
  /^Running as user .* This could be dangerous\.?$/,
  /^Running as user /,
  /This could be dangerous/,
  /profile/i,
  /preferences? file/i,
  /^\s*$/,
];

const SEVERITY: Record<string, number> = {
  comment: 0x00100000,
  chat: 0x00200000,
  note: 0x00400000,
  warning: 0x00600000,
  error: 0x00800000,
};
const SEVERITY_NAME = new Map(Object.entries(SEVERITY).map(([k, v]) => [v, k]));

const PINNED_PREFS = [
  '-n',
  '-o',
  'ip.check_checksum:TRUE',
  '-o',
  'tcp.check_checksum:TRUE',
  '-o',
  'tcp.analyze_sequence_numbers:TRUE',
  '-o',
  'tcp.desegment_tcp_streams:TRUE',
  '-o',
  'bgp.desegment:TRUE',
];

interface TsharkRun {
  readonly code: number | string | null;
  readonly stdout: string;
  /** stderr without the benign notices. */
  readonly stderr: string[];
  readonly timedOut: boolean;
}

function runTshark(args: readonly string[], timeoutMs: number): Promise<TsharkRun> {
  return new Promise((resolve, reject) => {
    execFile(
      TSHARK,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string | null }) | null;
        if (e && e.code === 'ENOENT') {
          reject(new Error(`tshark not found (${TSHARK}); install it with scripts/setup or apt-get install tshark`));
          return;
        }
        const lines = String(stderr)
          .split('\n')
          .filter((l) => !BENIGN_STDERR.some((re) => re.test(l)));
        resolve({
          code: e ? (e.code ?? null) : 0,
          stdout: String(stdout),
          stderr: lines,
          timedOut: Boolean(e?.killed),
        });
      },
    );
  });
}

function decodeAs(ports: readonly number[] | undefined): string[] {
  return (ports ?? []).flatMap((p) => ['-d', `tcp.port==${p},bgp`]);
}

function failure(what: string, run: TsharkRun, timeoutMs: number): string | undefined {
  if (run.timedOut) return `${what}: tshark timed out after ${timeoutMs} ms`;
  if (run.code !== 0) return `${what}: tshark exited with ${run.code}: ${run.stderr.join(' / ')}`;
  if (run.stderr.length > 0) return `${what}: tshark: ${run.stderr.join(' / ')}`;
  return undefined;
}

type JsonLayers = Record<string, unknown>;
interface JsonPacket {
  readonly _source: { readonly layers: JsonLayers };
}

function parseJson(text: string): JsonPacket[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return JSON.parse(trimmed) as JsonPacket[];
}

function asArray<T>(v: T | readonly T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

function strings(layers: JsonLayers, key: string): string[] {
  return asArray(layers[key] as string | string[] | undefined).map(String);
}

/**
 * Runs tshark twice over `file`: once with the display filter
 * `_ws.malformed || _ws.expert.severity >= warning` (every match is a problem), once listing
 * every frame to count packets and BGP messages and to check that each direction's TCP payload
 * is entirely made of complete BGP messages (a message cut short at the end of a stream is not
 * an expert finding in Wireshark, but it is a problem for us). Never rejects for capture
 * problems; rejects only when tshark cannot be run at all.
 */
export async function checkPcapClean(file: string, options: TsharkOptions = {}): Promise<PcapCheck> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const severity = options.minSeverity ?? 'warning';
  const filter = `_ws.malformed || _ws.expert.severity >= ${severity}`;
  const common = ['-r', file, ...PINNED_PREFS, ...decodeAs(options.bgpPorts)];

  const [expert, frames] = await Promise.all([
    runTshark(
      [
        ...common,
        '-Y',
        filter,
        '-T',
        'json',
        '-e',
        'frame.number',
        '-e',
        '_ws.expert.message',
        '-e',
        '_ws.expert.severity',
        '-e',
        '_ws.malformed',
      ],
      timeoutMs,
    ),
    runTshark(
      [
        ...common,
        '-T',
        'fields',
        '-E',
        'separator=\t',
        '-E',
        'occurrence=a',
        '-E',
        'aggregator=,',
        '-e',
        'frame.number',
        '-e',
        'tcp.stream',
        '-e',
        'tcp.srcport',
        '-e',
        'tcp.len',
        '-e',
        'bgp.length',
      ],
      timeoutMs,
    ),
  ]);

  const problems: string[] = [];
  const threshold = SEVERITY[severity]!;

  const expertFailure = failure('expert pass', expert, timeoutMs);
  if (expertFailure) problems.push(expertFailure);
  else {
    try {
      for (const pkt of parseJson(expert.stdout)) {
        const layers = pkt._source.layers;
        const frame = strings(layers, 'frame.number')[0] ?? '?';
        const messages = strings(layers, '_ws.expert.message');
        const severities = strings(layers, '_ws.expert.severity').map(Number);
        const found: string[] = [];
        messages.forEach((m, i) => {
          const s = severities[i] ?? 0;
          if (s >= threshold) found.push(`[${SEVERITY_NAME.get(s) ?? s}] ${m}`);
        });
        if (found.length === 0 && layers['_ws.malformed'] !== undefined) found.push('[error] malformed packet');
        if (found.length === 0) found.push('matched the problem filter');
        problems.push(`frame ${frame}: ${found.join('; ')}`);
      }
    } catch (err) {
      problems.push(`expert pass: unreadable tshark JSON: ${(err as Error).message}`);
    }
  }

  let packets = 0;
  let bgpMessages = 0;
  const frameFailure = failure('frame pass', frames, timeoutMs);
  if (frameFailure) problems.push(frameFailure);
  else {
    // Per direction of each TCP stream: payload bytes vs bytes of decoded BGP messages.
    const payload = new Map<string, number>();
    const bgp = new Map<string, number>();
    for (const line of frames.stdout.split('\n')) {
      if (line.trim() === '') continue;
      packets++;
      const [, stream = '', port = '', len = '', bgpLen = ''] = line.split('\t');
      if (stream === '') continue;
      const key = `stream ${stream} from port ${port}`;
      payload.set(key, (payload.get(key) ?? 0) + Number(len || 0));
      const lengths = bgpLen === '' ? [] : bgpLen.split(',').map(Number);
      bgpMessages += lengths.length;
      bgp.set(key, (bgp.get(key) ?? 0) + lengths.reduce((a, b) => a + b, 0));
    }
    for (const [key, bytes] of payload) {
      const decoded = bgp.get(key) ?? 0;
      if (bytes !== decoded) {
        problems.push(
          `${key}: ${bytes} payload bytes but ${decoded} bytes of complete BGP messages ` +
            (decoded === 0
              ? '(not decoded as BGP: port 179 missing? pass bgpPorts)'
              : '(incomplete or undecoded BGP data)'),
        );
      }
    }
  }
  return { packets, bgpMessages, problems };
}

// ---------------------------------------------------------------------------
// Dissection

export type BgpTypeName = 'OPEN' | 'UPDATE' | 'NOTIFICATION' | 'KEEPALIVE' | 'ROUTE-REFRESH' | `TYPE-${number}`;

export interface DissectedBgp {
  /** Frame where Wireshark decoded the message (the last segment, if it spans several). */
  readonly frame: number;
  readonly src: { readonly address: string; readonly port: number };
  readonly dst: { readonly address: string; readonly port: number };
  readonly type: number;
  readonly typeName: BgpTypeName;
  readonly length: number;
  readonly open?: {
    readonly version: number;
    readonly myAs: number;
    readonly holdTime: number;
    readonly identifier: string;
    /** Capability codes in order. */
    readonly capabilities: number[];
    /** From the 4-octet AS capability, if present. */
    readonly as4?: number;
  };
  readonly update?: {
    /** IPv4 withdrawn routes, then MP_UNREACH_NLRI prefixes, as "a.b.c.d/n" / "x::/n". */
    readonly withdrawn: string[];
    /** IPv4 NLRI, then MP_REACH_NLRI prefixes. */
    readonly nlri: string[];
    readonly origin?: number;
    /** AS numbers of all segments, in order. */
    readonly asPath: number[];
    /** NEXT_HOP, or the MP_REACH_NLRI next hop. */
    readonly nextHop?: string;
    /** "asn:value" (well-known ones too, e.g. NO_EXPORT = "65535:65281", after the others). */
    readonly communities: string[];
    /** Attribute type codes in order. */
    readonly attributeTypes: number[];
  };
  readonly notification?: { readonly code: number; readonly subcode?: number };
}

const TYPE_NAMES: Record<number, BgpTypeName> = {
  1: 'OPEN',
  2: 'UPDATE',
  3: 'NOTIFICATION',
  4: 'KEEPALIVE',
  5: 'ROUTE-REFRESH',
};

type Tree = Record<string, unknown>;

function field(tree: Tree, key: string): string | undefined {
  const v = tree[key];
  if (v === undefined) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
}

function num(tree: Tree, key: string): number | undefined {
  const v = field(tree, key);
  return v === undefined ? undefined : Number(v);
}

function trees(v: unknown): Tree[] {
  return asArray(v as Tree | Tree[] | undefined).filter((t): t is Tree => typeof t === 'object' && t !== null);
}

/** Keys of a prefix-list subtree that look like prefixes ("10.1.0.0/16", "fd00::/48"). */
function prefixKeys(v: unknown): string[] {
  return trees(v).flatMap((t) => Object.keys(t).filter((k) => /^[0-9a-fA-F.:]+\/\d+$/.test(k)));
}

const ATTR = 'bgp.update.path_attribute';

function decodeUpdate(bgp: Tree): NonNullable<DissectedBgp['update']> {
  const withdrawn = prefixKeys(bgp['bgp.update.withdrawn_routes']);
  const nlri = prefixKeys(bgp['bgp.update.nlri']);
  const attrs = trees(bgp['bgp.update.path_attributes']).flatMap((t) => trees(t[ATTR]));
  let origin: number | undefined;
  let nextHop: string | undefined;
  const asPath: number[] = [];
  const communities: string[] = [];
  const attributeTypes: number[] = [];
  for (const a of attrs) {
    const code = num(a, `${ATTR}.type_code`) ?? -1;
    attributeTypes.push(code);
    switch (code) {
      case 1:
        origin = num(a, `${ATTR}.origin`);
        break;
      case 2:
        for (const seg of trees(a[`${ATTR}.as_path_segment`])) {
          for (const k of [`${ATTR}.as_path_segment.as4`, `${ATTR}.as_path_segment.as2`]) {
            asPath.push(...asArray(seg[k] as string | string[] | undefined).map(Number));
          }
        }
        break;
      case 3:
        nextHop = field(a, `${ATTR}.next_hop`);
        break;
      case 8:
        for (const list of trees(a[`${ATTR}.communities`])) {
          for (const c of trees(list[`${ATTR}.community`])) {
            communities.push(`${field(c, `${ATTR}.community_as`)}:${field(c, `${ATTR}.community_value`)}`);
          }
          // Well-known communities (e.g. NO_EXPORT) come as one hex value, listed after the others.
          for (const wk of asArray(list[`${ATTR}.community_wellknown`] as string | string[] | undefined)) {
            const v = Number(wk);
            communities.push(`${Math.floor(v / 65536)}:${v & 0xffff}`);
          }
        }
        break;
      case 14: {
        nlri.push(...prefixKeys(a[`${ATTR}.mp_reach_nlri`]));
        for (const nh of trees(a[`${ATTR}.mp_reach_nlri.next_hop_tree`])) {
          nextHop ??=
            field(nh, `${ATTR}.mp_reach_nlri.next_hop.ipv6`) ?? field(nh, `${ATTR}.mp_reach_nlri.next_hop.ipv4`);
        }
        break;
      }
      case 15:
        withdrawn.push(...prefixKeys(a[`${ATTR}.mp_unreach_nlri`]));
        break;
    }
  }
  const update: NonNullable<DissectedBgp['update']> = { withdrawn, nlri, asPath, communities, attributeTypes };
  return {
    ...update,
    ...(origin !== undefined ? { origin } : {}),
    ...(nextHop !== undefined ? { nextHop } : {}),
  };
}

function decodeOpen(bgp: Tree): NonNullable<DissectedBgp['open']> {
  const capabilities: number[] = [];
  let as4: number | undefined;
  for (const opt of trees(bgp['bgp.open.opt'])) {
    for (const param of trees(opt['bgp.open.opt.param'])) {
      for (const cap of trees(param['bgp.cap'])) {
        const code = num(cap, 'bgp.cap.type');
        if (code !== undefined) capabilities.push(code);
        if (code === 65) as4 = num(cap, 'bgp.cap.4as');
      }
    }
  }
  return {
    version: num(bgp, 'bgp.open.version') ?? 0,
    myAs: num(bgp, 'bgp.open.myas') ?? 0,
    holdTime: num(bgp, 'bgp.open.holdtime') ?? 0,
    identifier: field(bgp, 'bgp.open.identifier') ?? '',
    capabilities,
    ...(as4 !== undefined ? { as4 } : {}),
  };
}

/** Every BGP message in `file`, in capture order, with its main fields as Wireshark decodes them. */
export async function dissectBgp(file: string, options: TsharkOptions = {}): Promise<DissectedBgp[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const run = await runTshark(
    [
      '-r',
      file,
      ...PINNED_PREFS,
      ...decodeAs(options.bgpPorts),
      '-Y',
      'bgp',
      '-T',
      'json',
      '--no-duplicate-keys',
      '-J',
      'frame ip ipv6 tcp bgp',
    ],
    timeoutMs,
  );
  const err = failure('dissectBgp', run, timeoutMs);
  if (err) throw new Error(err);
  const out: DissectedBgp[] = [];
  for (const pkt of parseJson(run.stdout)) {
    const layers = pkt._source.layers as Tree;
    const frame = Number(field(trees(layers['frame'])[0] ?? {}, 'frame.number'));
    const ip = trees(layers['ip'])[0];
    const ip6 = trees(layers['ipv6'])[0];
    const tcp = trees(layers['tcp'])[0] ?? {};
    const src = (ip && field(ip, 'ip.src')) ?? (ip6 && field(ip6, 'ipv6.src')) ?? '';
    const dst = (ip && field(ip, 'ip.dst')) ?? (ip6 && field(ip6, 'ipv6.dst')) ?? '';
    const srcPort = num(tcp, 'tcp.srcport') ?? 0;
    const dstPort = num(tcp, 'tcp.dstport') ?? 0;
    for (const bgp of trees(layers['bgp'])) {
      const type = num(bgp, 'bgp.type') ?? 0;
      const base = {
        frame,
        src: { address: src, port: srcPort },
        dst: { address: dst, port: dstPort },
        type,
        typeName: TYPE_NAMES[type] ?? (`TYPE-${type}` as const),
        length: num(bgp, 'bgp.length') ?? 0,
      };
      if (type === 1) out.push({ ...base, open: decodeOpen(bgp) });
      else if (type === 2) out.push({ ...base, update: decodeUpdate(bgp) });
      else if (type === 3) {
        const code = num(bgp, 'bgp.notify.major_error') ?? 0;
        const subKey = Object.keys(bgp).find((k) => k.startsWith('bgp.notify.minor_error'));
        const subcode = subKey ? num(bgp, subKey) : undefined;
        out.push({ ...base, notification: { code, ...(subcode !== undefined ? { subcode } : {}) } });
      } else out.push(base);
    }
  }
  return out;
}
