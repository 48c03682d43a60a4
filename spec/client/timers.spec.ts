/**
 * close() leaves no timer behind, also for answers that arrive while the sockets close: an
 * unsubscribe refused with 429 then started the repeat's timer (up to an hour, `meta.retryAfter`)
 * in a closed client, which held the process open that long.
 */
import { join } from 'node:path';
import { ROOT, exited, runProgram } from '../support/child-program';

it('a program whose unsubscribe is refused with 429 while close() runs exits on its own', async () => {
  const child = runProgram(
    'bitmex-timers-',
    `
import { WebSocketServer } from ${JSON.stringify(join(ROOT, 'node_modules', 'ws', 'index.js'))};
import { BitmexWebSocket } from ${JSON.stringify(join(ROOT, 'lib', 'index'))};
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (ws) => {
  ws.send(JSON.stringify({ info: 'Welcome to the BitMEX Realtime API.', version: '2.0.0', timestamp: new Date().toISOString() }));
  ws.on('message', (d) => {
    if (String(d) === 'ping') return void ws.send('pong');
    const request = JSON.parse(String(d));
    for (const topic of request.args) {
      if (request.op === 'subscribe') {
        ws.send(JSON.stringify({ success: true, subscribe: topic, request }));
        ws.send(JSON.stringify({ table: 'trade', action: 'partial', keys: [], filter: { symbol: 'XBTUSD' }, data: [] }));
      } else {
        ws.send(JSON.stringify({ status: 429, error: 'Rate limit exceeded, retry in 3600 seconds.', meta: { retryAfter: 3600 }, request }));
      }
    }
  });
});
server.on('listening', async () => {
  const c = new BitmexWebSocket({ endpoint: 'ws://127.0.0.1:' + (server.address() as { port: number }).port + '/realtime', heartbeat: false });
  const s = c.table$('trade', 'XBTUSD').subscribe();
  while (!c.storage.tables().includes('trade')) await new Promise((r) => setTimeout(r, 5));
  s.unsubscribe();
  // The unsubscribe goes out in a microtask; close() right after, before its answer.
  for (let i = 0; i < 3; i++) await Promise.resolve();
  await c.close();
  for (const ws of server.clients) ws.terminate();
  server.close();
  console.log('closed');
});
`,
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = exited(child);
  try {
    // Far longer than a closing handshake; far shorter than the hour the timer held the process.
    const code = await Promise.race([done, new Promise<string>((r) => setTimeout(() => r('still running'), 15000).unref())]);
    expect(out).toContain('closed');
    expect(code).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}, 30000);
