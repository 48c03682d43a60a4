/**
 * The simulator's public market: instruments, full order books with arbitrary level ids, trades,
 * quotes, and the tables derived from the books (orderBookL2_25, orderBook10, quote). Each market
 * event mutates the state and returns the table frames it caused, in order.
 * @module
 */
import type { Row } from '../protocol/frames';
import { SeededRandom } from './random';
import { isoTime } from './protocol';

/** One instrument of the simulated market. */
export interface SimulatorInstrument {
  /** e.g. `XBTUSD`. */
  readonly symbol: string;
  /** Price step; every price in the book is a multiple of it. */
  readonly tickSize: number;
  /** Quantity step; every size is a multiple of it. */
  readonly lotSize: number;
  /** Starting mid price. */
  readonly price: number;
  /** XBt per contract per USD (positive, quanto) or negative for inverse contracts such as XBTUSD. */
  readonly multiplier?: number;
}

/** Defaults for the usual symbols; any other symbol gets tick 0.01, lot 1, price 100. */
export const DEFAULT_INSTRUMENTS: Readonly<Record<string, SimulatorInstrument>> = {
  XBTUSD: { symbol: 'XBTUSD', tickSize: 0.5, lotSize: 100, price: 60000, multiplier: -100000000 },
  ETHUSD: { symbol: 'ETHUSD', tickSize: 0.05, lotSize: 1, price: 3000, multiplier: 100 },
  SOLUSD: { symbol: 'SOLUSD', tickSize: 0.01, lotSize: 1, price: 150, multiplier: 100 },
};

/** A price level as the true book holds it. */
export interface SimulatorLevel {
  readonly price: number;
  readonly size: number;
  /** The level's orderBookL2 id (arbitrary, not derived from the price). */
  readonly id: number;
}

/** The true state of one book: bids high→low, asks low→high. */
export interface SimulatorBook {
  readonly bids: SimulatorLevel[];
  readonly asks: SimulatorLevel[];
}

/** A change caused by a market event: one table frame, routed by table, symbol and account. */
export interface MarketFrame {
  readonly table: string;
  readonly action: 'insert' | 'update' | 'delete';
  readonly data: Row[];
  /** Symbol of every row, when the table is filtered by symbol. */
  readonly symbol?: string;
  /** Owner of every row, for private tables. */
  readonly account?: number;
}

type Side = 'Buy' | 'Sell';

interface Level {
  readonly id: number;
  readonly ticks: number;
  size: number;
  /** Far-out resting levels (as BitMEX's 999999 asks): never traded or deleted. */
  readonly far: boolean;
}

interface Book {
  readonly spec: Required<SimulatorInstrument>;
  readonly decimals: number;
  /** 10^decimals. */
  readonly scale: number;
  /** Bids high→low then asks low→high; far levels sit at the tail of each. */
  readonly bids: Level[];
  readonly asks: Level[];
}

/** Copies of the top levels, taken before a change to diff against after it. */
interface TopSnapshot {
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** Near levels per side are kept between these bounds, so orderBookL2_25 is always full. */
const MIN_NEAR = 30;
const MAX_NEAR = 90;
const INITIAL_NEAR = 50;

/** Resolves `symbols` (names or full specs) into instrument specs. */
export function resolveInstruments(symbols: readonly (string | SimulatorInstrument)[]): Required<SimulatorInstrument>[] {
  return symbols.map((s) => {
    const spec = typeof s === 'string' ? DEFAULT_INSTRUMENTS[s] ?? { symbol: s, tickSize: 0.01, lotSize: 1, price: 100 } : s;
    return { multiplier: 100, ...spec };
  });
}

/** The public market of the simulator. */
export class Market {
  private readonly books = new Map<string, Book>();
  private readonly instruments = new Map<string, Record<string, unknown>>();
  private readonly lastTrade = new Map<string, Row>();
  private readonly lastQuote = new Map<string, Row>();
  private readonly usedIds = new Set<number>();
  /** Out-of-band randomness (faults), so they never shift the seeded market sequence. */
  private readonly sideRng: SeededRandom;

  /** @param specs instruments; @param rng the seeded market sequence; @param clock ms since epoch for timestamps. */
  constructor(
    specs: readonly Required<SimulatorInstrument>[],
    private readonly rng: SeededRandom,
    private readonly clock: () => number,
    seed: number,
  ) {
    this.sideRng = new SeededRandom(seed ^ 0x5bd1e995);
    for (const spec of specs) this.addInstrument(spec);
  }

  /** Symbols of the market, in the order given. */
  symbols(): string[] {
    return [...this.books.keys()];
  }

  /** Whether the symbol is traded here. */
  has(symbol: string): boolean {
    return this.books.has(symbol);
  }

  /** Tick size, lot size and multiplier of a symbol. */
  spec(symbol: string): Required<SimulatorInstrument> {
    return this.book(symbol).spec;
  }

  /** Best bid and ask prices (either undefined when that side is empty). */
  best(symbol: string): { bid: number | undefined; ask: number | undefined } {
    const b = this.book(symbol);
    const bid = b.bids[0];
    const ask = b.asks[0];
    return { bid: bid && this.price(b, bid.ticks), ask: ask && this.price(b, ask.ticks) };
  }

  /** Rounds a price to the symbol's tick. */
  roundPrice(symbol: string, price: number): number {
    const b = this.book(symbol);
    return this.price(b, Math.round(price / b.spec.tickSize));
  }

  /** True book of a symbol: the full book, its top 25 (orderBookL2_25) or top 10 (orderBook10). */
  truth(symbol: string, table: 'orderBookL2' | 'orderBookL2_25' | 'orderBook10' = 'orderBookL2'): SimulatorBook {
    const b = this.book(symbol);
    const depth = table === 'orderBookL2' ? Infinity : table === 'orderBookL2_25' ? 25 : 10;
    const level = (l: Level): SimulatorLevel => ({ price: this.price(b, l.ticks), size: l.size, id: l.id });
    return { bids: b.bids.slice(0, depth).map(level), asks: b.asks.slice(0, depth).map(level) };
  }

  /**
   * Rows of a public table's image, as a partial sends them; `symbol` undefined or `*` means all.
   * Tables the market does not animate have an empty image.
   */
  image(table: string, symbol?: string): Row[] {
    const symbols = symbol === undefined || symbol === '*' ? this.symbols() : this.has(symbol) ? [symbol] : [];
    const rows: Row[] = [];
    for (const s of symbols) {
      const b = this.book(s);
      switch (table) {
        case 'instrument':
          rows.push({ ...this.instruments.get(s) });
          break;
        case 'orderBookL2':
        case 'orderBookL2_25': {
          const depth = table === 'orderBookL2' ? Infinity : 25;
          // BitMEX's partial order: asks high→low, then bids high→low.
          const asks = b.asks.slice(0, depth).reverse();
          const ts = isoTime(this.clock());
          for (const l of asks) rows.push(this.l2Row(b, 'Sell', l, ts));
          for (const l of b.bids.slice(0, depth)) rows.push(this.l2Row(b, 'Buy', l, ts));
          break;
        }
        case 'orderBook10':
          rows.push(this.book10Row(b));
          break;
        case 'quote': {
          const q = this.lastQuote.get(s);
          if (q) rows.push(q);
          break;
        }
        case 'trade': {
          const t = this.lastTrade.get(s);
          if (t) rows.push(t);
          break;
        }
        default:
          break;
      }
    }
    return rows;
  }

  /** One random public event: book insert/update/delete, a trade, or a mark price move. */
  publicEvent(): MarketFrame[] {
    const symbol = this.rng.pick(this.symbols());
    const r = this.rng.next();
    if (r < 0.45) return this.withDerived(symbol, () => this.updateLevel(symbol));
    if (r < 0.63) return this.withDerived(symbol, () => this.insertLevel(symbol));
    if (r < 0.8) return this.withDerived(symbol, () => this.deleteLevel(symbol));
    if (r < 0.95) return this.trade(symbol);
    return this.markPrice(symbol);
  }

  /**
   * Frames for an update of a level id the book never had (a fault): its price sits inside the
   * book so nothing but the id gives it away.
   */
  unknownRowUpdate(symbol: string, table: 'orderBookL2' | 'orderBookL2_25'): MarketFrame {
    const b = this.book(symbol);
    const id = this.freshId(this.sideRng);
    const ts = isoTime(this.clock());
    const top = b.bids[0];
    const ticks = top ? top.ticks : Math.round(b.spec.price / b.spec.tickSize);
    return { table, action: 'update', symbol, data: [{ ...this.l2Row(b, 'Buy', { id, ticks, size: b.spec.lotSize, far: false }, ts) }] };
  }

  // ---- events ---------------------------------------------------------------------------------

  private updateLevel(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const side = this.side();
    const levels = this.levels(b, side);
    const l = levels[this.rng.geometric(0.3, this.nearCount(levels) - 1)];
    if (!l) return [];
    let size = this.randomSize(b);
    if (size === l.size) size += b.spec.lotSize;
    l.size = size;
    return [this.l2Frame(b, 'orderBookL2', 'update', side, [l])];
  }

  private insertLevel(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const side = this.side();
    const levels = this.levels(b, side);
    if (this.nearCount(levels) >= MAX_NEAR) return this.deleteLevel(symbol);
    const other = this.levels(b, side === 'Buy' ? 'Sell' : 'Buy')[0];
    const mine = levels[0];
    // Anchor on the opposite best so prices inside the spread are possible; stay mostly near the top.
    const anchor = other ? other.ticks : mine ? mine.ticks + (side === 'Buy' ? 1 : -1) : Math.round(b.spec.price / b.spec.tickSize);
    for (let attempt = 0; attempt < 12; attempt++) {
      const offset = 1 + this.rng.geometric(0.15, 60);
      const ticks = side === 'Buy' ? anchor - offset : anchor + offset;
      if (ticks <= 0 || levels.some((l) => l.ticks === ticks)) continue;
      const level: Level = { id: this.freshId(this.rng), ticks, size: this.randomSize(b), far: false };
      this.place(levels, side, level);
      return [this.l2Frame(b, 'orderBookL2', 'insert', side, [level])];
    }
    return this.updateLevel(symbol);
  }

  private deleteLevel(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const side = this.side();
    const levels = this.levels(b, side);
    const near = this.nearCount(levels);
    if (near <= MIN_NEAR) return this.insertLevel(symbol);
    const i = this.rng.geometric(0.3, near - 1);
    const [l] = levels.splice(i, 1);
    return l ? [this.l2Frame(b, 'orderBookL2', 'delete', side, [l])] : [];
  }

  private trade(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const aggressor = this.side();
    const resting = this.levels(b, aggressor === 'Buy' ? 'Sell' : 'Buy');
    const l = resting[0];
    if (!l || l.far) return this.withDerived(symbol, () => this.insertLevel(symbol));
    const canDelete = this.nearCount(resting) > MIN_NEAR;
    let qty = Math.min(l.size, this.randomSize(b));
    if (qty >= l.size && !canDelete) qty = l.size - b.spec.lotSize;
    if (qty <= 0) return this.withDerived(symbol, () => this.updateLevel(symbol));
    const price = this.price(b, l.ticks);
    const [tradeFrame, instrumentFrame] = this.tradeFrames(b, aggressor, qty, price);
    const frames: MarketFrame[] = [tradeFrame];
    const restingSide: Side = aggressor === 'Buy' ? 'Sell' : 'Buy';
    frames.push(
      ...this.withDerived(symbol, () => {
        if (qty === l.size) {
          resting.shift();
          return [this.l2Frame(b, 'orderBookL2', 'delete', restingSide, [l])];
        }
        l.size -= qty;
        return [this.l2Frame(b, 'orderBookL2', 'update', restingSide, [l])];
      }),
    );
    frames.push(instrumentFrame);
    return frames;
  }

  private markPrice(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const inst = this.instrumentRow(symbol);
    const { bid, ask } = this.best(symbol);
    const mid = bid !== undefined && ask !== undefined ? (bid + ask) / 2 : b.spec.price;
    const markPrice = Number((mid * (1 + (this.rng.next() - 0.5) * 0.0004)).toFixed(2));
    const change = { symbol, markPrice, fairPrice: markPrice, indicativeSettlePrice: Number((markPrice * 0.9999).toFixed(2)), timestamp: isoTime(this.clock()) };
    Object.assign(inst, change);
    return [{ table: 'instrument', action: 'update', symbol, data: [change] }];
  }

  // ---- derived tables ------------------------------------------------------------------------------

  /** Runs a book change, then appends the orderBookL2_25, orderBook10, quote and instrument frames it caused. */
  private withDerived(symbol: string, change: () => MarketFrame[]): MarketFrame[] {
    const b = this.book(symbol);
    const before = this.top(b, 25);
    const frames = change();
    const after = this.top(b, 25);
    const ts = isoTime(this.clock());
    const deletes: Row[] = [];
    const inserts: Row[] = [];
    const updates: Row[] = [];
    for (const side of ['Sell', 'Buy'] as const) {
      const was = side === 'Buy' ? before.bids : before.asks;
      const now = side === 'Buy' ? after.bids : after.asks;
      if (sameIds(was, now)) {
        // The common case (a size change): same levels in the same places.
        for (let i = 0; i < now.length; i++) {
          const l = now[i] as Level;
          if ((was[i] as Level).size !== l.size) updates.push(this.l2Row(b, side, l, ts));
        }
        continue;
      }
      const wasById = new Map(was.map((l) => [l.id, l]));
      const nowIds = new Set(now.map((l) => l.id));
      for (const l of was) if (!nowIds.has(l.id)) deletes.push(this.l2DeleteRow(b, side, l, ts));
      for (const l of now) {
        const old = wasById.get(l.id);
        if (!old) inserts.push(this.l2Row(b, side, l, ts));
        else if (old.size !== l.size) updates.push(this.l2Row(b, side, l, ts));
      }
    }
    if (deletes.length) frames.push({ table: 'orderBookL2_25', action: 'delete', symbol, data: deletes });
    if (inserts.length) frames.push({ table: 'orderBookL2_25', action: 'insert', symbol, data: inserts });
    if (updates.length) frames.push({ table: 'orderBookL2_25', action: 'update', symbol, data: updates });

    if (!sameTop(before, after, 10)) frames.push({ table: 'orderBook10', action: 'update', symbol, data: [this.book10Row(b)] });
    if (!sameTop(before, after, 1)) {
      const quote = this.quoteRow(b);
      this.lastQuote.set(symbol, quote);
      frames.push({ table: 'quote', action: 'insert', symbol, data: [quote] });
      const { bid, ask } = this.best(symbol);
      const inst = this.instrumentRow(symbol);
      if (bid !== inst.bidPrice || ask !== inst.askPrice) {
        const change: Record<string, unknown> = { symbol, bidPrice: bid, midPrice: bid === undefined || ask === undefined ? undefined : midPrice(b, bid, ask), askPrice: ask, timestamp: ts };
        Object.assign(inst, change);
        frames.push({ table: 'instrument', action: 'update', symbol, data: [change] });
      }
    }
    return frames;
  }

  private top(b: Book, depth: number): TopSnapshot {
    const snap = (l: Level): Level => ({ id: l.id, ticks: l.ticks, size: l.size, far: l.far });
    return { bids: b.bids.slice(0, depth).map(snap), asks: b.asks.slice(0, depth).map(snap) };
  }

  // ---- rows ------------------------------------------------------------------------------------

  private l2Row(b: Book, side: Side, l: Level, ts: string): Row {
    return { symbol: b.spec.symbol, id: l.id, side, size: l.size, price: this.price(b, l.ticks), timestamp: ts, transactTime: ts };
  }

  private l2DeleteRow(b: Book, side: Side, l: { id: number; ticks: number }, ts: string): Row {
    return { symbol: b.spec.symbol, id: l.id, side, price: this.price(b, l.ticks), timestamp: ts, transactTime: ts };
  }

  private l2Frame(b: Book, table: string, action: 'insert' | 'update' | 'delete', side: Side, levels: Level[]): MarketFrame {
    const ts = isoTime(this.clock());
    const data = levels.map((l) => (action === 'delete' ? this.l2DeleteRow(b, side, l, ts) : this.l2Row(b, side, l, ts)));
    return { table, action, symbol: b.spec.symbol, data };
  }

  private book10Row(b: Book): Row {
    const pairs = (ls: Level[]) => ls.slice(0, 10).map((l) => [this.price(b, l.ticks), l.size]);
    return { symbol: b.spec.symbol, bids: pairs(b.bids), asks: pairs(b.asks), timestamp: isoTime(this.clock()) };
  }

  private quoteRow(b: Book): Row {
    const bid = b.bids[0];
    const ask = b.asks[0];
    return {
      timestamp: isoTime(this.clock()),
      symbol: b.spec.symbol,
      bidSize: bid?.size,
      bidPrice: bid && this.price(b, bid.ticks),
      askPrice: ask && this.price(b, ask.ticks),
      askSize: ask?.size,
    };
  }

  /** The trade insert, and the instrument update it causes (sent after the book frames). */
  private tradeFrames(b: Book, side: Side, size: number, price: number): [MarketFrame, MarketFrame] {
    const symbol = b.spec.symbol;
    const prev = this.lastTrade.get(symbol);
    const prevPrice = typeof prev?.price === 'number' ? prev.price : price;
    const prevDir = typeof prev?.tickDirection === 'string' ? prev.tickDirection : 'ZeroPlusTick';
    const tickDirection = price > prevPrice ? 'PlusTick' : price < prevPrice ? 'MinusTick' : prevDir.includes('Plus') ? 'ZeroPlusTick' : 'ZeroMinusTick';
    const inverse = b.spec.multiplier < 0;
    const grossValue = Math.round(inverse ? (size / price) * -b.spec.multiplier : size * price * b.spec.multiplier);
    const ts = isoTime(this.clock());
    const row: Row = {
      timestamp: ts,
      symbol,
      side,
      size,
      price,
      tickDirection,
      trdMatchID: this.rng.guid(),
      grossValue,
      homeNotional: inverse ? Number((size / price).toFixed(8)) : size,
      foreignNotional: inverse ? size : Number((size * price).toFixed(8)),
      trdType: 'Regular',
    };
    this.lastTrade.set(symbol, row);
    const inst = this.instrumentRow(symbol);
    const prevClose = typeof inst.prevClosePrice === 'number' ? inst.prevClosePrice : price;
    const volume = (typeof inst.volume === 'number' ? inst.volume : 0) + size;
    const turnover = (typeof inst.turnover === 'number' ? inst.turnover : 0) + grossValue;
    const change = {
      symbol, lastPrice: price, lastTickDirection: tickDirection, lastChangePcnt: Number(((price - prevClose) / prevClose).toFixed(4)),
      volume, turnover, timestamp: ts,
    };
    Object.assign(inst, change);
    return [
      { table: 'trade', action: 'insert', symbol, data: [row] },
      { table: 'instrument', action: 'update', symbol, data: [change] },
    ];
  }

  private instrumentRow(symbol: string): Record<string, unknown> {
    const row = this.instruments.get(symbol);
    if (!row) throw new RangeError(`unknown symbol ${symbol}`);
    return row;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private addInstrument(spec: Required<SimulatorInstrument>): void {
    const decimals = Math.max(0, -Math.floor(Math.log10(spec.tickSize) + 1e-9));
    const b: Book = { spec, decimals, scale: 10 ** decimals, bids: [], asks: [] };
    this.books.set(spec.symbol, b);
    const mid = Math.round(spec.price / spec.tickSize);
    let bidTicks = mid;
    let askTicks = mid + 1;
    for (let i = 0; i < INITIAL_NEAR; i++) {
      b.bids.push({ id: this.freshId(this.rng), ticks: bidTicks, size: this.randomSize(b), far: false });
      b.asks.push({ id: this.freshId(this.rng), ticks: askTicks, size: this.randomSize(b), far: false });
      bidTicks -= 1 + (this.rng.chance(0.25) ? this.rng.int(1, 2) : 0);
      askTicks += 1 + (this.rng.chance(0.25) ? this.rng.int(1, 2) : 0);
    }
    // A couple of far-out levels, as the real full book has (e.g. asks at 999999).
    b.bids.push({ id: this.freshId(this.rng), ticks: Math.round(mid * 0.5), size: this.randomSize(b), far: true });
    b.bids.push({ id: this.freshId(this.rng), ticks: Math.max(1, Math.round(mid * 0.01)), size: this.randomSize(b), far: true });
    b.asks.push({ id: this.freshId(this.rng), ticks: mid * 2, size: this.randomSize(b), far: true });
    b.asks.push({ id: this.freshId(this.rng), ticks: mid * 10, size: this.randomSize(b), far: true });

    const bid = this.price(b, mid);
    const ask = this.price(b, mid + 1);
    const underlying = spec.symbol.replace(/USDT?$/, '');
    const ts = isoTime(this.clock());
    this.instruments.set(spec.symbol, {
      symbol: spec.symbol, rootSymbol: underlying, state: 'Open', typ: 'FFWCSX',
      quoteCurrency: 'USD', underlying, settlCurrency: 'XBt', tickSize: spec.tickSize, lotSize: spec.lotSize,
      multiplier: spec.multiplier, lastPrice: bid, lastTickDirection: 'ZeroPlusTick', lastChangePcnt: 0, prevClosePrice: bid,
      bidPrice: bid, midPrice: midPrice(b, bid, ask), askPrice: ask, markPrice: bid, fairPrice: bid, indicativeSettlePrice: bid,
      markMethod: 'FairPrice', fundingRate: 0.0001, volume: 0, volume24h: 0, turnover: 0, openInterest: 0, timestamp: ts,
    });
    this.lastQuote.set(spec.symbol, this.quoteRow(b));
  }

  private book(symbol: string): Book {
    const b = this.books.get(symbol);
    if (!b) throw new RangeError(`unknown symbol ${symbol}`);
    return b;
  }

  private levels(b: Book, side: Side): Level[] {
    return side === 'Buy' ? b.bids : b.asks;
  }

  private nearCount(levels: Level[]): number {
    let n = levels.length;
    while (n > 0 && levels[n - 1]?.far) n--;
    return n;
  }

  private place(levels: Level[], side: Side, level: Level): void {
    const better = (a: number, c: number) => (side === 'Buy' ? a > c : a < c);
    let i = 0;
    while (i < levels.length && !better(level.ticks, (levels[i] as Level).ticks)) i++;
    levels.splice(i, 0, level);
  }

  private side(): Side {
    return this.rng.chance(0.5) ? 'Buy' : 'Sell';
  }

  private price(b: Book, ticks: number): number {
    // Dividing exact integers rounds correctly: the same double as the decimal literal.
    return Math.round(ticks * b.spec.tickSize * b.scale) / b.scale;
  }

  private randomSize(b: Book): number {
    const lots = Math.max(1, Math.floor(Math.exp(this.rng.next() * Math.log(5000))));
    return lots * b.spec.lotSize;
  }

  /** A never-used id, 10 digits like the real ones but unrelated to any price. */
  private freshId(rng: SeededRandom): number {
    for (;;) {
      const id = rng.int(1_000_000_000, 9_999_999_999);
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }
}

function midPrice(b: Book, bid: number, ask: number): number {
  return Number(((bid + ask) / 2).toFixed(b.decimals + 1));
}

function sameIds(a: readonly Level[], b: readonly Level[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i] as Level).id !== (b[i] as Level).id) return false;
  return true;
}

function sameTop(a: TopSnapshot, b: TopSnapshot, depth: number): boolean {
  const same = (x: TopSnapshot['bids'], y: TopSnapshot['bids']) => {
    const n = Math.min(depth, Math.max(x.length, y.length));
    for (let i = 0; i < n; i++) {
      const p = x[i];
      const q = y[i];
      if (!p || !q || p.ticks !== q.ticks || p.size !== q.size) return false;
    }
    return true;
  };
  return same(a.bids, b.bids) && same(a.asks, b.asks);
}
