/**
 * A live order-book ladder in the browser: `book$` for the top levels (grouped by the selector,
 * with running totals drawn as a depth chart), `table$('trade')` for the tape, `status$` for the
 * connection, `clock$` and `latency$` in the header. Query parameters: `symbol` (default XBTUSD),
 * `endpoint` (`mainnet`, `testnet` or a `ws://` URL such as a local simulator's), `depth`
 * (default 15), `group` (a bucket width, default none).
 *
 * Built by scripts/build-browser-example.ts. In an app, import from 'bitmex-rxjs' instead.
 */
import { BehaviorSubject, switchMap } from 'rxjs';
import { BitmexWebSocket } from '../../lib';
import { drawDepth, type DepthPoint } from './depth-chart';

interface Level extends DepthPoint {
  readonly price: number;
  readonly size: number;
}

interface BookView {
  readonly timestamp: unknown;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

interface TradeView {
  readonly timestamp?: unknown;
  readonly side?: unknown;
  readonly price?: unknown;
  readonly size?: unknown;
}

const TRADES_SHOWN = 20;

const params = new URLSearchParams(location.search);
const symbol = params.get('symbol') ?? 'XBTUSD';
const endpoint = params.get('endpoint') ?? 'mainnet';
const depth = Number(params.get('depth') ?? 15);
/** Bucket width chosen by the selector; undefined: every level on its own. */
const group$ = new BehaviorSubject<number | undefined>(params.get('group') ? Number(params.get('group')) : undefined);

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el;
}

const ui = {
  symbol: byId('symbol'),
  status: byId('status'),
  error: byId('error'),
  ladder: byId('ladder'),
  asks: byId('asks'),
  bids: byId('bids'),
  spread: byId('spread'),
  trades: byId('trade-rows'),
  group: byId('group') as HTMLSelectElement,
  depth: byId('depth') as unknown as SVGSVGElement,
  clock: byId('clock'),
};
ui.symbol.textContent = symbol;

function levelRow(side: 'bid' | 'ask', level: Level): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.side = side;
  tr.dataset.price = String(level.price);
  tr.dataset.size = String(level.size);
  tr.append(cell(formatNumber(level.price)), cell(formatNumber(level.size)));
  return tr;
}

function formatNumber(value: unknown): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : String(value);
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function renderBook(book: BookView): void {
  // Asks are shown highest first so the two sides meet at the spread.
  ui.asks.replaceChildren(...book.asks.map((l) => levelRow('ask', l)).reverse());
  ui.bids.replaceChildren(...book.bids.map((l) => levelRow('bid', l)));
  const bid = book.bids[0];
  const ask = book.asks[0];
  ui.ladder.dataset.bestBid = bid ? String(bid.price) : '';
  ui.ladder.dataset.bestAsk = ask ? String(ask.price) : '';
  ui.ladder.dataset.timestamp = String(book.timestamp);
  ui.spread.textContent = bid && ask ? `spread ${+(ask.price - bid.price).toFixed(8)}` : 'spread —';
  drawDepth(ui.depth, book.bids, book.asks);
}

function renderTrades(trades: readonly TradeView[]): void {
  ui.trades.replaceChildren(
    ...trades.map((t) => {
      const tr = document.createElement('tr');
      const time = typeof t.timestamp === 'string' ? t.timestamp.slice(11, 23) : String(t.timestamp);
      const side = cell(String(t.side));
      side.dataset.tradeSide = String(t.side);
      tr.append(cell(time), side, cell(formatNumber(t.price)), cell(formatNumber(t.size)));
      return tr;
    }),
  );
}

// Updates can arrive far faster than the screen refreshes: keep the latest, draw once per frame.
let pendingBook: BookView | undefined;
let trades: TradeView[] = [];
let tradesChanged = false;
let frameRequested = false;
function scheduleRender(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    if (pendingBook) renderBook(pendingBook);
    pendingBook = undefined;
    if (tradesChanged) renderTrades(trades);
    tradesChanged = false;
  });
}

function showError(err: unknown): void {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  ui.error.textContent = message;
  ui.error.dataset.error = message;
}

const bitmex = new BitmexWebSocket({ endpoint });

let opens = 0;
bitmex.status$.subscribe((status) => {
  if (status === 'open') opens += 1;
  ui.status.dataset.status = status;
  ui.status.dataset.opens = String(opens);
  ui.status.textContent = status;
});

// The selector offers multiples of the instrument's tick size once it is known.
bitmex.table$('instrument', symbol).subscribe((row) => {
  const tick = row.tickSize;
  if (typeof tick !== 'number' || ui.group.options.length > 1) return;
  for (const m of [2, 10, 20, 100]) {
    const value = +(tick * m).toFixed(10);
    ui.group.add(new Option(value.toLocaleString('en-US'), String(value), false, value === group$.value));
  }
});
ui.group.addEventListener('change', () => group$.next(ui.group.value === '' ? undefined : Number(ui.group.value)));

// One book stream per grouping: a new selection ends the old stream and starts a new one.
group$
  .pipe(switchMap((group) => bitmex.book$(symbol, { depth, cumulative: true, ...(group !== undefined ? { group } : {}) })))
  .subscribe({
    next: (book) => {
      ui.ladder.dataset.group = group$.value === undefined ? '' : String(group$.value);
      pendingBook = book;
      scheduleRender();
    },
    error: showError,
  });

// Clock offset and latency in the header.
let offset = '';
bitmex.clock$.subscribe((c) => {
  offset = `clock ${c.offsetMs >= 0 ? '+' : ''}${Math.round(c.offsetMs)} ms`;
  ui.clock.textContent = offset;
});
// latency$ is signed (see the README): below zero means less than the clock estimate's
// uncertainty, shown as 0.
const ms = (x: number): number => Math.max(0, Math.round(x));
bitmex.latency$.subscribe((l) => {
  ui.clock.textContent = `${offset} · latency ${ms(l.medianMs)} ms (max ${ms(l.maxMs)})`;
});

bitmex.table$('trade', symbol).subscribe({
  next: (trade) => {
    trades = [trade, ...trades].slice(0, TRADES_SHOWN);
    tradesChanged = true;
    scheduleRender();
  },
  error: showError,
});

addEventListener('pagehide', () => bitmex.close());
