/**
 * @module lab/netnsHelper
 * Runs inside a network namespace (`ip netns exec NS node netnsHelper.js`), started by
 * src/lab/netns.ts with an IPC channel. It listens and connects on the namespace's
 * addresses and hands every socket to the parent process (`process.send(msg, socket)`),
 * so that the lab's single process speaks BGP from inside any namespace.
 */
import * as net from 'node:net';

type Request =
  | { type: 'listen'; id: number; host: string; port: number }
  | { type: 'unlisten'; id: number }
  | { type: 'connect'; id: number; host: string; port: number; localAddress: string };

const servers = new Map<number, net.Server>();

function send(msg: object, socket?: net.Socket): void {
  if (!process.send) process.exit(1);
  if (socket) process.send(msg, socket);
  else process.send(msg);
}

process.on('message', (req: Request) => {
  switch (req.type) {
    case 'listen': {
      // pauseOnConnect: nothing is read here; the parent reads everything.
      const server = net.createServer({ pauseOnConnect: true }, (socket) => {
        send({ type: 'accepted', id: req.id }, socket);
      });
      server.once('error', (err) => send({ type: 'listen-error', id: req.id, message: err.message }));
      server.listen({ host: req.host, port: req.port, exclusive: true }, () => {
        servers.set(req.id, server);
        send({ type: 'listening', id: req.id });
      });
      break;
    }
    case 'unlisten':
      servers.get(req.id)?.close();
      servers.delete(req.id);
      break;
    case 'connect': {
      const socket = net.connect({ host: req.host, port: req.port, localAddress: req.localAddress });
      socket.once('connect', () => {
        socket.pause();
        send({ type: 'connected', id: req.id }, socket);
      });
      socket.once('error', (err) => {
        send({ type: 'connect-error', id: req.id, message: err.message });
        socket.destroy();
      });
      break;
    }
  }
});

// The parent went away: nothing to serve.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
