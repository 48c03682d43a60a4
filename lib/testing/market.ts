/**
 * The simulator's public market: instruments, full order books with arbitrary level ids, trades,
 * quotes, and the tables derived from the books (orderBookL2_25, orderBook10, quote). Each market
 * event mutates the state and returns the table frames it caused, in order. The book model lives in
 * ./order-book and the frame building in ./market-frames; this file is the random activity.
 * @module
 */
import type { Row } from '../protocol/frames';
import { SeededRandom } from './random';
import { isoTime } from './protocol';
import type { SimulatorInstrument } from './instruments';
import {
  INITIAL_NEAR, MAX_NEAR, MIN_NEAR, emptyBook, midPrice, nearCount, place, priceAt, sameTop, sideLevels, top,
  type Book, type Level, type Side, type SimulatorBook, type SimulatorLevel,
} from './order-book';
import { book10Row, l2Frame, l2Row, l2TopFrames, quoteRow, type MarketFrame } from './market-frames';

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
    return { bid: bid && priceAt(b, bid.ticks), ask: ask && priceAt(b, ask.ticks) };
  }

  /** Rounds a price to the symbol's tick. */
  roundPrice(symbol: string, price: number): number {
    const b = this.book(symbol);
    return priceAt(b, Math.round(price / b.spec.tickSize));
  }

  /** True book of a symbol: the full book, its top 25 (orderBookL2_25) or top 10 (orderBook10). */
  truth(symbol: string, table: 'orderBookL2' | 'orderBookL2_25' | 'orderBook10' = 'orderBookL2'): SimulatorBook {
    const b = this.book(symbol);
    const depth = table === 'orderBookL2' ? Infinity : table === 'orderBookL2_25' ? 25 : 10;
    const level = (l: Level): SimulatorLevel => ({ price: priceAt(b, l.ticks), size: l.size, id: l.id });
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
          for (const l of asks) rows.push(l2Row(b, 'Sell', l, ts));
          for (const l of b.bids.slice(0, depth)) rows.push(l2Row(b, 'Buy', l, ts));
          break;
        }
        case 'orderBook10':
          rows.push(book10Row(this.clock, b));
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
    return { table, action: 'update', symbol, data: [{ ...l2Row(b, 'Buy', { id, ticks, size: b.spec.lotSize, far: false }, ts) }] };
  }

  // ---- events ---------------------------------------------------------------------------------

  private updateLevel(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const side = this.side();
    const levels = sideLevels(b, side);
    const l = levels[this.rng.geometric(0.3, nearCount(levels) - 1)];
    if (!l) return [];
    let size = this.randomSize(b);
    if (size === l.size) size += b.spec.lotSize;
    l.size = size;
    return [l2Frame(this.clock, b, 'orderBookL2', 'update', side, [l])];
  }

  private insertLevel(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const side = this.side();
    const levels = sideLevels(b, side);
    if (nearCount(levels) >= MAX_NEAR) return this.deleteLevel(symbol);
    const other = sideLevels(b, side === 'Buy' ? 'Sell' : 'Buy')[0];
    const mine = levels[0];
    // Anchor on the opposite best so prices inside the spread are possible; stay mostly near the top.
    const anchor = other ? other.ticks : mine ? mine.ticks + (side === 'Buy' ? 1 : -1) : Math.round(b.spec.price / b.spec.tickSize);
    for (let attempt = 0; attempt < 12; attempt++) {
      const offset = 1 + this.rng.geometric(0.15, 60);
      const ticks = side === 'Buy' ? anchor - offset : anchor + offset;
      if (ticks <= 0 || levels.some((l) => l.ticks === ticks)) continue;
      const level: Level = { id: this.freshId(this.rng), ticks, size: this.randomSize(b), far: false };
      place(levels, side, level);
      return [l2Frame(this.clock, b, 'orderBookL2', 'insert', side, [level])];
    }
    return this.updateLevel(symbol);
  }

  private deleteLevel(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const side = this.side();
    const levels = sideLevels(b, side);
    const near = nearCount(levels);
    if (near <= MIN_NEAR) return this.insertLevel(symbol);
    const i = this.rng.geometric(0.3, near - 1);
    const [l] = levels.splice(i, 1);
    return l ? [l2Frame(this.clock, b, 'orderBookL2', 'delete', side, [l])] : [];
  }

  private trade(symbol: string): MarketFrame[] {
    const b = this.book(symbol);
    const aggressor = this.side();
    const resting = sideLevels(b, aggressor === 'Buy' ? 'Sell' : 'Buy');
    const l = resting[0];
    if (!l || l.far) return this.withDerived(symbol, () => this.insertLevel(symbol));
    const canDelete = nearCount(resting) > MIN_NEAR;
    let qty = Math.min(l.size, this.randomSize(b));
    if (qty >= l.size && !canDelete) qty = l.size - b.spec.lotSize;
    if (qty <= 0) return this.withDerived(symbol, () => this.updateLevel(symbol));
    const price = priceAt(b, l.ticks);
    const [tradeFrame, instrumentFrame] = this.tradeFrames(b, aggressor, qty, price);
    const frames: MarketFrame[] = [tradeFrame];
    const restingSide: Side = aggressor === 'Buy' ? 'Sell' : 'Buy';
    frames.push(
      ...this.withDerived(symbol, () => {
        if (qty === l.size) {
          resting.shift();
          return [l2Frame(this.clock, b, 'orderBookL2', 'delete', restingSide, [l])];
        }
        l.size -= qty;
        return [l2Frame(this.clock, b, 'orderBookL2', 'update', restingSide, [l])];
      }),
    );
    // The trade's instrument update goes out last, so the truth takes it last: the book change
    // may have stamped the instrument a millisecond later in between.
    Object.assign(this.instrumentRow(symbol), instrumentFrame.data[0]);
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
    const before = top(b, 25);
    const frames = change();
    const after = top(b, 25);
    const ts = isoTime(this.clock());
    frames.push(...l2TopFrames(b, symbol, before, after, ts));
    if (!sameTop(before, after, 10)) frames.push({ table: 'orderBook10', action: 'update', symbol, data: [book10Row(this.clock, b)] });
    if (!sameTop(before, after, 1)) {
      const quote = quoteRow(this.clock, b);
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

  /** The trade insert, and the instrument update it causes (sent, and applied to the truth, after the book frames). */
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
    const b: Book = emptyBook(spec);
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

    const bid = priceAt(b, mid);
    const ask = priceAt(b, mid + 1);
    const underlying = spec.symbol.replace(/USDT?$/, '');
    const ts = isoTime(this.clock());
    this.instruments.set(spec.symbol, {
      symbol: spec.symbol, rootSymbol: underlying, state: 'Open', typ: 'FFWCSX',
      quoteCurrency: 'USD', underlying, settlCurrency: 'XBt', tickSize: spec.tickSize, lotSize: spec.lotSize,
      multiplier: spec.multiplier, lastPrice: bid, lastTickDirection: 'ZeroPlusTick', lastChangePcnt: 0, prevClosePrice: bid,
      bidPrice: bid, midPrice: midPrice(b, bid, ask), askPrice: ask, markPrice: bid, fairPrice: bid, indicativeSettlePrice: bid,
      markMethod: 'FairPrice', fundingRate: 0.0001, volume: 0, volume24h: 0, turnover: 0, openInterest: 0, timestamp: ts,
    });
    this.lastQuote.set(spec.symbol, quoteRow(this.clock, b));
  }

  private book(symbol: string): Book {
    const b = this.books.get(symbol);
    if (!b) throw new RangeError(`unknown symbol ${symbol}`);
    return b;
  }

  private side(): Side {
    return this.rng.chance(0.5) ? 'Buy' : 'Sell';
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
