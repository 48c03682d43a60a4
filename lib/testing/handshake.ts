/**
 * The HTTP side of the simulator: its one JSON page, and the WebSocket handshake, which accepts
 * the two realtime paths and refuses the rest (or, as a fault, refuses with 429 like the real
 * server) before a session starts.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SimulatorCore } from './core';
import { ERRORS } from './protocol';
import { onConnection } from './session';

const PATHS: ReadonlySet<string> = new Set(['/realtime', '/realtimePlatform']);

export function onHttp(core: SimulatorCore, req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (path === '/' && core.addr) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: 'BitMEX realtime simulator', realtime: core.addr.url, realtimePlatform: core.addr.platformUrl }));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: 'Not Found', name: 'HTTPError' } }));
}

export function onUpgrade(core: SimulatorCore, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => undefined); // a client vanishing mid-handshake is not our failure
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const wss = core.wss;
  if (!PATHS.has(url.pathname) || !wss) {
    refuse(core, socket, url.pathname, 404, {}, JSON.stringify({ error: { message: 'Not Found', name: 'HTTPError' } }));
    return;
  }
  const retryAfter = core.faults.takeHandshakeRefusal();
  if (retryAfter !== undefined) {
    refuse(core, socket, url.pathname, 429, { 'Retry-After': String(retryAfter) }, JSON.stringify({ error: ERRORS.rateLimited(retryAfter) }));
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(core, ws, req, url));
}

export function refuse(core: SimulatorCore, socket: Duplex, path: string, status: number, headers: Record<string, string>, body: string): void {
  core.counters.refused++;
  const reason = status === 429 ? 'Too Many Requests' : 'Not Found';
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  core.emit({ type: 'handshakeRefused', path, status });
}
