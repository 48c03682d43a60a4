/**
 * The client's reducer states: admitted table frames and image drops, folded through
 * `reduceTables` (and `clearImage`) into one state after another (a plain call per frame rather
 * than a Subject and `scan`: two fewer subscribers on the hot path, same order and guard).
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import type { TableFrame } from '../protocol/frames';
import { clearImage, emptyTables, reduceTables, type ReducerOptions, type TablesState } from '../reducer/reducer';
import type { FrameParseError } from '../protocol/frames';
import { guardReduce } from './frame-guard';

/** An image to forget: the rows of `table` matching `filter` (`{}`: the whole table). */
export interface ImageDrop {
  readonly kind: 'drop';
  readonly table: string;
  readonly filter: Readonly<Record<string, string>>;
}

function reduceInput(state: TablesState, input: TableFrame | ImageDrop): TablesState {
  return 'kind' in input && input.kind === 'drop' ? clearImage(state, input.table, input.filter) : reduceTables(state, input as TableFrame);
}

/** The current state, and every next one as it is made. */
export class TableStates {
  /** Every state after the current one. */
  readonly next$: Observable<TablesState>;
  /**
   * The observers of `next$`, replaced (never changed in place) on each subscribe and
   * unsubscribe, so a delivery goes to those present when it began, as a Subject's does; a plain
   * loop instead of rxjs's Subject (whose CommonJS build allocates a closure and an iterator per
   * value) on the per-frame path.
   */
  private observers: readonly Subscriber<TablesState>[] = [];
  /** How the states ended: observers arriving later are told at once. */
  private over: { readonly error?: unknown } | undefined;
  private readonly reduce: (state: TablesState, input: TableFrame | ImageDrop) => TablesState;
  private latest: TablesState;
  /** Inputs that arrive while a state is being delivered (an observer leaving in its callback) wait for that delivery to end, so every observer sees the states in order. */
  private feeding = false;
  private readonly pending: (TableFrame | ImageDrop)[] = [];

  /** `failed` hears of a reducer that threw (it is not meant to); the states then go on from empty tables. */
  constructor(options: ReducerOptions, failed: (error: FrameParseError) => void) {
    this.latest = emptyTables(options);
    this.next$ = new Observable<TablesState>((subscriber) => {
      const over = this.over;
      if (over !== undefined) {
        if ('error' in over) subscriber.error(over.error);
        else subscriber.complete();
        return undefined;
      }
      this.observers = [...this.observers, subscriber];
      return () => {
        this.observers = this.observers.filter((o) => o !== subscriber);
      };
    });
    this.reduce = guardReduce(reduceInput, (error) => {
      failed(error);
      return emptyTables(options);
    });
  }

  /** The latest state. */
  get current(): TablesState {
    return this.latest;
  }

  /** Reduces a frame, or forgets an image. */
  feed(input: TableFrame | ImageDrop): void {
    if (this.feeding) {
      this.pending.push(input);
      return;
    }
    this.feeding = true;
    try {
      this.apply(input);
      while (this.pending.length > 0) this.apply(this.pending.shift() as TableFrame | ImageDrop);
    } finally {
      this.feeding = false;
    }
  }

  private apply(input: TableFrame | ImageDrop): void {
    if (this.over !== undefined) return;
    const state = this.reduce(this.latest, input);
    this.latest = state;
    const observers = this.observers;
    for (let i = 0; i < observers.length; i++) (observers[i] as Subscriber<TablesState>).next(state);
  }

  /** Ends the states: observers of `next$` complete, or get `error`. */
  end(error?: unknown): void {
    this.pending.length = 0;
    if (this.over !== undefined) return;
    this.over = error === undefined ? {} : { error };
    const observers = this.observers;
    this.observers = [];
    for (const o of observers) {
      if (error === undefined) o.complete();
      else o.error(error);
    }
  }
}
