/**
 * The agent config loader: every error names its field and its line (marked `# <-` in
 * the texts below), the MED warning cites R-ARS-7, and the examples in examples/agent load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  formatConfigError,
  loadAgentConfig,
  loadAgentConfigText,
  parseDuration,
  type ConfigError,
  type LoadConfigResult,
} from './config.js';

const FILE = 'agent.yaml';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const BASE = `asn: 65001
routerId: 10.10.0.7
localAddress: 10.10.0.7
neighbors:
  - { address: 10.10.1.4 }
  - { address: 10.10.1.5 }
vips:
  - prefix: 100.64.0.1/32
    pattern: watcher
    backends:
      - name: ws1
        nextHop: 10.10.0.4
        check: { type: http, url: http://10.10.0.4/ }
      - name: ws2
        nextHop: 10.10.0.5
        check: { type: tcp, address: 10.10.0.5:80 }
`;

/** The 1-based line of the line that contains `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker} not in the text`);
  return i + 1;
}

function expectError(text: string, field: string, message: RegExp): ConfigError {
  const r = loadAgentConfigText(text, FILE);
  assert.equal(r.ok, false, 'the config should not load');
  const errors = (r as Extract<LoadConfigResult, { ok: false }>).errors;
  const hit = errors.find((e) => e.field === field && message.test(e.message));
  assert.ok(hit, `no error at ${field} matching ${message}; got:\n${errors.map(formatConfigError).join('\n')}`);
  assert.equal(hit.line, lineOf(text, '# <-'), `line of ${formatConfigError(hit)}`);
  assert.equal(hit.file, FILE);
  assert.match(formatConfigError(hit), new RegExp(`^${FILE}:${hit.line}:\\d+: ${field.replace(/[.[\]]/g, '\\$&')}: `));
  return hit;
}

test('a valid watcher config loads with its defaults', () => {
  const r = loadAgentConfigText(BASE, FILE);
  assert.ok(r.ok, r.ok ? '' : r.errors.map(formatConfigError).join('\n'));
  const c = r.config;
  assert.deepEqual(c.neighbors[0], { address: '10.10.1.4', asn: 65515, port: 179, holdTime: 30, multihop: 64 });
  const v = c.vips[0]!;
  assert.equal(v.pattern, 'watcher');
  assert.equal(v.failback, true);
  assert.deepEqual(v.prefix, { afi: 1, addr: 0x64400001, len: 32 });
  const ck = v.backends[0]!.check;
  assert.equal(ck.type, 'http');
  assert.equal(ck.interval, 1000);
  assert.equal(ck.rise, 2);
  assert.equal(ck.fall, 2);
  assert.equal(ck.type === 'http' && ck.expectStatus, 200);
  assert.deepEqual(r.warnings, []);
});

test('durations: ms, s, m, decimals; anything else is not a duration', () => {
  assert.equal(parseDuration('200ms'), 200);
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2m'), 120_000);
  for (const bad of ['1', 's', '1 h', '-1s', '1sec', '']) assert.equal(parseDuration(bad), undefined, bad);
});

test('unknown key: the key, its line, and what it probably meant', () => {
  const text = BASE.replace('  - { address: 10.10.1.4 }', '  - { address: 10.10.1.4, holdtime: 9 } # <-');
  const e = expectError(
    text,
    'neighbors[0].holdtime',
    /unknown key 'holdtime' \(did you mean 'holdTime'\? keys are case-sensitive\)/,
  );
  assert.equal(e.column, 27);
});

test('bad address, prefix not canonical, bad duration, bad check type, each at its line', () => {
  expectError(
    BASE.replace('  - { address: 10.10.1.5 }', '  - { address: 10.10.1.500 } # <-'),
    'neighbors[1].address',
    /'10\.10\.1\.500' is not an IPv4 address/,
  );
  expectError(
    BASE.replace('  - prefix: 100.64.0.1/32', '  - prefix: 100.64.0.1/24 # <-'),
    'vips[0].prefix',
    /canonical form/,
  );
  expectError(
    BASE.replace(
      'check: { type: http, url: http://10.10.0.4/ }',
      'check: { type: http, url: http://10.10.0.4/, interval: 1 sec } # <-',
    ),
    'vips[0].backends[0].check.interval',
    /'1 sec' is not a duration/,
  );
  expectError(
    BASE.replace('check: { type: tcp, address', 'check: { type: tpc, address').replace(
      '10.10.0.5:80 }',
      '10.10.0.5:80 } # <-',
    ),
    'vips[0].backends[1].check.type',
    /'tpc' is not one of: http, tcp, command \(did you mean 'tcp'\?\)/,
  );
  expectError(
    BASE.replace('url: http://10.10.0.4/ }', 'url: ftp://10.10.0.4/ } # <-'),
    'vips[0].backends[0].check.url',
    /not an http:\/\/ or https:\/\/ URL/,
  );
  expectError(
    BASE.replace('address: 10.10.0.5:80 }', 'address: 10.10.0.5 } # <-'),
    'vips[0].backends[1].check.address',
    /is not host:port/,
  );
});

test('whole-file checks: duplicates, iBGP, prepend without a count, fastInterval above interval', () => {
  expectError(
    BASE.replace('  - { address: 10.10.1.5 }', '  - { address: 10.10.1.4 } # <-'),
    'neighbors[1].address',
    /listed twice/,
  );
  expectError(
    BASE.replace('  - { address: 10.10.1.5 }', '  - { address: 10.10.1.5, asn: 65001 } # <-'),
    'neighbors[1].asn',
    /iBGP/,
  );
  expectError(BASE.replace('      - name: ws2', '      - name: ws1 # <-'), 'vips[0].backends[1].name', /listed twice/);
  expectError(
    BASE.replace(
      'check: { type: http, url: http://10.10.0.4/ }',
      'check: { type: http, url: http://10.10.0.4/, interval: 1s, fastInterval: 2s } # <-',
    ),
    'vips[0].backends[0].check.fastInterval',
    /must not be longer than interval/,
  );
  const perBackend = `asn: 65001
routerId: 10.10.0.4
localAddress: 10.10.0.4
neighbors: [ { address: 10.10.1.4 }, { address: 10.10.1.5 } ]
vips:
  - prefix: 100.64.0.1/32
    pattern: per-backend
    backend: { name: ws1, nextHop: 10.10.0.4, check: { type: command, command: 'true' } }
    unhealthy: # <-
      action: prepend
`;
  expectError(perBackend, 'vips[0].unhealthy.prependCount', /needs prependCount/);
  const ok = loadAgentConfigText(perBackend.replace('action: prepend', 'action: prepend\n      prependCount: 3'), FILE);
  assert.ok(ok.ok);
  assert.deepEqual(ok.config.vips[0]!.unhealthy, { action: 'prepend', prependCount: 3 });
  assert.equal(ok.config.vips[0]!.backends.length, 1);
});

test('missing keys and YAML errors are reported, never thrown', () => {
  const r = loadAgentConfigText('asn: 65001\n', FILE);
  assert.equal(r.ok, false);
  const fields = (r as Extract<LoadConfigResult, { ok: false }>).errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['localAddress', 'neighbors', 'routerId', 'vips']);
  const y = loadAgentConfigText('asn: [65001\n', FILE);
  assert.equal(y.ok, false);
  assert.match(
    formatConfigError((y as Extract<LoadConfigResult, { ok: false }>).errors[0]!),
    /^agent\.yaml:\d+:\d+: YAML: /,
  );
  assert.equal(loadAgentConfigText('', FILE).ok, false);
  const missing = loadAgentConfig('/nonexistent/agent.yaml');
  assert.equal(missing.ok, false);
});

test('YAML bounds as for a lab file: nesting past 32 levels and alias bombs are refused, not composed', () => {
  // The reader is src/config's, as the lab file's: the depth is checked on the CST before the
  // composer recurses, and aliases expand at most 100 times.
  const deep = loadAgentConfigText(`asn: 65001\nvips: ${'['.repeat(20000)}\n`, FILE);
  assert.equal(deep.ok, false);
  // The root mapping is the first collection: the 32nd '[' (column 6 + 32) is the 33rd.
  assert.deepEqual((deep as Extract<LoadConfigResult, { ok: false }>).errors.map(formatConfigError), [
    `${FILE}:2:38: YAML: collections nested more than 32 levels deep (an agent config needs 6)`,
  ]);
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 6; i++)
    bomb.push(`${'bcdefg'[i]}: &${'bcdefg'[i]} [${Array(10).fill(`*${'abcdef'[i]}`).join(', ')}]`);
  const blown = loadAgentConfigText(bomb.join('\n'), FILE);
  assert.equal(blown.ok, false);
  assert.match((blown as Extract<LoadConfigResult, { ok: false }>).errors[0]!.message, /cannot be expanded/);
});

test('R-ARS-7: a MED for standby or drain is warned about, at its line, naming the rule and the fix', () => {
  const text = BASE.replace('        nextHop: 10.10.0.5\n', '        nextHop: 10.10.0.5\n        med: 200 # <-\n');
  const r = loadAgentConfigText(text, FILE);
  assert.ok(r.ok, 'a MED is a warning, not an error');
  assert.equal(r.warnings.length, 1);
  const w = r.warnings[0]!;
  assert.equal(w.field, 'vips[0].backends[1].med');
  assert.equal(w.line, lineOf(text, '# <-'));
  assert.match(w.message, /ignores MED/);
  assert.match(w.message, /AS-path length/);
  assert.match(w.message, /R-ARS-7/);
  assert.match(w.message, /nothing would fail over/);
  assert.match(w.message, /prepend|withdraw/);
  // action: med on a per-backend VIP: the same warning.
  const pb = `asn: 65001
routerId: 10.10.0.4
localAddress: 10.10.0.4
neighbors: [ { address: 10.10.1.4 }, { address: 10.10.1.5 } ]
vips:
  - prefix: 100.64.0.1/32
    pattern: per-backend
    backend: { name: ws1, nextHop: 10.10.0.4, check: { type: command, command: 'true' } }
    unhealthy: { action: med, med: 500 } # <-
`;
  const r2 = loadAgentConfigText(pb, FILE);
  assert.ok(r2.ok);
  assert.deepEqual(r2.warnings.map((x) => x.field).sort(), ['vips[0].unhealthy.action', 'vips[0].unhealthy.med']);
  assert.ok(r2.warnings.every((x) => x.line === lineOf(pb, '# <-') && /R-ARS-7/.test(x.message)));
});

test('the examples in examples/agent load without errors', () => {
  for (const f of ['watcher.yaml', 'per-backend.yaml']) {
    const r = loadAgentConfig(`${ROOT}examples/agent/${f}`);
    assert.ok(r.ok, r.ok ? '' : r.errors.map(formatConfigError).join('\n'));
    assert.deepEqual(r.warnings, [], f);
  }
});
