/**
 * `arslab explain` over a whole running lab, so that no dropped or losing route goes
 * unexplained in any scenario: every NIC of every VM and every BGP
 * peer (nodes and built-in routers) of the lab file, against every prefix any of them has
 * or was sent, through the lab's own API. Each answer must carry a well-formed rule on
 * every line that says a route lost, was dropped or was withheld.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { lossesWithoutRule, renderExplain, RULE_ID, type ExplainResult, allLines } from '../../src/azure/explain.js';
import type { LabState } from '../../src/lab/state.js';

/** Every loss line carries a rule, in the JSON and at the end of its line of the tree (a rule may itself end in parentheses: "(RFC 4271 §9.1.2.2 (f))"). */
export function assertRulesEverywhere(r: ExplainResult, what: string): void {
  assert.deepEqual(
    lossesWithoutRule(r).map((m) => `${m.section}: ${m.line.text}`),
    [],
    `${what}: loss lines without a rule`,
  );
  const endsWithRule = (l: string): boolean =>
    l.endsWith(')') && [...l.matchAll(/\(/g)].some((m) => RULE_ID.test(l.slice(m.index! + 1, -1)));
  const text = renderExplain(r);
  assert.deepEqual(
    text.split('\n').filter((l) => l.includes('✗ ') && !endsWithRule(l)),
    [],
    `${what}: ✗ lines of the tree without a rule at the end:\n${text}`,
  );
}

interface LabFile {
  resourceGroups?: Record<string, { virtualMachines?: Record<string, unknown> }>;
  nodes?: Record<string, { kind?: string }>;
  routers?: Record<string, unknown>;
}

export interface SweepResult {
  /** explain calls made. */
  readonly calls: number;
  /** Lines that said lost, dropped or withheld — each with its rule. */
  readonly losses: number;
  /** Rules named, with how many lines named each. */
  readonly rules: ReadonlyMap<string, number>;
}

/**
 * Runs the sweep against the lab described by `labFile`, running with `state`. NICs are
 * Azure CLI's default names (`VMNAME` + `VMNic`), as every scenario uses.
 */
export async function sweepExplain(labFile: string, state: LabState): Promise<SweepResult> {
  const lab = parse(readFileSync(labFile, 'utf8')) as LabFile;
  const base = `http://${state.api.host}:${state.api.port}`;
  // The lab's token, from its state file, as the CLI sends it (ADR 0010).
  const headers = { authorization: `Bearer ${state.token}` };
  const get = async <T>(path: string): Promise<T> => {
    // A path, or an absolute URL as ARM's Location is.
    const res = await fetch(new URL(path, base), { headers, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as T;
    assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(body)}`);
    return body;
  };
  const sub = state.subscriptionId;
  const nics = Object.entries(lab.resourceGroups ?? {}).flatMap(([rg, g]) =>
    Object.keys(g.virtualMachines ?? {}).map((vm) => ({ rg, name: `${vm}VMNic` })),
  );
  const peers = [
    ...Object.entries(lab.nodes ?? {})
      .filter(([, n]) => n.kind !== 'http')
      .map(([n]) => n),
    ...Object.keys(lab.routers ?? {}),
  ];

  // Every prefix a NIC has a row for (but the fixed system routes of R-NIC-1), and every
  // prefix a peer holds or was sent.
  const prefixes = new Set<string>();
  for (const { rg, name } of nics) {
    // An ARM long-running operation, as az runs it: POST, then the result at Location.
    const path = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/${name}/effectiveRouteTable`;
    const res = await fetch(base + path, { method: 'POST', headers, signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 202, `POST ${path}`);
    const t = await get<{ value: { source: string; addressPrefix: string[] }[] }>(res.headers.get('location')!);
    for (const r of t.value) if (r.source !== 'Default') for (const p of r.addressPrefix) prefixes.add(p);
  }
  for (const peer of peers) {
    const r = await get<{ value: { prefix?: string; network?: string }[] }>(
      `/arslab/nodes/${encodeURIComponent(peer)}/routes`,
    );
    for (const x of r.value) {
      const p = x.prefix ?? x.network;
      if (p) prefixes.add(p);
    }
  }
  assert.ok(prefixes.size > 0, 'the sweep found prefixes');

  let calls = 0;
  let losses = 0;
  const rules = new Map<string, number>();
  const check = (r: ExplainResult, what: string): void => {
    calls++;
    assertRulesEverywhere(r, what);
    for (const { line } of allLines(r)) {
      if (line.status === 'lost' || line.status === 'dropped' || line.status === 'withheld') {
        losses++;
        if (line.rule) rules.set(line.rule, (rules.get(line.rule) ?? 0) + 1);
      }
    }
  };
  for (const prefix of prefixes) {
    for (const { rg, name } of nics) {
      check(
        await get<ExplainResult>(
          `/arslab/explain/nic?resourceGroup=${encodeURIComponent(rg)}&name=${encodeURIComponent(name)}&prefix=${encodeURIComponent(prefix)}`,
        ),
        `explain --nic ${name} --prefix ${prefix}`,
      );
    }
    for (const peer of peers) {
      check(
        await get<ExplainResult>(
          `/arslab/explain/peer?peer=${encodeURIComponent(peer)}&prefix=${encodeURIComponent(prefix)}`,
        ),
        `explain --peer ${peer} --prefix ${prefix}`,
      );
    }
  }
  return { calls, losses, rules };
}

/** sweepExplain, asserting that it met losses to check, and printing what it checked. */
export async function sweep(labFile: string, state: LabState, what: string): Promise<SweepResult> {
  const r = await sweepExplain(labFile, state);
  assert.ok(r.losses > 0, `${what}: the sweep met no losing or dropped route, so it checked nothing`);
  const rules = [...r.rules]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
  console.log(
    `# explain sweep (${what}): ${r.calls} explanations, ${r.losses} losing/dropped/withheld lines, each with its rule: ${rules}`,
  );
  return r;
}
