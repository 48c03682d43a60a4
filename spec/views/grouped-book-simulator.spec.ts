/**
 * Grouped and cumulative books of a live client against the simulator's true book: after random
 * market activity (fast-check picks the seed and the number of events), `book$` with `group`
 * and `cumulative` at several groupings equals an independent aggregation of `truth(symbol)`,
 * including each bucket's total value from the instrument's multiplier.
 */
import fc from 'fast-check';
import { Subscription } from 'rxjs';
import { BitmexWebSocket, type DepthSnapshot } from '../../lib';
import { BitmexSimulator, type SimulatorLevel } from '../../lib/testing';
import { waitFor } from '../support/helpers';

interface Bucket {
  price: number;
  size: number;
  cumSize: number;
  cumNotional: number;
}

/** Independent aggregation: integer ticks, a map per side, sorted, cut, totalled. */
function aggregate(levels: readonly SimulatorLevel[], bid: boolean, tick: number, group: number, depth: number, value: (p: number, s: number) => number): Bucket[] {
  const per = Math.round(group / tick);
  const sums = new Map<number, { size: number; value: number }>();
  for (const l of levels) {
    const t = Math.round(l.price / tick);
    const b = (bid ? Math.floor(t / per) : Math.ceil(t / per)) * per;
    const e = sums.get(b) ?? { size: 0, value: 0 };
    e.size += l.size;
    e.value += value(l.price, l.size);
    sums.set(b, e);
  }
  const decimals = Math.max(0, Math.round(-Math.log10(tick)) + 1);
  let cum = 0;
  let cumValue = 0;
  return [...sums.entries()]
    .sort((a, b) => (bid ? b[0] - a[0] : a[0] - b[0]))
    .slice(0, depth)
    .map(([t, e]) => {
      cum += e.size;
      cumValue += e.value;
      return { price: Number((t * tick).toFixed(decimals)), size: e.size, cumSize: cum, cumNotional: cumValue };
    });
}

function matches(got: DepthSnapshot | undefined, want: { bids: Bucket[]; asks: Bucket[] }): boolean {
  if (got === undefined) return false;
  const same = (a: DepthSnapshot['bids'], b: Bucket[]): boolean =>
    a.length === b.length &&
    a.every((l, i) => {
      const w = b[i] as Bucket;
      return l.price === w.price && l.size === w.size && l.cumSize === w.cumSize && Math.abs((l.cumNotional ?? NaN) - w.cumNotional) <= 1e-6 * w.cumNotional;
    });
  return same(got.bids, want.bids) && same(got.asks, want.asks);
}

const CASES = [
  { symbol: 'XBTUSD', tick: 0.5, groups: [0.5, 1, 5, 10, 25], value: (p: number, s: number) => (1e8 * s) / p },
  { symbol: 'ETHUSD', tick: 0.05, groups: [0.05, 0.1, 0.25, 1], value: (p: number, s: number) => 100 * s * p },
];

describe('book$ with group and cumulative, against the simulator (property)', () => {
  it('equals an independent aggregation of the true book after random activity, at several groupings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.integer({ min: 1, max: 150 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 3, max: 30 }), async (seed, bursts, depth) => {
        const sim = new BitmexSimulator({ seed, symbols: ['XBTUSD', 'ETHUSD'] });
        const { url } = await sim.start();
        const client = new BitmexWebSocket({ endpoint: url, heartbeat: false });
        const subs = new Subscription();
        const latest = new Map<string, DepthSnapshot>();
        try {
          for (const c of CASES) {
            for (const group of c.groups) {
              subs.add(client.book$(c.symbol, { depth, group, cumulative: true }).subscribe((b) => latest.set(`${c.symbol}/${group}`, b)));
            }
          }
          const check = async (): Promise<void> => {
            for (const c of CASES) {
              const truth = sim.truth(c.symbol);
              for (const group of c.groups) {
                const want = { bids: aggregate(truth.bids, true, c.tick, group, depth, c.value), asks: aggregate(truth.asks, false, c.tick, group, depth, c.value) };
                const key = `${c.symbol}/${group}`;
                await waitFor(() => matches(latest.get(key), want), 5000, `${key} at depth ${depth}`).catch(() => {
                  expect(latest.get(key)).toEqual(want); // shows the difference
                });
              }
            }
          };
          await check();
          for (const n of bursts) {
            sim.step(n);
            await check();
          }
        } finally {
          subs.unsubscribe();
          await client.close();
          await sim.stop();
        }
      }),
      { numRuns: 6 },
    );
  }, 60_000);

  it('errors the stream when the group is not a multiple of the instrument tick size', async () => {
    const sim = new BitmexSimulator({ symbols: ['XBTUSD'] });
    const { url } = await sim.start();
    const client = new BitmexWebSocket({ endpoint: url, heartbeat: false });
    try {
      const error = await new Promise<unknown>((resolve) => client.book$('XBTUSD', { group: 0.75 }).subscribe({ error: resolve }));
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).toMatch(/XBTUSD.*group 0.75 is not a multiple of the tick size 0.5/);
      expect(() => client.book$('XBTUSD', { group: 1, tickSize: 0.3 })).toThrow(TypeError);
      expect(() => client.book$('XBTUSD', { group: -1 })).toThrow(TypeError);
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});
