/** The Prometheus exposition of /metrics, from a fixed status: names, types, labels, escaping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentStatus } from './agent.js';
import { metrics } from './api.js';

const status: AgentStatus = {
  asn: 65001,
  routerId: '10.10.0.7',
  startedAt: '2026-11-22T07:00:00.000Z',
  uptimeMs: 1000,
  stopping: false,
  backends: [
    {
      name: 'ws1',
      nextHop: '10.10.0.4',
      check: 'http',
      state: 'down',
      drained: false,
      maintenanceFile: null,
      successes: 0,
      failures: 0,
      transitions: 2,
      lastResult: { ok: false, detail: 'ECONNREFUSED', durationMs: 1.5 },
    },
    {
      name: 'ws2',
      nextHop: '10.10.0.5',
      check: 'http',
      state: 'up',
      drained: true,
      maintenanceFile: '/m',
      successes: 0,
      failures: 0,
      transitions: 1,
      lastResult: null,
    },
    {
      name: 'ws3',
      nextHop: '10.10.0.6',
      check: 'http',
      state: 'unknown',
      drained: false,
      maintenanceFile: null,
      successes: 1,
      failures: 0,
      transitions: 0,
      lastResult: null,
    },
  ],
  vips: [
    {
      prefix: '100.64.0.1/32',
      pattern: 'watcher',
      drained: false,
      nextHop: '10.10.0.5',
      backend: 'ws2',
      prepend: 0,
      med: null,
      changes: 3,
    },
    {
      prefix: '100.64.0.2/32',
      pattern: 'watcher',
      drained: true,
      nextHop: null,
      backend: null,
      prepend: 0,
      med: null,
      changes: 0,
    },
  ],
  sessions: [
    {
      neighbor: 'rs "0"',
      address: '10.10.1.4',
      port: 179,
      asn: 65515,
      state: 'Established',
      advertised: [],
      announcements: 4,
      withdrawals: 1,
      lastDown: null,
    },
  ],
};

test('metrics: one HELP and TYPE per family, a sample per label set', () => {
  const text = metrics(status);
  assert.ok(text.endsWith('\n'));
  const lines = text.trimEnd().split('\n');
  for (const l of lines)
    assert.match(l, /^(# (HELP|TYPE) arslab_agent_\w+ .+|arslab_agent_\w+\{[^}]*\} -?\d+(\.\d+)?)$/, l);
  const types = lines.filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ').slice(2).join(' '));
  assert.ok(types.includes('arslab_agent_check_transitions_total counter'));
  assert.ok(types.includes('arslab_agent_check_up gauge'));
  assert.equal(new Set(types).size, types.length, 'each family once');
  assert.ok(lines.includes('arslab_agent_check_up{backend="ws1"} 0'));
  assert.ok(lines.includes('arslab_agent_check_up{backend="ws2"} 1'));
  assert.ok(lines.includes('arslab_agent_check_up{backend="ws3"} -1'));
  assert.ok(lines.includes('arslab_agent_check_transitions_total{backend="ws1"} 2'));
  assert.ok(lines.includes('arslab_agent_backend_drained{backend="ws2"} 1'));
  assert.ok(lines.includes('arslab_agent_check_duration_seconds{backend="ws1"} 0.0015'));
  assert.ok(lines.includes('arslab_agent_vip_next_hop_info{vip="100.64.0.1/32",next_hop="10.10.0.5",backend="ws2"} 1'));
  assert.ok(lines.includes('arslab_agent_vip_next_hop_info{vip="100.64.0.2/32",next_hop="",backend=""} 1'));
  assert.ok(lines.includes('arslab_agent_vip_announced{vip="100.64.0.2/32"} 0'));
  // Label values are escaped (quotes, backslashes).
  assert.ok(lines.includes('arslab_agent_announcements_total{neighbor="rs \\"0\\""} 4'));
  assert.ok(lines.includes('arslab_agent_session_state{neighbor="rs \\"0\\"",state="Established"} 1'));
  assert.ok(lines.includes('arslab_agent_session_state{neighbor="rs \\"0\\"",state="Idle"} 0'));
  assert.equal(lines.filter((l) => l.startsWith('arslab_agent_session_state{')).length, 6);
});
