/**
 * The client's reducer states: admitted table frames and image drops, `scan`ned through
 * `reduceTables` (and `clearImage`) into one state after another.
 * @module
 */
import { scan, Subject, type Observable, type Subscription } from 'rxjs';
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
  private readonly input = new Subject<TableFrame | ImageDrop>();
  private readonly states = new Subject<TablesState>();
  private readonly subscription: Subscription;
  private latest: TablesState;
  /** Inputs that arrive while a state is being delivered (an observer leaving in its callback) wait for that delivery to end, so every observer sees the states in order. */
  private feeding = false;
  private readonly pending: (TableFrame | ImageDrop)[] = [];

  /** `failed` hears of a reducer that threw (it is not meant to); the states then go on from empty tables. */
  constructor(options: ReducerOptions, failed: (error: FrameParseError) => void) {
    this.latest = emptyTables(options);
    this.next$ = this.states.asObservable();
    const reduce = guardReduce(reduceInput, (error) => {
      failed(error);
      return emptyTables(options);
    });
    this.subscription = this.input.pipe(scan(reduce, this.latest)).subscribe((state) => {
      this.latest = state;
      this.states.next(state);
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
      this.input.next(input);
      while (this.pending.length > 0) this.input.next(this.pending.shift() as TableFrame | ImageDrop);
    } finally {
      this.feeding = false;
    }
  }

  /** Ends the states: observers of `next$` complete, or get `error`. */
  end(error?: unknown): void {
    this.subscription.unsubscribe();
    if (error === undefined) this.states.complete();
    else this.states.error(error);
  }
}
