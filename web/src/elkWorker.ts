/**
 * ELK's layered layout in a Web Worker (elk-worker.min.js, copied beside the page): laying
 * out a large expansion never freezes the page — ELK's bundled build would run its GWT code
 * on the main thread. One worker serves every layout (starting one loads and initialises
 * 1.6 MB of GWT code: about a second), and warmUp() starts it while the page fetches the
 * topology. The graph handed over is plain data (graph.ts builds it from cytoscape's nodes),
 * so it crosses to the worker as it is.
 */
import ELKApi from 'elkjs/lib/elk-api.js';
import type { ELK, ElkNode } from 'elkjs/lib/elk-api';

export type { ElkNode };

let shared: ELK | undefined;

function worker(): ELK {
  shared ??= new ELKApi({ workerUrl: new URL('elk-worker.min.js', document.baseURI).href });
  return shared;
}

/** The graph laid out by ELK in its worker: positions relative to each node's parent, top-left corners. */
export function layoutInWorker(graph: ElkNode): Promise<ElkNode> {
  return worker().layout(graph);
}

/** Starts the worker and ELK's initialisation now, in parallel with whatever the page does. */
export function warmUp(): void {
  void worker()
    .layout({ id: 'warm-up', children: [{ id: 'n', width: 1, height: 1 }], edges: [] })
    .catch(() => {});
}
