/**
 * The table catalogue, seen through what reads it: the reducer's default keys and the
 * simulator's partials.
 */
import WebSocket from 'ws';
import { emptyTables, makeKey, reduceTables, rowsOf, TABLE_KEYS, UNFILTERED_TABLES, type TableFrame } from '../../lib';
import { BitmexSimulator } from '../../lib/testing';

describe('table catalogue', () => {
  it('keys margin by account and currency, as current partials do, when a partial sends no keys', () => {
    const frame = {
      table: 'margin',
      action: 'partial',
      data: [
        { account: 1, currency: 'XBt', walletBalance: 5 },
        { account: 1, currency: 'USDt', walletBalance: 7 },
      ],
    } as TableFrame;
    const s = reduceTables(emptyTables(), frame);
    expect(rowsOf(s, 'margin')).toHaveLength(2);
    expect(makeKey('margin', { account: 1, currency: 'XBt' })).not.toBe(makeKey('margin', { account: 1, currency: 'USDt' }));
  });

  it('knows no keys for a table named like an Object.prototype member', () => {
    expect(TABLE_KEYS['toString']).toBeUndefined();
    expect(makeKey('toString', { a: 1 })).toBe('');
  });

  it('is what the simulator declares in its partials and accepts as topics', async () => {
    const sim = new BitmexSimulator({ seed: 3 });
    const { url } = await sim.start();
    try {
      const ws = new WebSocket(url);
      const frames: Record<string, unknown>[] = [];
      ws.on('message', (d: WebSocket.RawData) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
      await new Promise((r) => ws.once('open', r));
      const tables = ['instrument', 'orderBookL2', 'orderBook10', 'trade', 'funding', 'insurance', 'liquidation'];
      ws.send(JSON.stringify({ op: 'subscribe', args: [...tables, 'insurance:XBTUSD'] }));
      const deadline = Date.now() + 5000;
      const partials = () => frames.filter((f) => f.action === 'partial');
      while (partials().length < tables.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const t of tables) expect(partials().find((f) => f.table === t)?.keys).toEqual(TABLE_KEYS[t]);
      expect(UNFILTERED_TABLES.has('insurance')).toBe(true);
      expect(frames.some((f) => f.status === 400 && JSON.stringify(f.request).includes('insurance:XBTUSD'))).toBe(true);
      ws.close();
    } finally {
      await sim.stop();
    }
  });
});
