/** The simulator's network delay (`delayMs`, `setDelay`) with its shifted clock (`clockOffsetMs`). */
import WebSocket from 'ws';
import { BitmexSimulator } from '../../lib/testing';

async function open(url: string): Promise<{ ws: WebSocket; texts: { text: string; at: number }[] }> {
  const ws = new WebSocket(url);
  const texts: { text: string; at: number }[] = [];
  ws.on('message', (d) => texts.push({ text: String(d), at: Date.now() }));
  await new Promise((r) => ws.once('open', r));
  return { ws, texts };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('simulator delayMs', () => {
  let sim: BitmexSimulator;
  afterEach(() => sim.stop());

  it('delays every frame each way, in order, and a shifted clock stamps the welcome with its time', async () => {
    sim = new BitmexSimulator({ delayMs: 100, clockOffsetMs: 60_000, symbols: ['XBTUSD'] });
    const { url } = await sim.start();
    const { ws, texts } = await open(url);
    await until(() => texts.length === 1);
    const welcome = JSON.parse((texts[0] as { text: string }).text) as { timestamp: string };
    const shift = Date.parse(welcome.timestamp) - (texts[0] as { at: number }).at;
    // Stamped with the server's clock (60 s ahead) at least 100 ms before it arrived (later on a
    // busy machine: the lower bound is seconds, against the minute of the shift).
    expect(shift).toBeGreaterThan(60_000 - 100 - 5_000);
    expect(shift).toBeLessThanOrEqual(60_000 - 100 + 5);
    const sent = Date.now();
    ws.send('ping');
    ws.send(JSON.stringify({ op: 'subscribe', args: ['trade:XBTUSD'] }));
    await until(() => texts.length === 4);
    // The ping goes 100 ms one way and its pong 100 ms back.
    expect((texts[1] as { at: number }).at - sent).toBeGreaterThanOrEqual(195);
    expect(texts.slice(1).map((t) => t.text.slice(0, 20))).toEqual(['pong', '{"success":true,"sub', '{"table":"trade","ac']);
    ws.close();
  });

  it('can be changed while running and is checked', async () => {
    sim = new BitmexSimulator({ symbols: ['XBTUSD'] });
    expect(() => new BitmexSimulator({ delayMs: -1 })).toThrow(TypeError);
    expect(() => sim.setDelay(Number.NaN)).toThrow(TypeError);
    const { url } = await sim.start();
    const { ws, texts } = await open(url);
    await until(() => texts.length === 1);
    sim.setDelay(150);
    const sent = Date.now();
    ws.send('ping');
    await until(() => texts.length === 2);
    expect((texts[1] as { at: number }).at - sent).toBeGreaterThanOrEqual(295);
    ws.close();
  });
});
