/**
 * Deterministic orderBookL2 traffic for the benchmark: a partial of a 2 x N-level book, then
 * delta frames of 1–4 rows as BitMEX sends them (one action per frame), pre-serialised to
 * strings. Mix: ~70% update, 15% insert, 15% delete, mostly near the top of the book; ids are
 * arbitrary (as since 2023) and every row carries its price.
 * @module
 */

/** The generated traffic. */
export interface BenchFrames {
  readonly symbol: string;
  /** The partial frame (JSON text). */
  readonly partial: string;
  /** Levels in the partial. */
  readonly levels: number;
  /** Delta frames (JSON text), in order. */
  readonly frames: readonly string[];
  /** Rows in each delta frame. */
  readonly frameRows: readonly number[];
  /** Rows per action over all delta frames. */
  readonly counts: Readonly<Record<'update' | 'insert' | 'delete', number>>;
}

/** Options of {@link buildFrames}. */
export interface FrameOptions {
  readonly levelsPerSide?: number;
  readonly rows?: number;
  readonly seed?: number;
  readonly symbol?: string;
}

interface Level {
  readonly id: number;
  readonly tick: number;
  size: number;
}

/** mulberry32: a small seeded PRNG so every run sees the same frames. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TICK = 0.5;
const MID_TICK = 60_000; // price 30,000

/** Builds the partial and delta frames. */
export function buildFrames(opts: FrameOptions = {}): BenchFrames {
  const levelsPerSide = opts.levelsPerSide ?? 5000;
  const totalRows = opts.rows ?? 200_000;
  const symbol = opts.symbol ?? 'XBTUSD';
  const random = rng(opts.seed ?? 42);
  let nextId = 8_797_000_000;
  const newId = (): number => (nextId += 1 + Math.floor(random() * 97));
  let clock = Date.parse('2024-11-13T10:34:26.741Z');
  const stamp = (): string => new Date((clock += Math.floor(random() * 3))).toISOString();
  const size = (): number => 100 * (1 + Math.floor(random() * 5000));

  // Best first on both sides.
  const bids: Level[] = [];
  const asks: Level[] = [];
  const used = [new Set<number>(), new Set<number>()];
  for (let i = 0; i < levelsPerSide; i++) {
    bids.push({ id: newId(), tick: MID_TICK - 1 - i, size: size() });
    asks.push({ id: newId(), tick: MID_TICK + 1 + i, size: size() });
  }
  for (const l of bids) used[0]?.add(l.tick);
  for (const l of asks) used[1]?.add(l.tick);

  const ts0 = stamp();
  const row = (side: 0 | 1, l: Level, ts: string, withSize = true): Record<string, unknown> =>
    withSize
      ? { symbol, id: l.id, side: side === 0 ? 'Buy' : 'Sell', size: l.size, price: l.tick * TICK, timestamp: ts, transactTime: ts }
      : { symbol, id: l.id, side: side === 0 ? 'Buy' : 'Sell', price: l.tick * TICK, timestamp: ts, transactTime: ts };
  // BitMEX partials list sells from the highest price down, then buys.
  const partialRows = [...asks.slice().reverse().map((l) => row(1, l, ts0)), ...bids.map((l) => row(0, l, ts0))];
  const partial = JSON.stringify({
    table: 'orderBookL2',
    action: 'partial',
    keys: ['symbol', 'id', 'side'],
    types: { symbol: 'symbol', id: 'long', side: 'symbol', size: 'long', price: 'float', timestamp: 'timestamp', transactTime: 'timestamp' },
    filter: { symbol },
    data: partialRows,
  });

  // Index of a level: mostly within the top ~15, sometimes anywhere.
  const nearTop = (len: number): number =>
    random() < 0.1 ? Math.floor(random() * len) : Math.min(len - 1, Math.floor(-Math.log(1 - random()) * 15));

  const frames: string[] = [];
  const frameRows: number[] = [];
  const counts = { update: 0, insert: 0, delete: 0 };
  let rows = 0;
  while (rows < totalRows) {
    const r = random();
    let action: 'update' | 'insert' | 'delete' = r < 0.7 ? 'update' : r < 0.85 ? 'insert' : 'delete';
    const n = Math.min(totalRows - rows, ((x) => (x < 0.65 ? 1 : x < 0.85 ? 2 : x < 0.95 ? 3 : 4))(random()));
    // Keep each side near its initial size (decided per frame: a frame has one action).
    if (action === 'delete' && Math.min(bids.length, asks.length) < levelsPerSide * 0.9) action = 'insert';
    else if (action === 'insert' && Math.max(bids.length, asks.length) > levelsPerSide * 1.1) action = 'delete';
    const ts = stamp();
    const data: Record<string, unknown>[] = [];
    const touched = new Set<number>();
    for (let k = 0; k < n; k++) {
      const sideIx: 0 | 1 = random() < 0.5 ? 0 : 1;
      const book = sideIx === 0 ? bids : asks;
      const taken = used[sideIx] as Set<number>;
      if (action === 'insert') {
        const other = sideIx === 0 ? asks : bids;
        const best = (book[0] as Level).tick;
        const opposite = (other[0] as Level).tick;
        let tick = NaN;
        for (let tries = 0; tries < 50 && Number.isNaN(tick); tries++) {
          const k2 = Math.floor(-Math.log(1 - random()) * 15) - 1;
          const t = sideIx === 0 ? best - k2 : best + k2;
          const crosses = sideIx === 0 ? t >= opposite : t <= opposite;
          if (!crosses && !taken.has(t)) tick = t;
        }
        if (Number.isNaN(tick)) tick = (book[book.length - 1] as Level).tick + (sideIx === 0 ? -1 : 1);
        const level: Level = { id: newId(), tick, size: size() };
        taken.add(tick);
        let at = 0;
        while (at < book.length && (sideIx === 0 ? (book[at] as Level).tick > tick : (book[at] as Level).tick < tick)) at++;
        book.splice(at, 0, level);
        touched.add(level.id);
        data.push(row(sideIx, level, ts));
      } else {
        let ix = nearTop(book.length);
        // One row per level per frame, as BitMEX conflates.
        while (touched.has((book[ix] as Level).id) && ix < book.length - 1) ix++;
        const level = book[ix] as Level;
        touched.add(level.id);
        if (action === 'update') {
          level.size = size();
          data.push(row(sideIx, level, ts));
        } else {
          book.splice(ix, 1);
          taken.delete(level.tick);
          data.push(row(sideIx, level, ts, false));
        }
      }
      counts[action]++;
    }
    frames.push(JSON.stringify({ table: 'orderBookL2', action, data }));
    frameRows.push(data.length);
    rows += data.length;
  }
  return { symbol, partial, levels: levelsPerSide * 2, frames, frameRows, counts };
}

/** Number of leading delta frames that hold the first `rows` rows (all frames if fewer). */
export function framesFor(frames: BenchFrames, rows: number): number {
  let to = 0;
  for (let n = 0; to < frames.frames.length && n < rows; to++) n += frames.frameRows[to] as number;
  return to;
}
