/**
 * @module api/routes/events
 * The lab's timeline as server-sent events (text/event-stream), for the web page:
 *
 *   GET /arslab/events/stream[?since=SEQ]
 *
 * - `event: timeline`, `id: SEQ`: each LabEvent of src/lab/events.ts; on connect, the ones
 *   after `since` (or after the `Last-Event-ID` a reconnecting EventSource sends) still in the
 *   ring come first, so nothing is missed across a reconnect;
 * - `event: gap`: events the reader never got had already left the ring (it fell more than
 *   the ring's size behind); the page reloads what it shows;
 * - `event: probe`: the live channel's probe messages (ProbeLive of src/lab/probe.ts), every
 *   run's, the CLI's too; not kept, not replayed.
 *
 * Each reader has a cursor into the ring, and the stream is pumped from the ring with the
 * socket's backpressure: when the socket does not take more, writing waits for 'drain'. A
 * reader that stops reading costs one chunk of queued bytes (CHUNK_BYTES) — never a copy of
 * the timeline (issue 8's rule) — and gets everything once it reads again. Live probe
 * messages are dropped for a reader that is behind. A comment line every 15 s keeps idle
 * connections open through proxies.
 */
import type * as http from 'node:http';
import type { LabEvent } from '../../lab/events.js';
import type { ApiContext, Router } from '../router.js';

/** Bytes of frames written to a socket at once before checking its backpressure. */
export const CHUNK_BYTES = 64 * 1024;
const KEEPALIVE_MS = 15_000;

const open = new Set<http.ServerResponse>();

/** Bytes queued in each open event stream (what a slow reader costs; tests check the bound). */
export function eventStreamBacklogs(): number[] {
  return [...open].map((r) => r.writableLength);
}

export function register(api: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  api.add('GET', '/arslab/events/stream', (_m, _b, url) => ({
    status: 200,
    raw: (req, res, signal) =>
      new Promise<void>((resolve) => {
        const header = req.headers['last-event-id'];
        const asked = Number((typeof header === 'string' && header) || url.searchParams.get('since') || 0);
        let cursor = Number.isInteger(asked) && asked >= 0 ? asked : 0;
        res.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        open.add(res);
        let live = true;
        let waiting = false;
        const frame = (e: LabEvent) => `id: ${e.seq}\nevent: timeline\ndata: ${JSON.stringify(e)}\n\n`;
        /** Writes; false when the socket wants us to wait for 'drain' (then pump resumes). */
        const write = (chunk: string): boolean => {
          if (res.write(chunk)) return true;
          waiting = true;
          res.once('drain', () => {
            waiting = false;
            pump();
          });
          return false;
        };
        const pump = () => {
          while (live && !waiting) {
            if (cursor > 0 && cursor < lab.events.oldestSeq - 1) {
              const missed = lab.events.oldestSeq - 1 - cursor;
              cursor = lab.events.oldestSeq - 1;
              if (!write(`event: gap\ndata: ${JSON.stringify({ missed })}\n\n`)) return;
            }
            let chunk = '';
            for (const e of lab.events.since(cursor, 256)) {
              chunk += frame(e);
              cursor = e.seq;
              if (chunk.length >= CHUNK_BYTES) break;
            }
            if (!chunk || !write(chunk)) return;
          }
        };
        const stop = () => {
          if (!live) return;
          live = false;
          open.delete(res);
          unfollow();
          unwatch();
          clearInterval(ping);
          res.end();
          resolve();
        };
        write('retry: 1000\n\n');
        const unfollow = lab.events.follow(() => pump());
        const unwatch = lab.events.watch((topic, data) => {
          if (live && !waiting) write(`event: ${topic}\ndata: ${JSON.stringify(data)}\n\n`);
        });
        const ping = setInterval(() => live && !waiting && write(': keepalive\n\n'), KEEPALIVE_MS);
        ping.unref();
        pump();
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      }),
  }));
}
