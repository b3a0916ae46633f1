/**
 * Stands in for elkjs/lib/elk.bundled.js (scripts/build-web.mjs points cytoscape-elk's import
 * here): the same ELK API, but the layout runs in a Web Worker (elk-worker.min.js, copied
 * beside the page), so laying out a large expansion never freezes the page — the bundled
 * build runs ELK's GWT code on the main thread.
 *
 * - cytoscape-elk makes a `new ELK()` per layout; one worker serves them all (starting one
 *   loads and initialises 1.6 MB of GWT code: about a second), and warmUp() starts it while
 *   the page fetches the topology.
 * - cytoscape-elk hands ELK its graph with each element's cytoscape object attached
 *   (`_cyEle`), which cannot cross to a worker; the graph goes without them and the positions
 *   come back into cytoscape-elk's own objects, which it then reads.
 */
import ELKApi from 'elkjs/lib/elk-api.js';
import type { ELK, ElkLayoutArguments, ElkNode } from 'elkjs/lib/elk-api';

function copyBack(into: ElkNode, from: ElkNode): void {
  into.x = from.x;
  into.y = from.y;
  into.width = from.width;
  into.height = from.height;
  const byId = new Map((from.children ?? []).map((c) => [c.id, c] as const));
  for (const c of into.children ?? []) {
    const f = byId.get(c.id);
    if (f) copyBack(c, f);
  }
}

let shared: ELK | undefined;

function worker(): ELK {
  shared ??= new ELKApi({ workerUrl: new URL('elk-worker.min.js', document.baseURI).href });
  return shared;
}

const facade = {
  layout<T extends ElkNode>(graph: T, args?: ElkLayoutArguments) {
    const plain = JSON.parse(JSON.stringify(graph, (k, v) => (k === '_cyEle' ? undefined : v))) as T;
    return worker()
      .layout(plain, args)
      .then((laid) => {
        copyBack(graph, laid);
        return graph as unknown as typeof laid;
      });
  },
};

/** What cytoscape-elk constructs: every `new` gives the one facade over the shared worker. */
export default function ELKInWorker(): typeof facade {
  return facade;
}

/** Starts the worker and ELK's initialisation now, in parallel with whatever the page does. */
export function warmUp(): void {
  void worker()
    .layout({ id: 'warm-up', children: [{ id: 'n', width: 1, height: 1 }], edges: [] })
    .catch(() => {});
}
