/**
 * @module lab/netnsHelper
 * Runs inside a network namespace (`ip netns exec NS node netnsHelper.js NS`), started by
 * src/lab/netns.ts with an IPC channel. It listens and connects on the namespace's
 * addresses and hands every socket to the parent process (`process.send(msg, socket)`),
 * so that the lab's single process speaks BGP from inside any namespace. It never reads
 * from a socket (the parent reads everything), and lives exactly as long as its parent:
 * it exits when the IPC channel closes (the lab stopped, or died however it died) or on
 * SIGTERM; Ctrl-C (SIGINT to the terminal's process group) and SIGHUP are the parent's to
 * act on, so the helper keeps serving while the lab shuts down in order.
 *
 * Protocol (parent → helper): listen {id, host, port}, unlisten {id}, connect {id, host,
 * port, localAddress}. Helper → parent: ready; listening {id} | listen-error {id, message};
 * accepted {id} + socket; connected {id} + socket | connect-error {id, message}.
 */
import * as net from 'node:net';

type Request =
  | { type: 'listen'; id: number; host: string; port: number }
  | { type: 'unlisten'; id: number }
  | { type: 'connect'; id: number; host: string; port: number; localAddress?: string };

interface Listening {
  readonly server: net.Server;
  readonly key: string;
  closed?: Promise<void>;
}

const servers = new Map<number, Listening>();
/** host:port -> a server being closed: a new listen on the same endpoint waits for it. */
const closing = new Map<string, Promise<void>>();

function send(msg: object, socket?: net.Socket): void {
  if (!process.send || !process.connected) {
    socket?.destroy();
    process.exit(0);
  }
  try {
    if (socket) process.send(msg, socket, undefined, (err) => err && socket.destroy());
    else process.send(msg);
  } catch {
    socket?.destroy();
    process.exit(0);
  }
}

function unlisten(id: number): void {
  const l = servers.get(id);
  if (!l) return;
  servers.delete(id);
  const done = new Promise<void>((resolve) => l.server.close(() => resolve()));
  closing.set(l.key, done);
  void done.then(() => {
    if (closing.get(l.key) === done) closing.delete(l.key);
  });
}

async function listen(req: Extract<Request, { type: 'listen' }>): Promise<void> {
  const key = `${req.host}:${req.port}`;
  await closing.get(key);
  // pauseOnConnect: nothing is read here; the parent reads everything.
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    if (servers.get(req.id)?.server !== server) return void socket.destroy();
    send({ type: 'accepted', id: req.id }, socket);
  });
  server.once('error', (err) =>
    send({ type: 'listen-error', id: req.id, message: `listen on ${key} in the namespace: ${err.message}` }),
  );
  server.listen({ host: req.host, port: req.port, exclusive: true }, () => {
    server.removeAllListeners('error');
    server.on('error', () => {});
    servers.set(req.id, { server, key });
    send({ type: 'listening', id: req.id });
  });
}

function connect(req: Extract<Request, { type: 'connect' }>): void {
  const socket = net.connect({
    host: req.host,
    port: req.port,
    noDelay: true,
    ...(req.localAddress ? { localAddress: req.localAddress } : {}),
  });
  socket.once('connect', () => {
    socket.pause();
    socket.removeAllListeners('error');
    socket.on('error', () => {});
    send({ type: 'connected', id: req.id }, socket);
  });
  socket.once('error', (err) => {
    send({ type: 'connect-error', id: req.id, message: err.message });
    socket.destroy();
  });
}

process.on('message', (req: Request) => {
  switch (req.type) {
    case 'listen':
      void listen(req);
      break;
    case 'unlisten':
      unlisten(req.id);
      break;
    case 'connect':
      connect(req);
      break;
  }
});

// The parent went away (stopped, crashed, SIGKILLed): nothing to serve.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
send({ type: 'ready', pid: process.pid });
