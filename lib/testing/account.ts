/**
 * The simulator's accounts: one per configured API key, each with orders, executions, positions,
 * a margin and a wallet row. Private events (new order, fill, cancel) change them and return the
 * frames for the private tables, tagged with the owning account.
 * @module
 */
import type { Row } from '../protocol/frames';
import type { Market } from './market';
import type { MarketFrame } from './market-frames';
import type { SeededRandom } from './random';
import { isoTime } from './protocol';

/** One simulated account. */
interface Account {
  readonly apiKey: string;
  readonly secret: string;
  readonly account: number;
  /** Open orders by orderID; an order leaves once filled or cancelled. */
  readonly orders: Map<string, Record<string, unknown>>;
  readonly positions: Map<string, Record<string, unknown>>;
  readonly margin: Record<string, unknown>;
  readonly wallet: Record<string, unknown>;
}

/** Starting balance: 1 XBT in satoshis. */
const START_BALANCE = 100_000_000;
const FEE_RATE = 0.0005;

/** All simulated accounts. */
export class Accounts {
  private readonly byKey = new Map<string, Account>();
  private readonly byNumber = new Map<number, Account>();

  /** @param apiKeys key → secret; accounts are numbered from 100001 in key order. */
  constructor(
    apiKeys: Readonly<Record<string, string>>,
    private readonly market: Market,
    private readonly rng: SeededRandom,
    private readonly clock: () => number,
  ) {
    let n = 100001;
    const ts = isoTime(clock());
    for (const [apiKey, secret] of Object.entries(apiKeys)) {
      const account = n++;
      const positions = new Map<string, Record<string, unknown>>();
      for (const symbol of market.symbols()) {
        positions.set(symbol, {
          account, symbol, currency: 'XBt', underlying: symbol.replace(/USDT?$/, ''), quoteCurrency: 'USD', leverage: 10,
          crossMargin: true, currentQty: 0, currentCost: 0, realisedPnl: 0, unrealisedPnl: 0, avgEntryPrice: undefined,
          markPrice: undefined, liquidationPrice: undefined, isOpen: false, timestamp: ts,
        });
      }
      const a: Account = {
        apiKey, secret, account, orders: new Map(), positions,
        margin: {
          account, currency: 'XBt', walletBalance: START_BALANCE, marginBalance: START_BALANCE, availableMargin: START_BALANCE,
          realisedPnl: 0, unrealisedPnl: 0, grossComm: 0, timestamp: ts,
        },
        wallet: { account, currency: 'XBt', amount: START_BALANCE, deposited: START_BALANCE, withdrawn: 0, transferIn: 0, transferOut: 0, timestamp: ts },
      };
      this.byKey.set(apiKey, a);
      this.byNumber.set(account, a);
    }
  }

  /** Whether any account exists (private events happen only then). */
  get size(): number {
    return this.byKey.size;
  }

  /** Secret of an API key, undefined for an unknown key. */
  secretOf(apiKey: string): string | undefined {
    return this.byKey.get(apiKey)?.secret;
  }

  /** Account number of an API key. */
  accountOf(apiKey: string): number | undefined {
    return this.byKey.get(apiKey)?.account;
  }

  /** Rows of a private table's image for one account (what its partial holds); `symbol` filters. */
  image(table: string, account: number, symbol?: string): Row[] {
    const a = this.byNumber.get(account);
    if (!a) return [];
    const bySymbol = (r: Record<string, unknown>) => symbol === undefined || symbol === '*' || r.symbol === symbol;
    switch (table) {
      case 'order':
        return [...a.orders.values()].filter(bySymbol).map((o) => ({ ...o }));
      case 'position':
        return [...a.positions.values()].filter(bySymbol).map((p) => ({ ...p }));
      case 'margin':
        return [{ ...a.margin }];
      case 'wallet':
        return [{ ...a.wallet }];
      default:
        // execution is a stream; the others are not animated.
        return [];
    }
  }

  /** One random private event for a random account: a new order, a fill or a cancel. */
  privateEvent(): MarketFrame[] {
    const a = this.rng.pick([...this.byKey.values()]);
    const open = [...a.orders.values()];
    const r = this.rng.next();
    if (open.length === 0 || (r < 0.45 && open.length < 20)) return this.newOrder(a);
    const order = this.rng.pick(open);
    return r < 0.8 ? this.fill(a, order) : this.cancel(a, order, 'Canceled: Canceled via API.');
  }

  /** Cancels every open order of the account (the dead man's switch firing). */
  cancelAll(account: number, text: string): MarketFrame[] {
    const a = this.byNumber.get(account);
    if (!a) return [];
    const frames: MarketFrame[] = [];
    for (const o of [...a.orders.values()]) frames.push(...this.cancel(a, o, text));
    return frames;
  }

  private newOrder(a: Account): MarketFrame[] {
    const symbol = this.rng.pick(this.market.symbols());
    const spec = this.market.spec(symbol);
    const side = this.rng.chance(0.5) ? 'Buy' : 'Sell';
    const { bid, ask } = this.market.best(symbol);
    const ref = side === 'Buy' ? bid ?? spec.price : ask ?? spec.price;
    const away = this.rng.int(0, 20) * spec.tickSize;
    const price = this.market.roundPrice(symbol, side === 'Buy' ? ref - away : ref + away);
    const orderQty = this.rng.int(1, 10) * spec.lotSize;
    const ts = isoTime(this.clock());
    const order: Record<string, unknown> = {
      orderID: this.rng.guid(), clOrdID: '', clOrdLinkID: '', account: a.account, symbol, side, orderQty, price,
      currency: 'USD', settlCurrency: 'XBt', ordType: 'Limit', timeInForce: 'GoodTillCancel', execInst: '',
      ordStatus: 'New', workingIndicator: true, leavesQty: orderQty, cumQty: 0, avgPx: undefined,
      text: 'Submitted via API.', transactTime: ts, timestamp: ts,
    };
    a.orders.set(String(order.orderID), order);
    return [
      { table: 'order', action: 'insert', symbol, account: a.account, data: [{ ...order }] },
      { table: 'execution', action: 'insert', symbol, account: a.account, data: [this.execution(a, order, 'New', 0, undefined, ts)] },
    ];
  }

  private fill(a: Account, order: Record<string, unknown>): MarketFrame[] {
    const symbol = String(order.symbol);
    const spec = this.market.spec(symbol);
    const leaves = Number(order.leavesQty);
    const lastQty = this.rng.chance(0.5) || leaves <= spec.lotSize ? leaves : this.rng.int(1, leaves / spec.lotSize - 1) * spec.lotSize;
    const lastPx = Number(order.price);
    const cumQty = Number(order.cumQty) + lastQty;
    const prevAvg = typeof order.avgPx === 'number' ? order.avgPx : lastPx;
    const avgPx = this.market.roundPrice(symbol, (prevAvg * Number(order.cumQty) + lastPx * lastQty) / cumQty);
    const ts = isoTime(this.clock());
    const ordStatus = cumQty === Number(order.orderQty) ? 'Filled' : 'PartiallyFilled';
    const change = { orderID: order.orderID, account: a.account, symbol, ordStatus, workingIndicator: ordStatus !== 'Filled', leavesQty: leaves - lastQty, cumQty, avgPx, timestamp: ts };
    Object.assign(order, change);
    if (ordStatus === 'Filled') a.orders.delete(String(order.orderID));
    const exec = this.execution(a, order, 'Trade', lastQty, lastPx, ts);
    const commission = Number(exec.execComm);

    // Position: signed quantity, average entry over the open part, a crude realised PnL on reduction.
    const pos = a.positions.get(symbol) as Record<string, unknown>;
    const signed = order.side === 'Buy' ? lastQty : -lastQty;
    const qty = Number(pos.currentQty);
    const next = qty + signed;
    let realised = -commission;
    let avgEntry = typeof pos.avgEntryPrice === 'number' ? pos.avgEntryPrice : undefined;
    if (qty === 0 || Math.sign(qty) === Math.sign(signed)) {
      avgEntry = this.market.roundPrice(symbol, ((avgEntry ?? lastPx) * Math.abs(qty) + lastPx * lastQty) / Math.abs(next));
    } else {
      const closed = Math.min(Math.abs(qty), lastQty);
      realised += Math.round(this.value(symbol, closed, lastPx) - this.value(symbol, closed, avgEntry ?? lastPx)) * Math.sign(qty);
      // A flat position keeps its last entry price: a sparse update cannot unset a field.
      if (next !== 0 && Math.sign(next) !== Math.sign(qty)) avgEntry = lastPx;
    }
    const posChange: Record<string, unknown> = {
      account: a.account, symbol, currency: 'XBt', currentQty: next, currentCost: Math.round(-this.value(symbol, next, avgEntry ?? lastPx)),
      realisedPnl: Number(pos.realisedPnl) + realised, avgEntryPrice: avgEntry, markPrice: lastPx, isOpen: next !== 0, timestamp: ts,
    };
    Object.assign(pos, posChange);

    const walletBalance = Number(a.margin.walletBalance) + realised;
    const marginChange = {
      account: a.account, currency: 'XBt', walletBalance, marginBalance: walletBalance, availableMargin: walletBalance,
      realisedPnl: Number(a.margin.realisedPnl) + realised, grossComm: Number(a.margin.grossComm) + commission, timestamp: ts,
    };
    Object.assign(a.margin, marginChange);
    const walletChange = { account: a.account, currency: 'XBt', amount: walletBalance, timestamp: ts };
    Object.assign(a.wallet, walletChange);
    return [
      { table: 'execution', action: 'insert', symbol, account: a.account, data: [exec] },
      { table: 'order', action: 'update', symbol, account: a.account, data: [change] },
      { table: 'position', action: 'update', symbol, account: a.account, data: [withoutUndefined(posChange)] },
      { table: 'margin', action: 'update', account: a.account, data: [marginChange] },
      { table: 'wallet', action: 'update', account: a.account, data: [walletChange] },
    ];
  }

  private cancel(a: Account, order: Record<string, unknown>, text: string): MarketFrame[] {
    const symbol = String(order.symbol);
    const ts = isoTime(this.clock());
    const change = { orderID: order.orderID, account: a.account, symbol, ordStatus: 'Canceled', workingIndicator: false, leavesQty: 0, text, timestamp: ts };
    Object.assign(order, change);
    a.orders.delete(String(order.orderID));
    return [
      { table: 'order', action: 'update', symbol, account: a.account, data: [change] },
      { table: 'execution', action: 'insert', symbol, account: a.account, data: [this.execution(a, order, 'Canceled', 0, undefined, ts)] },
    ];
  }

  private execution(a: Account, o: Record<string, unknown>, execType: string, lastQty: number, lastPx: number | undefined, ts: string): Row {
    const symbol = String(o.symbol);
    const execComm = lastPx === undefined ? 0 : Math.round(Math.abs(this.value(symbol, lastQty, lastPx)) * FEE_RATE);
    return withoutUndefined({
      execID: this.rng.guid(), orderID: o.orderID, clOrdID: o.clOrdID, account: a.account, symbol, side: o.side, lastQty, lastPx,
      lastLiquidityInd: execType === 'Trade' ? 'AddedLiquidity' : undefined, orderQty: o.orderQty, price: o.price,
      currency: o.currency, settlCurrency: o.settlCurrency, execType, ordType: o.ordType, timeInForce: o.timeInForce,
      ordStatus: o.ordStatus, leavesQty: o.leavesQty, cumQty: o.cumQty, avgPx: o.avgPx, commission: FEE_RATE,
      execCost: lastPx === undefined ? 0 : Math.round(-this.value(symbol, lastQty, lastPx)), execComm,
      text: o.text, trdMatchID: execType === 'Trade' ? this.rng.guid() : undefined, transactTime: ts, timestamp: ts,
    });
  }

  /** Value of a quantity in XBt (signed as the quantity). */
  private value(symbol: string, qty: number, price: number): number {
    const m = this.market.spec(symbol).multiplier;
    return m < 0 ? (qty / price) * -m : qty * price * m;
  }
}

/** BitMEX stopped sending nulls in 2023: missing fields are left out. */
function withoutUndefined(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (v !== undefined) out[k] = v;
  return out;
}
