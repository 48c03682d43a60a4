/**
 * A handshake refused with HTTP 429 and a Retry-After too long for a timer (days, a far date):
 * the client waits (an hour at most), it does not retry at once in a loop, which would spend
 * BitMEX's connection budget and get the IP banned.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { BitmexConnectionError } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 });

let http: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  http = undefined;
});

/** A server refusing every handshake with 429 and `retryAfter`; counts the handshakes. */
async function refusing(retryAfter: string): Promise<{ url: string; handshakes: () => number }> {
  let handshakes = 0;
  http = createServer((_req, res) => res.writeHead(404).end());
  http.on('upgrade', (_req, socket: Socket) => {
    handshakes++;
    sockets.add(socket);
    socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfter}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"Rate limit exceeded, retry in ${retryAfter} seconds."}`);
  });
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  return { url: `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/realtime`, handshakes: () => handshakes };
}

it.each([
  ['seconds beyond a timer (9999999)', '9999999'],
  ['a date decades ahead', 'Fri, 01 Jan 2100 00:00:00 GMT'],
])('Retry-After %s: one handshake, the next an hour later at most', async (_name, retryAfter) => {
  const server = await refusing(retryAfter);
  const c = fx.client({ endpoint: server.url, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });
  const errors = collectErrors(c, BitmexConnectionError);
  c.connect().catch(() => undefined);
  await waitFor(() => errors.length >= 1, 5000, 'the refused attempt reported');
  await settle(500);
  expect(server.handshakes()).toBe(1);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.retryInMs).toBe(3_600_000);
});
