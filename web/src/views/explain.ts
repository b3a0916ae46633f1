/**
 * A prefix, one click away: `arslab explain` (every candidate at every speaker on the way,
 * and the rule that dropped or outranked each loser) and `arslab trace` (the path a packet
 * takes), read from /arslab/explain and /arslab/trace and drawn on the graph.
 */
import { enc, get } from '../api.js';
import type { Card } from '../cards.js';
import { h } from '../dom.js';
import type { TopologyGraph } from '../graph.js';
import type { ExplainLine, ExplainResult, ExplainSection, TraceResult } from '../types.js';

export type ExplainTarget =
  | { readonly kind: 'nic'; readonly nic: string; readonly resourceGroup: string; readonly vm: string }
  | { readonly kind: 'peer'; readonly peer: string; readonly traceFrom?: string };

function lineEl(l: ExplainLine): HTMLElement {
  return h(
    'li',
    { class: `line ${l.status}`, 'data-status': l.status },
    h('span', { class: 'badge' }, l.status),
    ' ',
    l.text,
    l.rule ? h('span', { class: 'rule' }, l.rule) : null,
  );
}

function sectionEl(s: ExplainSection): HTMLElement {
  return h(
    'details',
    { class: 'section', open: true, 'data-at': s.at?.name },
    h('summary', null, s.title),
    h('ul', null, s.lines.map(lineEl)),
    s.children.map(sectionEl),
  );
}

function speakersOf(sections: readonly ExplainSection[], out: string[] = []): string[] {
  for (const s of sections) {
    if (s.at) out.push(s.at.name);
    speakersOf(s.children, out);
  }
  return out;
}

/** The address to trace toward: the target as given, without its length. */
const addressOf = (prefix: string) => prefix.split('/')[0]!;

export function explainCard(
  graph: TopologyGraph,
  locate: (names: readonly string[]) => Promise<Record<string, string>>,
  target: ExplainTarget,
  prefix: string,
): Card {
  const where = target.kind === 'nic' ? target.nic : target.peer;
  return {
    key: 'explain',
    title: `Explain ${prefix} at ${where}`,
    attrs: { 'data-view': 'explain', 'data-prefix': prefix, 'data-at': where },
    onClose: () => graph.clearHighlight(),
    render: async (body) => {
      const q =
        target.kind === 'nic'
          ? `nic?resourceGroup=${enc(target.resourceGroup)}&name=${enc(target.nic)}&prefix=${enc(prefix)}`
          : `peer?peer=${enc(target.peer)}&prefix=${enc(prefix)}`;
      const from = target.kind === 'nic' ? target.vm : target.traceFrom;
      const [explained, traced] = await Promise.all([
        get<ExplainResult>(`/arslab/explain/${q}`),
        from
          ? get<TraceResult>(`/arslab/trace?from=${enc(from)}&to=${enc(addressOf(prefix))}`).catch((e: Error) => e)
          : Promise.resolve(undefined),
      ]);
      body.append(
        h(
          'div',
          { class: 'explain-summary' },
          explained.summary.map((s) => h('p', null, s)),
        ),
        h('div', { class: 'explain', 'data-view': 'explain-sections' }, explained.sections.map(sectionEl)),
      );
      // Drawn on the graph where the API draws each speaker and hop (a node, or its group).
      const speakers = speakersOf(explained.sections);
      const hops = traced instanceof Error || !traced ? [] : traced.paths.flatMap((p) => p.hops.map((x) => x.name));
      const at = await locate([...speakers, ...hops]);
      graph.clearHighlight();
      graph.highlight(speakers.map((n) => at[n]).filter((x): x is string => !!x));
      if (traced instanceof Error) body.append(h('p', { class: 'note' }, `trace: ${traced.message}`));
      else if (traced) {
        body.append(
          h('h3', null, `Trace from ${traced.from} to ${traced.to}`),
          h(
            'div',
            { 'data-view': 'trace' },
            traced.paths.map((p, i) => {
              graph.drawPath(
                p.hops.map((x) => at[x.name]),
                String(i),
              );
              return h(
                'ol',
                { class: 'trace', 'data-end': p.end },
                p.hops.map((x) =>
                  h(
                    'li',
                    { 'data-hop': x.name },
                    `${x.name} (${x.kind}) ${x.address}`,
                    x.route
                      ? ` → ${x.route.prefix} via ${x.route.nextHop}${x.route.asPath ? ` [${x.route.asPath}]` : ''}`
                      : '',
                    x.choice ? ` · ${x.choice.rank} of ${x.choice.of}` : '',
                  ),
                ),
                h('li', { class: `end ${p.end}` }, p.detail),
              );
            }),
          ),
        );
      }
    },
  };
}
