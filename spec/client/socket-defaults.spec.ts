/**
 * The socket the client makes when given no `WebSocketCtor`, seen from a server that would
 * compress (permessage-deflate enabled): the client does not offer the extension, so frames
 * arrive as plain text; a class of the user's own that offers it gets it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { BitmexWebSocket, type WebSocketCtor } from '../../lib';
import { welcome } from '../support/raw-server';

describe('default socket', () => {
  let http: Server;
  let wss: WebSocketServer;
  let url = '';
  const offers: (string | undefined)[] = [];
  const negotiated: string[] = [];

  beforeEach(async () => {
    offers.length = 0;
    negotiated.length = 0;
    http = createServer();
    wss = new WebSocketServer({ server: http, perMessageDeflate: { threshold: 0 } });
    wss.on('connection', (ws, req: IncomingMessage) => {
      offers.push(req.headers['sec-websocket-extensions']);
      negotiated.push(ws.extensions);
      ws.send(welcome());
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const addr = http.address();
    url = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/realtime`;
  });

  afterEach(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it('does not offer permessage-deflate (inflating every frame costs more CPU than the rest of the client)', async () => {
    const client = new BitmexWebSocket({ endpoint: url, heartbeat: false });
    await client.connect();
    await client.close();
    expect(offers).toEqual([undefined]);
    expect(negotiated).toEqual(['']);
  });

  it('leaves compression to a WebSocketCtor of the user\'s own', async () => {
    // ws as it comes offers the extension.
    const client = new BitmexWebSocket({ endpoint: url, heartbeat: false, WebSocketCtor: WebSocket as unknown as WebSocketCtor });
    await client.connect();
    await client.close();
    expect(offers).toHaveLength(1);
    expect(offers[0]).toContain('permessage-deflate');
    expect(negotiated[0]).toContain('permessage-deflate');
  });
});
