/**
 * The client's reducer states: admitted table frames and image drops, folded through
 * `reduceTables` (and `clearImage`) into one state after another (a plain call per frame rather
 * than a Subject and `scan`: two fewer subscribers on the hot path, same order and guard).
 * @module
 */
import type { TableFrame } from '../protocol/frames';
import { clearImage, emptyTables, reduceTables, type ReducerOptions, type TablesState } from '../reducer/reducer';
import type { FrameParseError } from '../protocol/frames';
import { guardReduce } from './frame-guard';
import { Multicast } from './multicast';

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
  /** Every state after the current one, to the observers present when it was made. */
  readonly next$ = new Multicast<TablesState>();
  private readonly reduce: (state: TablesState, input: TableFrame | ImageDrop) => TablesState;
  private latest: TablesState;
  /** Inputs that arrive while a state is being delivered (an observer leaving in its callback) wait for that delivery to end, so every observer sees the states in order. */
  private feeding = false;
  private readonly pending: (TableFrame | ImageDrop)[] = [];

  /**
   * `failed` hears of a reducer that threw (it is not meant to); the states then go on from empty
   * tables. `check` sees each state first, before the observers of `next$`.
   */
  constructor(options: ReducerOptions, failed: (error: FrameParseError) => void, private readonly check: (state: TablesState) => void) {
    this.latest = emptyTables(options);
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
    if (this.next$.ended !== undefined) return;
    const state = this.reduce(this.latest, input);
    this.latest = state;
    this.check(state);
    this.next$.next(state);
  }

  /** Ends the states: observers of `next$` complete, or get `error`. */
  end(error?: unknown): void {
    this.pending.length = 0;
    if (error === undefined) this.next$.complete();
    else this.next$.error(error);
  }
}
