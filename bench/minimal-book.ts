/**
 * The least a persistent book stored like the reducer's must do per row: freeze the row and put
 * it into (or take it out of) a persistent B+tree per side by its price, one edit token per
 * frame, and make a state holding the new roots and the batch. Nothing else: no id index (so no
 * price moves, no rows without a price), no checks of side, id or price, no sparse updates, no
 * unknown-row detection, no other symbols or tables. Not a usable reducer: a lower bound for
 * this design, used by the reducer bench's `minimal` case and the e2e bench's `(m)` client.
 * @module
 */
import type { Row, TableFrame } from '../lib/protocol/frames';
import { ROW_ID } from '../lib/book/book-side';
import { emptyTree, found, nextToken, remove, set } from '../lib/book/sorted-tree';
import type { TNode } from '../lib/book/sorted-tree';

/** What {@link MinimalBook.apply} makes per frame: the roots and the frame's rows. */
export interface MinimalState {
  readonly bids: TNode<Row>;
  readonly asks: TNode<Row>;
  readonly table: string;
  readonly action: string;
  readonly symbol: string;
  readonly rows: readonly (Row | undefined)[];
}

/** One symbol's minimal persistent book (see the module comment). */
export class MinimalBook {
  private bids: TNode<Row> = emptyTree();
  private asks: TNode<Row> = emptyTree();
  constructor(private readonly symbol: string) {}

  /** Starts over from a partial. */
  partial(frame: TableFrame): void {
    this.bids = emptyTree();
    this.asks = emptyTree();
    const t = nextToken();
    for (const r of frame.data) this.row('insert', r, t);
  }

  /** Applies one delta frame; the state after it. */
  apply(frame: TableFrame): MinimalState {
    const t = nextToken();
    const data = frame.data;
    let rows: readonly (Row | undefined)[] = data;
    for (let j = 0; j < data.length; j++) {
      const row = this.row(frame.action, data[j] as Row, t);
      if (row !== data[j]) {
        if (rows === data) rows = data.slice();
        (rows as (Row | undefined)[])[j] = row;
      }
    }
    return { bids: this.bids, asks: this.asks, table: frame.table, action: frame.action, symbol: this.symbol, rows };
  }

  private row(action: string, r: Row, t: number): Row | undefined {
    const bid = r.side === 'Buy';
    const key = bid ? -(r.price as number) : (r.price as number);
    const id = r.id as number;
    if (action === 'delete') {
      if (bid) this.bids = remove(this.bids, key, id, t, ROW_ID);
      else this.asks = remove(this.asks, key, id, t, ROW_ID);
      return found.old as Row | undefined;
    }
    const row = Object.freeze(r);
    if (bid) this.bids = set(this.bids, key, id, row, t, ROW_ID);
    else this.asks = set(this.asks, key, id, row, t, ROW_ID);
    return action === 'update' && !found.hit ? undefined : row;
  }
}
