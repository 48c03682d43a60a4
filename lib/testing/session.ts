/**
 * One client's session, from the accepted handshake to the close: the welcome, authentication and
 * subscriptions given in the handshake (headers or query), and the log of every frame it sends
 * before the request is handled.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import type { Conn, SimulatorCore } from './core';
import { ERRORS, errorFrame, welcomeFrame } from './protocol';
import { authenticate, handle } from './requests';
import type { ReceivedFrame, SimulatorPath } from './simulator-types';
import { subscribe } from './subscriptions';

export function onConnection(core: SimulatorCore, ws: WebSocket, req: IncomingMessage, url: URL): void {
  const path = url.pathname as SimulatorPath;
  const conn: Conn = { id: core.nextConnId++, ws, path, apiKey: undefined, account: undefined, subs: new Set() };
  core.conns.set(conn.id, conn);
  core.counters.accepted++;
  core.budget = Math.max(0, core.budget - 1);
  ws.on('message', (data: RawData) => core.later(() => onMessage(core, conn, data)));
  ws.on('ping', (data: Buffer) => {
    if (!core.faults.silent && ws.readyState === WebSocket.OPEN) ws.pong(data);
  });
  ws.on('error', () => undefined); // the close event follows
  ws.on('close', (code: number, reason: Buffer) => {
    core.conns.delete(conn.id);
    core.closes.push({ connId: conn.id, path, code, reason: reason.toString(), at: Date.now() });
    core.emit({ type: 'close', connId: conn.id, code, reason: reason.toString() });
  });

  if (!core.faults.silent) {
    core.write(conn, welcomeFrame(core.clock(), core.budget));
    // Header auth, else query-string auth; a failure is reported but the socket stays open.
    const h = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const key = h('api-key') ?? url.searchParams.get('api-key') ?? undefined;
    const expires = h('api-expires') ?? url.searchParams.get('api-expires') ?? undefined;
    const signature = h('api-signature') ?? url.searchParams.get('api-signature') ?? undefined;
    if (key !== undefined || expires !== undefined || signature !== undefined) {
      const failure = authenticate(core, conn, key, expires, signature);
      if (failure) core.write(conn, errorFrame(failure.status, failure.error));
    }
    const topics = url.searchParams.get('subscribe');
    if (topics) {
      const args = topics.split(',').filter((t) => t.length > 0);
      subscribe(core, conn, { op: 'subscribe', args }, args);
    }
  }
  core.emit({ type: 'connection', connection: core.info(conn) });
}

export function onMessage(core: SimulatorCore, conn: Conn, data: RawData): void {
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8');
  const frame: ReceivedFrame = { connId: conn.id, path: conn.path, text, at: Date.now() };
  core.received.push(frame);
  const limit = core.options.receivedLogLimit ?? 100000;
  if (core.received.length > limit) core.received.splice(0, core.received.length - limit);
  core.counters.framesReceived++;
  try {
    if (!core.faults.silent) handle(core, conn, text);
  } catch {
    // Never crash on client input; the real server would answer 400, so do that.
    core.write(conn, errorFrame(400, ERRORS.unrecognized));
  }
  core.emit({ type: 'received', frame });
}
