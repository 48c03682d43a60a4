/**
 * A hand-made WebSocket server on 127.0.0.1, for behaviour the simulator does not have (a server
 * that never welcomes, ignores requests, sends what no BitMEX sends). Each spec gives what a
 * connection does; the fixture starts one server per test and stops it after.
 */
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** What a test gets: the `/realtime` URL and how many connections were made so far. */
export interface RawServer {
  readonly url: string;
  readonly connections: number;
}

/**
 * The welcome frame as BitMEX sends it (`timestamp` left out when `withTime` is false), saying
 * `remaining` connections are left this hour.
 */
export function welcome(withTime = true, remaining = 700): string {
  return JSON.stringify({
    info: 'Welcome to the BitMEX Realtime API.',
    version: '2.0.0',
    ...(withTime ? { timestamp: new Date().toISOString() } : {}),
    limit: { remaining },
  });
}

/** A request as the raw server gets it. */
export interface RawRequest {
  readonly op: string;
  readonly args: unknown;
}

/** The topics a request names (`args`, an array or one). */
export function requestTopics(req: RawRequest): string[] {
  return (Array.isArray(req.args) ? req.args : [req.args]) as string[];
}

/** A request as `"op topic,topic"`, for a log of what the server received. */
export function requestText(req: RawRequest): string {
  return `${req.op} ${requestTopics(req).join()}`;
}

/**
 * Registers beforeEach/afterEach around a server whose connections `onConnection` drives
 * (`n` counts them from 1). Text requests other than `ping` reach `onRequest` parsed;
 * `ping` is answered with `pong` unless `onConnection` says otherwise.
 */
export function useRawServer(onConnection: (ws: WebSocket, n: number) => ((request: RawRequest) => void) | void): RawServer {
  let http: Server | undefined;
  let wss: WebSocketServer | undefined;
  let url = '';
  let connections = 0;
  beforeEach(async () => {
    connections = 0;
    http = createServer();
    wss = new WebSocketServer({ server: http });
    wss.on('connection', (ws: WebSocket) => {
      const onRequest = onConnection(ws, ++connections);
      ws.on('message', (d) => {
        const text = d.toString();
        if (text === 'ping') ws.send('pong');
        else if (onRequest) onRequest(JSON.parse(text) as RawRequest);
      });
    });
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
    const addr = http.address();
    url = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/realtime`;
  });
  afterEach(async () => {
    for (const ws of wss?.clients ?? []) ws.terminate();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  });
  return {
    get url() {
      return url;
    },
    get connections() {
      return connections;
    },
  };
}

/**
 * Answers each topic of `req` with its success frame, as BitMEX does, and after a subscribe's
 * success sends what `then(topic)` gives (nothing for undefined). Returns {@link requestText}.
 */
export function answerSuccess(ws: WebSocket, req: RawRequest, then: (topic: string) => string | undefined = () => undefined): string {
  for (const topic of requestTopics(req)) {
    ws.send(JSON.stringify({ success: true, [req.op]: topic, request: req }));
    const next = req.op === 'subscribe' ? then(topic) : undefined;
    if (next !== undefined) ws.send(next);
  }
  return requestText(req);
}
