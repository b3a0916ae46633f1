/**
 * Stands in for elkjs/lib/elk.bundled.js (scripts/build-web.mjs points cytoscape-elk's import
 * here): the same ELK API, but the layout runs in a Web Worker (elk-worker.min.js, copied
 * beside the page), so laying out a large expansion never freezes the page — the bundled
 * build runs ELK's GWT code on the main thread.
 *
 * cytoscape-elk hands ELK its graph with each element's cytoscape object attached
 * (`_cyEle`), which cannot cross to a worker; the graph goes without them and the positions
 * come back into cytoscape-elk's own objects, which it then reads.
 */
import ELKApi from 'elkjs/lib/elk-api.js';
import type { ElkLayoutArguments, ElkNode } from 'elkjs/lib/elk-api';

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

export default class ELKInWorker extends ELKApi {
  constructor() {
    super({ workerUrl: new URL('elk-worker.min.js', document.baseURI).href });
  }

  override layout<T extends ElkNode>(graph: T, args?: ElkLayoutArguments) {
    const plain = JSON.parse(JSON.stringify(graph, (k, v) => (k === '_cyEle' ? undefined : v))) as T;
    return super.layout(plain, args).then((laid) => {
      copyBack(graph, laid);
      return graph as unknown as typeof laid;
    });
  }
}
