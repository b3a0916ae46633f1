// Oracle test: messages we encode are decoded by other implementations, and what they read
// must be what we meant. ExaBGP's `--decode` reads UPDATEs (it ignores OPEN, and its
// NOTIFICATION path is off by one octet in 4.2); tshark's BGP dissector reads the others
// and must find nothing malformed in any of our messages (test-peers.md, "Oracles").
// Only their output is used here; no code of theirs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessage } from './messages/message.js';
import { formatPrefix, parseIpv4, parsePrefix, type Prefix } from './prefix.js';
import { CONTEXT_2OCTET, CONTEXT_4OCTET, type BgpMessage, type CodecContext, type UpdateMessage } from './types.js';
import { fromHex, hex } from './testkit.js';

const TIMEOUT_MS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'arslab-wire-oracle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function installed(cmd: string, arg: string): boolean {
  return spawnSync(cmd, [arg], { stdio: 'ignore', timeout: TIMEOUT_MS }).status === 0;
}
const haveExabgp = installed('exabgp', '--version');
const haveTshark = installed('tshark', '--version') && installed('text2pcap', '--version');

/** Runs a command with a deadline; the child is killed (SIGKILL) when it passes. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, ...env }, timeout: TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

const p = (s: string): Prefix => parsePrefix(s)!;
const ip = (s: string): number => parseIpv4(s)!;

const IPV4_ANNOUNCE: UpdateMessage = {
  type: 'UPDATE',
  withdrawn: [],
  nlri: [p('10.1.0.0/16'), p('192.0.2.128/25')],
  attributes: {
    origin: 0,
    asPath: [
      { type: 2, asns: [65001, 4200000001] },
      { type: 1, asns: [64512, 64513] },
    ],
    nextHop: ip('198.51.100.7'),
    med: 20,
    localPref: 150,
    atomicAggregate: true,
    aggregator: { asn: 4200000002, address: ip('10.0.0.9') },
    communities: [(65001 * 65536 + 7) >>> 0, 0xffffff01],
    extendedCommunities: [0x0002fde900000064n, 0x0102c0000201000an],
    largeCommunities: [{ globalAdmin: 4200000001, localData1: 1, localData2: 2 }],
  },
};
const IPV6_ANNOUNCE: UpdateMessage = {
  type: 'UPDATE',
  withdrawn: [],
  nlri: [],
  attributes: {
    origin: 2,
    asPath: [{ type: 2, asns: [65515] }],
    mpReach: {
      afi: 2,
      safi: 1,
      nextHop: fromHex('20010db8000000000000000000000001'),
      nlri: [p('2001:db8:1::/48'), p('2001:db8:2::1/128')],
    },
  },
};
const IPV6_WITHDRAW: UpdateMessage = {
  type: 'UPDATE',
  withdrawn: [],
  nlri: [],
  attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: [p('2001:db8:3::/48')] } },
};
// Not 0.0.0.0/0 here: tshark 4.0 guesses ADD-PATH on some withdrawn fields (a heuristic of its own).
const IPV4_WITHDRAW: UpdateMessage = {
  type: 'UPDATE',
  withdrawn: [p('10.9.0.0/16'), p('192.0.2.0/24')],
  nlri: [],
  attributes: {},
};
const UPDATES = [IPV4_ANNOUNCE, IPV6_ANNOUNCE, IPV6_WITHDRAW, IPV4_WITHDRAW];

const OPEN: BgpMessage = {
  type: 'OPEN',
  version: 4,
  myAs: 23456,
  holdTime: 90,
  bgpId: ip('10.1.0.4'),
  capabilities: [
    { kind: 'multiprotocol', afi: 1, safi: 1 },
    { kind: 'multiprotocol', afi: 2, safi: 1 },
    { kind: 'route-refresh' },
    { kind: 'enhanced-route-refresh' },
    { kind: 'four-octet-as', asn: 4200000001 },
    { kind: 'graceful-restart', restartFlags: 8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
    { kind: 'add-path', families: [{ afi: 1, safi: 1, sendReceive: 1 }] },
    { kind: 'fqdn', hostname: 'rs1', domain: 'arslab.test' },
    { kind: 'unknown', code: 128, value: new Uint8Array(0) },
  ],
  otherParameters: [],
};
const NOTIFICATION: BgpMessage = {
  type: 'NOTIFICATION',
  code: 6,
  subcode: 2,
  data: Uint8Array.from([4, 0x62, 0x79, 0x65, 0x21]),
}; // RFC 8203 "bye!"
const ROUTE_REFRESH: BgpMessage = { type: 'ROUTE-REFRESH', afi: 2, subtype: 0, safi: 1 };

// ---------------------------------------------------------------------------- ExaBGP

interface ExaUpdate {
  attribute?: Record<string, unknown>;
  announce?: Record<string, Record<string, { nlri: string }[]>>;
  withdraw?: Record<string, { nlri: string }[]>;
}

async function exabgpDecode(messages: Uint8Array[], ctx: CodecContext): Promise<ExaUpdate[]> {
  const conf = join(dir, ctx.fourOctetAs ? 'exabgp4.conf' : 'exabgp2.conf');
  writeFileSync(
    conf,
    [
      'neighbor 127.0.0.1 {',
      '  router-id 10.0.0.1; local-address 127.0.0.2; local-as 65001; peer-as 65002;',
      ctx.fourOctetAs ? '' : '  capability { asn4 disable; }',
      '  family { ipv4 unicast; ipv6 unicast; }',
      '}',
      '',
    ].join('\n'),
  );
  // ExaBGP reads several messages from one --decode argument, in order.
  const out = await run('exabgp', [conf, '--decode', messages.map(hex).join('')], {
    'exabgp.log.destination': 'stdout',
    'exabgp.api.cli': 'false',
  });
  const lines = out.split('\n').filter((l) => l.includes('update json '));
  return lines.map(
    (l) =>
      (JSON.parse(l.slice(l.indexOf('update json ') + 12)) as { neighbor: { message: { update: ExaUpdate } } }).neighbor
        .message.update,
  );
}

const names = (list: readonly Prefix[]): string[] => list.map(formatPrefix);

for (const ctx of [CONTEXT_4OCTET, CONTEXT_2OCTET]) {
  test(`oracle: ExaBGP reads our UPDATEs (${ctx.fourOctetAs ? '4' : '2'}-octet AS)`, {
    skip: haveExabgp ? false : 'exabgp is not installed',
  }, async () => {
    const got = await exabgpDecode(
      UPDATES.map((u) => encodeMessage(u, ctx)),
      ctx,
    );
    assert.equal(got.length, UPDATES.length, 'one decoded UPDATE per message');
    const [v4, v6, v6w, v4w] = got as [ExaUpdate, ExaUpdate, ExaUpdate, ExaUpdate];

    const a = v4.attribute!;
    assert.equal(a['origin'], 'igp');
    assert.deepEqual(a['as-path'], [65001, 4200000001]); // the AS_SEQUENCE, rebuilt from AS4_PATH over 2 octets
    assert.deepEqual(a['as-set'], [64512, 64513]);
    assert.equal(a['med'], 20);
    assert.equal(a['local-preference'], 150);
    assert.equal(a['atomic-aggregate'], true);
    if (ctx.fourOctetAs) assert.equal(a['aggregator'], '4200000002:10.0.0.9'); // ExaBGP 4.2 misreads AS4_AGGREGATOR
    assert.deepEqual(a['community'], [
      [65001, 7],
      [65535, 65281],
    ]);
    assert.deepEqual(
      (a['extended-community'] as { string: string }[]).map((e) => e.string),
      ['target:65001:100', 'target:192.0.2.1:10'],
    );
    assert.deepEqual(a['large-community'], [[4200000001, 1, 2]]);
    assert.deepEqual(
      v4.announce!['ipv4 unicast']!['198.51.100.7']!.map((n) => n.nlri),
      names(IPV4_ANNOUNCE.nlri),
    );

    assert.equal(v6.attribute!['origin'], 'incomplete');
    assert.deepEqual(v6.attribute!['as-path'], [65515]);
    assert.deepEqual(
      v6.announce!['ipv6 unicast']!['2001:db8::1']!.map((n) => n.nlri),
      ['2001:db8:1::/48', '2001:db8:2::1/128'],
    );
    assert.deepEqual(
      v6w.withdraw!['ipv6 unicast']!.map((n) => n.nlri),
      ['2001:db8:3::/48'],
    );
    assert.deepEqual(
      v4w.withdraw!['ipv4 unicast']!.map((n) => n.nlri),
      names(IPV4_WITHDRAW.withdrawn),
    );
  });
}

// ---------------------------------------------------------------------------- tshark

/** One pcap frame per message, TCP 40000 → 179 (text2pcap's hex-dump input: offset 000000 starts a packet). */
async function pcap(name: string, messages: Uint8Array[]): Promise<string> {
  const text = join(dir, `${name}.txt`);
  const file = join(dir, `${name}.pcap`);
  writeFileSync(text, messages.map((m) => `000000 ${hex(m).replace(/(..)/g, '$1 ')}\n`).join(''));
  await run('text2pcap', ['-q', '-T', '40000,179', text, file]);
  return file;
}

const FIELDS = [
  'bgp.type',
  'bgp.open.myas',
  'bgp.open.holdtime',
  'bgp.open.identifier',
  'bgp.cap.type',
  'bgp.cap.mp.afi',
  'bgp.cap.4as',
  'bgp.cap.gr.timers.restart_time',
  'bgp.cap.ap.sendreceive',
  'bgp.cap.orf.fqdn.hostname',
  'bgp.cap.orf.fqdn.domain_name',
  'bgp.notify.major_error',
  'bgp.notify.minor_error_cease',
  'bgp.notify.communication',
  'bgp.route_refresh.afi',
  'bgp.route_refresh.subtype',
  'bgp.route_refresh.safi',
  'bgp.update.path_attribute.as_path_segment.as4',
  'bgp.update.path_attribute.as_path_segment.as2',
  'bgp.nlri_prefix',
  'bgp.mp_reach_nlri_ipv6_prefix',
  'bgp.mp_unreach_nlri_ipv6_prefix',
  'bgp.withdrawn_prefix',
  'bgp.prefix_length',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

async function tshark(file: string, asnLen: 2 | 4): Promise<Row[]> {
  const args = [
    '-n',
    '-o',
    `bgp.asn_len:${asnLen}`,
    '-r',
    file,
    '-T',
    'fields',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
    '-E',
    'separator=|',
  ];
  for (const f of FIELDS) args.push('-e', f);
  const out = await run('tshark', args);
  return out
    .trimEnd()
    .split('\n')
    .map((line) => {
      const cols = line.split('|');
      return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ?? ''])) as Row;
    });
}

async function expertWarnings(file: string, asnLen: 2 | 4): Promise<string> {
  return (
    await run('tshark', [
      '-n',
      '-o',
      `bgp.asn_len:${asnLen}`,
      '-r',
      file,
      '-Y',
      '_ws.malformed || _ws.expert.severity >= warning',
    ])
  ).trim();
}

test('oracle: tshark reads our OPEN, NOTIFICATION, ROUTE-REFRESH, KEEPALIVE and UPDATEs without complaint', {
  skip: haveTshark ? false : 'tshark is not installed',
}, async () => {
  const messages = [OPEN, NOTIFICATION, ROUTE_REFRESH, { type: 'KEEPALIVE' } as const, ...UPDATES];
  const file = await pcap(
    'four',
    messages.map((m) => encodeMessage(m, CONTEXT_4OCTET)),
  );
  assert.equal(await expertWarnings(file, 4), '', 'tshark flags nothing as malformed');
  const [open, notification, refresh, keepalive, v4, v6, v6w, v4w] = (await tshark(file, 4)) as [
    Row,
    Row,
    Row,
    Row,
    Row,
    Row,
    Row,
    Row,
  ];

  assert.deepEqual(
    [open['bgp.type'], open['bgp.open.myas'], open['bgp.open.holdtime'], open['bgp.open.identifier']],
    ['1', '23456', '90', '10.1.0.4'],
  );
  assert.equal(open['bgp.cap.type'], '1,1,2,70,65,64,69,73,128');
  assert.equal(open['bgp.cap.mp.afi'], '1,2');
  assert.equal(open['bgp.cap.4as'], '4200000001');
  assert.equal(open['bgp.cap.gr.timers.restart_time'], '120');
  assert.equal(open['bgp.cap.ap.sendreceive'], '1');
  assert.deepEqual([open['bgp.cap.orf.fqdn.hostname'], open['bgp.cap.orf.fqdn.domain_name']], ['rs1', 'arslab.test']);

  assert.deepEqual(
    [
      notification['bgp.type'],
      notification['bgp.notify.major_error'],
      notification['bgp.notify.minor_error_cease'],
      notification['bgp.notify.communication'],
    ],
    ['3', '6', '2', 'bye!'],
  );
  assert.deepEqual(
    [
      refresh['bgp.type'],
      refresh['bgp.route_refresh.afi'],
      refresh['bgp.route_refresh.subtype'],
      refresh['bgp.route_refresh.safi'],
    ],
    ['5', '2', '0', '1'],
  );
  assert.equal(keepalive['bgp.type'], '4');

  assert.equal(v4['bgp.update.path_attribute.as_path_segment.as4'], '65001,4200000001,64512,64513');
  assert.equal(v4['bgp.nlri_prefix'], '10.1.0.0,192.0.2.128');
  assert.equal(v4['bgp.prefix_length'], '16,25');
  assert.equal(v6['bgp.mp_reach_nlri_ipv6_prefix'], '2001:db8:1::,2001:db8:2::1');
  assert.equal(v6['bgp.prefix_length'], '48,128');
  assert.equal(v6w['bgp.mp_unreach_nlri_ipv6_prefix'], '2001:db8:3::');
  assert.equal(v4w['bgp.withdrawn_prefix'], '10.9.0.0,192.0.2.0');
});

test('oracle: tshark reads our UPDATEs toward a 2-octet peer (AS_TRANS in AS_PATH) without complaint', {
  skip: haveTshark ? false : 'tshark is not installed',
}, async () => {
  const file = await pcap(
    'two',
    UPDATES.map((m) => encodeMessage(m, CONTEXT_2OCTET)),
  );
  assert.equal(await expertWarnings(file, 2), '', 'tshark flags nothing as malformed');
  const [v4] = (await tshark(file, 2)) as [Row];
  assert.equal(v4['bgp.update.path_attribute.as_path_segment.as2'], '65001,23456,64512,64513');
  // tshark dissects AS4_PATH with 4-octet ASNs whatever the session uses.
  assert.equal(v4['bgp.update.path_attribute.as_path_segment.as4'], '65001,4200000001,64512,64513');
});
