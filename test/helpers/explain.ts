/**
 * Checks on `arslab explain` results: every line that says a route lost, was dropped or was
 * withheld carries a rule (R-…, an RFC section), in the JSON and in the printed tree; and
 * finders for the lines tests assert on.
 */
import assert from 'node:assert/strict';
import {
  allLines,
  lossesWithoutRule,
  renderExplain,
  RULE_ID,
  type ExplainLine,
  type ExplainResult,
  type ExplainSection,
  type LineStatus,
  type SpeakerKind,
} from '../../src/azure/explain.js';

/** No loss line without a well-formed rule, in the result and in its text rendering. */
export function assertRulesOnLosses(r: ExplainResult): void {
  const missing = lossesWithoutRule(r);
  assert.deepEqual(
    missing.map((m) => `${m.section}: ${m.line.text}`),
    [],
    'loss lines without a rule',
  );
  const text = renderExplain(r);
  const bad = text
    .split('\n')
    .filter((l) => l.includes('✗ '))
    .filter((l) => {
      const m = /\(([^()]+)\)$/.exec(l);
      return !m || !RULE_ID.test(m[1]!);
    });
  assert.deepEqual(bad, [], `✗ lines of the tree without a rule at the end:\n${text}`);
}

/**
 * An explanation under test: checked for rules on every loss line (assertRulesOnLosses),
 * and printed as `arslab explain` would when EXPLAIN_PRINT=1.
 */
export function checked(r: ExplainResult): ExplainResult {
  if (process.env['EXPLAIN_PRINT']) console.log(`\n$ explain ${JSON.stringify(r.query)}\n${renderExplain(r)}`);
  assertRulesOnLosses(r);
  return r;
}

export interface LineQuery {
  status?: LineStatus | LineStatus[];
  rule?: string;
  kind?: SpeakerKind;
  from?: string;
  text?: RegExp;
}

/** Lines matching every given field. */
export function findLines(r: ExplainResult, q: LineQuery): { section: ExplainSection; line: ExplainLine }[] {
  const statuses = q.status === undefined ? undefined : Array.isArray(q.status) ? q.status : [q.status];
  return allLines(r).filter(
    ({ section, line }) =>
      (!statuses || statuses.includes(line.status)) &&
      (q.rule === undefined || line.rule === q.rule) &&
      (q.kind === undefined || section.at?.kind === q.kind) &&
      (q.from === undefined || line.route?.from === q.from) &&
      (q.text === undefined || q.text.test(line.text)),
  );
}

/** Exactly the lines of `q`, at least one; the message shows the whole tree. */
export function someLine(r: ExplainResult, q: LineQuery): { section: ExplainSection; line: ExplainLine }[] {
  const hits = findLines(r, q);
  assert.ok(hits.length > 0, `no line ${JSON.stringify({ ...q, text: q.text?.source })} in:\n${renderExplain(r)}`);
  return hits;
}
