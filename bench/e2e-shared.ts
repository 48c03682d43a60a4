/**
 * What the end-to-end benchmark's processes (bench/e2e.ts, e2e-server.ts, e2e-client.ts) agree on.
 * @module
 */

/** Size carried by the marker frame's row, the last delta of every stream (real sizes stay below 500,001). */
export const MARKER_SIZE = 777_777_700;

/** Size carried by the warm-up marker, the last untimed delta of a stream that has a warm-up. */
export const WARMUP_MARKER_SIZE = 888_888_800;

/** The only topic the benchmark server streams. */
export const SYMBOL = 'XBTUSD';

/** `orderBookL2:XBTUSD`. */
export const TOPIC = `orderBookL2:${SYMBOL}`;

/**
 * One stream the server offers: K timed deltas starting at frame `start` of the traffic, after a
 * partial and W untimed warm-up deltas (so `warmup <= start`).
 */
export interface StreamSpec {
  /** X: index in the traffic of the first timed delta. */
  readonly start: number;
  /** W: untimed deltas before it (plus a warm-up marker when W > 0). */
  readonly warmup: number;
  /** K: timed deltas, the end marker included. */
  readonly frames: number;
}

/** `X:W+K`. */
export function streamKey(s: StreamSpec): string {
  return `${s.start}:${s.warmup}+${s.frames}`;
}

/** Inverse of {@link streamKey}. */
export function parseStreamKey(key: string): StreamSpec {
  const m = /^(\d+):(\d+)\+(\d+)$/.exec(key);
  if (m === null) throw new TypeError(`stream key must be X:W+K, got ${key}`);
  return { start: Number(m[1]), warmup: Number(m[2]), frames: Number(m[3]) };
}

/** Price and size of one book level. */
export interface Level {
  readonly price: number;
  readonly size: number;
}

/** A client's book at the end of a stream. */
export interface FinalBook {
  readonly levels: number;
  readonly bestBid: Level;
  readonly bestAsk: Level;
}

/** What a correct client holds after a stream of K deltas, and what the stream carried. */
export interface Expected extends FinalBook {
  /** Rows over the K timed delta frames. */
  readonly rows: number;
  /** Bytes of the K timed delta frames' JSON text. */
  readonly bytes: number;
}

/** Message from the server child to its parent once it listens. */
export interface ServerReady {
  readonly port: number;
  /** Levels in the partial. */
  readonly partialLevels: number;
  /** Per stream offered, by {@link streamKey}. */
  readonly expected: Readonly<Record<string, Expected>>;
}

/**
 * The clients compared. Diagnostics: `library-changes` (this library with changes$ instead of
 * book$); `bare-onmessage` (the bare client hearing `ws` through `onmessage`, as the library's
 * socket does); `bare-minimal`, `bare-reduce`, `bare-view` (the bare client plus the bench's minimal
 * persistent book, plus `reduceTables`, plus `reduceTables` and a book view: no client around them).
 */
export type ClientCase = 'bare' | 'library' | 'library-changes' | 'connector' | 'bare-minimal' | 'bare-reduce' | 'bare-view' | 'bare-onmessage';

/** What one client run reports to the parent. */
export interface ClientResult {
  readonly case: ClientCase;
  /** Delta frames handled in the window. */
  readonly frames: number;
  /** CPU microseconds (user + system, all threads) over the window. */
  readonly cpuUs: number;
  /** Wall milliseconds over the window. */
  readonly wallMs: number;
  /** Callbacks user code got in the window (messages, book$ emissions, connector callbacks). */
  readonly callbacks: number;
  /** Share of the window's CPU spent on the main thread (the rest: GC and JIT helper threads); Linux only. */
  readonly mainThreadShare?: number;
  /**
   * Event-loop utilization over the window (performance.eventLoopUtilization): near 1 when the
   * client never waited for data, i.e. its CPU, not the server's pacing, set the pace.
   */
  readonly loopUtilization: number;
  /** The client's book at the end (not for the bare client, which keeps none). */
  readonly final?: FinalBook;
  /** Window bounds on the process.hrtime clock in µs, to cut a --cpu-prof profile to the window. */
  readonly windowUs: readonly [number, number];
}
