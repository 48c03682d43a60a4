/**
 * A live order-book ladder in the browser: `book$` for the top levels, `table$('trade')` for the
 * tape, `status$` for the connection. Query parameters: `symbol` (default XBTUSD), `endpoint`
 * (`mainnet`, `testnet` or a `ws://` URL such as a local simulator's), `depth` (default 15).
 *
 * Built by scripts/build-browser-example.ts. In an app, import from 'bitmex-rxjs' instead.
 */
import { BitmexWebSocket } from '../../lib';

interface Level {
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

bitmex.book$(symbol, { depth }).subscribe({
  next: (book) => {
    pendingBook = book;
    scheduleRender();
  },
  error: showError,
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
