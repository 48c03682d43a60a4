/**
 * How late data arrives: for each table frame, the time it passed here minus the newest row
 * `timestamp` it carries, corrected by the server clock offset; summarised per window (about a
 * second) as median and maximum, overall and per table.
 * @module
 */
import { asyncScheduler, bufferTime, filter, map, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { TableFrame } from '../protocol/frames';
import { stampedWhenSent } from '../protocol/tables';
import { timestampMs } from '../protocol/timestamp';

/** Latency figures of one window. */
export interface LatencyStats {
  /** Median over the window's frames, ms. */
  readonly medianMs: number;
  /** Largest, ms. */
  readonly maxMs: number;
  /** Frames measured. */
  readonly samples: number;
}

/** What {@link measureLatency} emits once per window that saw data. */
export interface LatencyReport extends LatencyStats {
  /** Local time at the end of the window, ms since the epoch. */
  readonly at: number;
  /** The same figures per table. */
  readonly tables: Readonly<Record<string, LatencyStats>>;
}

/** Options of {@link measureLatency}. */
export interface LatencyOptions {
  /** Server clock minus local clock, ms, read per frame (e.g. `() => bitmex.clockOffsetMs`). Default 0. */
  readonly offsetMs?: () => number;
  /** Local clock, ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Window length, ms. Default 1000. */
  readonly intervalMs?: number;
  readonly scheduler?: SchedulerLike;
}


interface Sample {
  readonly table: string;
  readonly ms: number;
}

/** The newest `timestamp` string of the rows (ISO strings of one format compare as text). */
function newestStamp(rows: readonly unknown[]): string | undefined {
  let best: string | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (typeof r !== 'object' || r === null) continue;
    const ts = (r as { timestamp?: unknown }).timestamp;
    if (typeof ts === 'string' && (best === undefined || ts > best)) best = ts;
  }
  return best;
}

function stats(values: number[]): LatencyStats {
  values.sort((a, b) => a - b);
  const n = values.length;
  const mid = n >> 1;
  const medianMs = n % 2 === 1 ? (values[mid] as number) : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
  return { medianMs, maxMs: values[n - 1] as number, samples: n };
}

/**
 * Measures latency of the table frames passing through, placed where frames arrive. Partials
 * (an image of old rows) and rows without a `timestamp` are not measured. Emits a
 * {@link LatencyReport} at the end of each window that saw at least one frame.
 *
 * ```ts
 * frames$.pipe(measureLatency({ offsetMs: () => offset })).subscribe((r) => console.log(r.medianMs, r.maxMs));
 * ```
 */
export function measureLatency(options: LatencyOptions = {}): OperatorFunction<TableFrame, LatencyReport> {
  const intervalMs = options.intervalMs ?? 1000;
  if (typeof intervalMs !== 'number' || !(intervalMs >= 10) || !Number.isFinite(intervalMs)) {
    throw new TypeError(`intervalMs must be a number of ms of at least 10, got ${String(intervalMs)}`);
  }
  const now = options.now ?? Date.now;
  const offset = options.offsetMs ?? (() => 0);
  return (source) =>
    source.pipe(
      map((frame): Sample | undefined => {
        if (frame.action === 'partial' || !stampedWhenSent(frame.table) || !Array.isArray(frame.data)) return undefined;
        const ts = newestStamp(frame.data);
        if (ts === undefined) return undefined;
        const sent = timestampMs(ts);
        if (Number.isNaN(sent)) return undefined;
        return { table: frame.table, ms: now() + offset() - sent };
      }),
      filter((s): s is Sample => s !== undefined),
      bufferTime(intervalMs, options.scheduler ?? asyncScheduler),
      filter((window) => window.length > 0),
      map((window): LatencyReport => {
        const byTable = new Map<string, number[]>();
        const all: number[] = [];
        for (const s of window) {
          all.push(s.ms);
          let list = byTable.get(s.table);
          if (list === undefined) byTable.set(s.table, (list = []));
          list.push(s.ms);
        }
        const tables: Record<string, LatencyStats> = {};
        for (const [t, list] of byTable) tables[t] = Object.freeze(stats(list));
        return Object.freeze({ ...stats(all), at: now(), tables: Object.freeze(tables) });
      }),
    );
}
