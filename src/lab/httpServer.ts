/**
 * @module lab/httpServer
 * The process an `http` node runs (src/lab/kinds/http.ts): a plain HTTP server on one
 * address and port that answers GET and HEAD with 200 and a fixed body, the seed's
 * hostname page. It is its own process so that stopping, killing or freezing it (SIGTERM,
 * SIGKILL, SIGSTOP) is what it is on a real backend: health checks and probes see refused
 * connections or time out.
 *
 *     node httpServer.js HOST PORT        (body in ARSLAB_HTTP_BODY, base64)
 *
 * Prints `listening HOST:PORT` once it accepts connections; exits 0 on SIGTERM/SIGINT,
 * 2 when it cannot listen.
 */
import * as http from 'node:http';

const [host, portText] = process.argv.slice(2);
const port = Number(portText);
if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: httpServer.js HOST PORT (body in ARSLAB_HTTP_BODY, base64)\n');
  process.exit(2);
}
const body = Buffer.from(process.env['ARSLAB_HTTP_BODY'] ?? '', 'base64');

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0, Connection: 'close' });
    res.end();
    return;
  }
  // One request per connection, as a probe or a health check makes them.
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    Connection: 'close',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.keepAliveTimeout = 1000;
server.on('error', (e: NodeJS.ErrnoException) => {
  process.stderr.write(`cannot listen on ${host}:${port}: ${e.code ?? e.message}\n`);
  process.exit(2);
});
server.listen({ host, port, exclusive: true }, () => process.stdout.write(`listening ${host}:${port}\n`));

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
