/**
 * Benchmark cases over pre-built frames: JSON.parse alone, JSON.parse + this reducer, and
 * JSON.parse + the delta parser of BitMEX's own Node connector (bitmex-realtime-api), called the
 * way its index.js / createSocket.js do. Each case is a `setup` (untimed: applies the partial)
 * and a `run` over a range of delta frames.
 * @module
 */
import { emptyTables, reduceTables } from '../lib/reducer/reducer';
import type { TablesState } from '../lib/reducer/reducer';
import type { TableFrame } from '../lib/protocol/frames';
import type { BenchFrames } from './frames';
import { MinimalBook } from './minimal-book';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const deltaParser = require('bitmex-realtime-api/lib/deltaParser') as {
  onAction(action: string, table: string, symbol: string, client: ConnectorStore, data: unknown): unknown[];
};

/** The part of the official client object its delta parser uses. */
interface ConnectorStore {
  _data: Record<string, Record<string, unknown[]>>;
  _keys: Record<string, string[]>;
}

/** A benchmark case: untimed setup, then a timed pass over frames [from, to). */
export interface BenchCase {
  readonly name: string;
  setup(): void;
  run(from: number, to: number): void;
}

/** Defeats dead-code elimination. */
export let sink = 0;

/** JSON.parse of every frame: the floor. */
export function parseCase(f: BenchFrames): BenchCase {
  return {
    name: 'JSON.parse',
    setup() {},
    run(from, to) {
      const frames = f.frames;
      for (let i = from; i < to; i++) sink += (JSON.parse(frames[i] as string) as TableFrame).data.length;
    },
  };
}

/**
 * JSON.parse + freezing every row into a 10,000-slot ring at pseudo-random slots: what merely
 * keeping frozen rows alive for a while costs, without any lookup or ordering (`--case=parse,ring`).
 */
export function ringCase(f: BenchFrames): BenchCase {
  const ring: unknown[] = new Array<unknown>(10_000).fill(undefined);
  let k = 1;
  return {
    name: 'JSON.parse + freeze into a 10,000-row ring',
    setup() {
      ring.fill(undefined);
    },
    run(from, to) {
      const frames = f.frames;
      for (let i = from; i < to; i++) {
        const data = (JSON.parse(frames[i] as string) as TableFrame).data;
        for (let j = 0; j < data.length; j++) {
          k = (Math.imul(k, 1103515245) + 12345) & 0x7fffffff;
          ring[k % 10_000] = Object.freeze(data[j]);
        }
      }
    },
  };
}

/** JSON.parse + {@link MinimalBook} (`--case=minimal`): a lower bound for this design, not a usable reducer. */
export function minimalCase(f: BenchFrames): BenchCase {
  const book = new MinimalBook(f.symbol);
  return {
    name: 'JSON.parse + minimal persistent book (lower bound)',
    setup() {
      book.partial(JSON.parse(f.partial) as TableFrame);
    },
    run(from, to) {
      const frames = f.frames;
      let state: unknown;
      for (let i = from; i < to; i++) state = book.apply(JSON.parse(frames[i] as string) as TableFrame);
      if (state !== undefined) sink++;
    },
  };
}

/**
 * JSON.parse + reduceTables. With `read`, every state's `changes` is read too (as `table$`
 * does); without, only the book is kept up to date (as book views need), so the change list of a
 * one-batch frame, built on first read, is never built.
 */
export function reducerCase(f: BenchFrames, read = false): BenchCase & { state(): TablesState } {
  let state = emptyTables();
  return {
    name: read ? 'JSON.parse + reduceTables + read changes' : 'JSON.parse + reduceTables',
    setup() {
      state = reduceTables(emptyTables(), JSON.parse(f.partial) as TableFrame);
    },
    run(from, to) {
      const frames = f.frames;
      let s = state;
      for (let i = from; i < to; i++) {
        s = reduceTables(s, JSON.parse(frames[i] as string) as TableFrame);
        if (read) sink += s.changes.length;
      }
      sink += s.inconsistencies.length;
      state = s;
    },
    state: () => state,
  };
}

/**
 * JSON.parse + bitmex-realtime-api's deltaParser. createSocket.js splits every table frame by
 * symbol (`_.extend({}, data, {data: rowsOfSymbol})`) and index.js calls
 * `deltaParser.onAction(action, table, symbol, client, data)`; that is reproduced here. Its
 * `maxTableLen` trimming (default 10,000 rows, which would cut this 10,000-level book and make
 * later updates throw) is left out.
 */
export function connectorCase(f: BenchFrames): BenchCase & { store(): ConnectorStore } {
  let client: ConnectorStore = { _data: {}, _keys: {} };
  return {
    name: 'JSON.parse + bitmex-realtime-api deltaParser',
    setup() {
      client = { _data: {}, _keys: {} };
      const partial = JSON.parse(f.partial) as TableFrame & { filter: { symbol: string } };
      deltaParser.onAction('partial', partial.table, partial.filter.symbol, client, partial);
    },
    run(from, to) {
      const frames = f.frames;
      for (let i = from; i < to; i++) {
        const data = JSON.parse(frames[i] as string) as TableFrame & { filterKey?: string };
        const filterKey = data.filterKey ?? 'symbol';
        const bySymbol: Record<string, unknown[]> = {};
        for (const row of data.data) {
          const s = row[filterKey] as string;
          (bySymbol[s] ??= []).push(row);
        }
        for (const s of Object.keys(bySymbol)) {
          sink += deltaParser.onAction(data.action, data.table, s, client, { ...data, data: bySymbol[s] }).length;
        }
      }
    },
    store: () => client,
  };
}
