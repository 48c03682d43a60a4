/**
 * Protocol frames of the BitMEX realtime API, as discriminated unions, and their parsing.
 * Shapes follow ../shared/reference/bitmex-protocol.md (the real wire format).
 * @module
 */

/** A row of any table: BitMEX sends flat JSON objects. */
export type Row = Readonly<Record<string, unknown>>;

/** The four table actions. */
export type TableAction = 'partial' | 'insert' | 'update' | 'delete';

/** Fields common to every table frame. */
interface TableFrameBase<R = Row> {
  /** Table name, e.g. `orderBookL2`. */
  readonly table: string;
  /** The rows (sparse for `update`; keys plus a few fields for `delete`). */
  readonly data: readonly R[];
}

/** `partial`: the full image of one subscription (table + filter). */
export interface PartialFrame<R = Row> extends TableFrameBase<R> {
  readonly action: 'partial';
  /** Key columns; `[]` for insert-only tables such as trade or quote. */
  readonly keys?: readonly string[];
  /** Column types (`symbol`, `long`, `float`, `timestamp`, ...). */
  readonly types?: Readonly<Record<string, string>>;
  readonly foreignKeys?: Readonly<Record<string, string>>;
  /** Column attributes (`sorted`, `grouped`, `parted`, `unique`); often absent nowadays. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** The subscription's filter, e.g. `{symbol: 'XBTUSD'}`, `{account: 1}` or `{}`. */
  readonly filter?: Readonly<Record<string, unknown>>;
  /** Chat frames say which field the filter is on (`channelID`). */
  readonly filterKey?: string;
}

/** `insert`: new rows. */
export interface InsertFrame<R = Row> extends TableFrameBase<R> {
  readonly action: 'insert';
}

/** `update`: sparse rows merged into the rows found by the table's keys. */
export interface UpdateFrame<R = Row> extends TableFrameBase<R> {
  readonly action: 'update';
}

/** `delete`: rows removed, found by the table's keys. */
export interface DeleteFrame<R = Row> extends TableFrameBase<R> {
  readonly action: 'delete';
}

/** Any table frame. */
export type TableFrame<R = Row> = PartialFrame<R> | InsertFrame<R> | UpdateFrame<R> | DeleteFrame<R>;

/** A request as the client sent it (echoed back by the server in replies). */
export interface Request {
  readonly op: string;
  readonly args?: unknown;
}

/** First frame of every connection. */
export interface WelcomeFrame {
  readonly kind: 'welcome';
  readonly info: string;
  readonly version?: string;
  readonly timestamp?: string;
  readonly docs?: string;
  readonly heartbeatEnabled?: boolean;
  /** `remaining`: connections left in the hourly budget. */
  readonly limit?: { readonly remaining?: number };
}

/** `{"success":true,"subscribe":"topic",...}`. */
export interface SubscribedFrame {
  readonly kind: 'subscribed';
  readonly success: true;
  readonly subscribe: string;
  readonly request?: Request;
}

/** `{"success":true,"unsubscribe":"topic",...}`. */
export interface UnsubscribedFrame {
  readonly kind: 'unsubscribed';
  readonly success: true;
  readonly unsubscribe: string;
  readonly request?: Request;
}

/** `{"success":true,"request":{"op":"authKeyExpires",...}}`. */
export interface AuthenticatedFrame {
  readonly kind: 'authenticated';
  readonly success: true;
  readonly request: Request;
}

/** Reply to `cancelAllAfter`. `cancelTime` is absent (or the epoch) when disarmed. */
export interface CancelAllAfterFrame {
  readonly kind: 'cancelAllAfter';
  readonly now: string;
  readonly cancelTime?: string;
  readonly request?: Request;
}

/** `{"status":N,"error":"...","meta":{...},"request":{...}}`; `request` may be absent. */
export interface ErrorFrame {
  readonly kind: 'error';
  readonly status: number;
  readonly error: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly request?: Request;
}

/** A table frame, tagged. */
export type DataFrame = TableFrame & { readonly kind: 'table' };

/** The literal `pong` text answering a `ping`. */
export interface PongFrame {
  readonly kind: 'pong';
}

/** Every frame the server sends, discriminated by `kind` (added by {@link parseFrame}). */
export type ServerFrame =
  | WelcomeFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | AuthenticatedFrame
  | CancelAllAfterFrame
  | ErrorFrame
  | DataFrame
  | PongFrame;

const ACTIONS: ReadonlySet<string> = new Set(['partial', 'insert', 'update', 'delete']);

/** Why a frame could not be understood. */
export class FrameParseError extends Error {
  override readonly name = 'FrameParseError';
  /** The offending text, cut to 200 characters. */
  readonly raw: string;
  constructor(message: string, raw: string) {
    super(message);
    this.raw = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  }
}

/** Tags a freshly parsed object in place: no copy and no temporary object on the hot path. */
function tag<F extends ServerFrame>(o: Record<string, unknown>, kind: F['kind']): F {
  o.kind = kind;
  return o as unknown as F;
}

/**
 * Classifies an already-decoded JSON value. Returns a {@link FrameParseError} (not thrown) when
 * the value is no known frame, so the hot path never pays for exceptions.
 */
export function classifyFrame(value: unknown, raw = ''): ServerFrame | FrameParseError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new FrameParseError('frame is not a JSON object', raw);
  }
  const o = value as Record<string, unknown>;
  // Table frames first: they are nearly all of the traffic.
  if (typeof o.table === 'string' && typeof o.action === 'string') {
    if (!ACTIONS.has(o.action)) return new FrameParseError(`unknown action ${o.action}`, raw);
    if (!Array.isArray(o.data)) return new FrameParseError('table frame without a data array', raw);
    return tag<DataFrame>(o, 'table');
  }
  if (typeof o.status === 'number' && typeof o.error === 'string') {
    return tag<ErrorFrame>(o, 'error');
  }
  if (o.success === true) {
    if (typeof o.subscribe === 'string') return tag<SubscribedFrame>(o, 'subscribed');
    if (typeof o.unsubscribe === 'string') return tag<UnsubscribedFrame>(o, 'unsubscribed');
    const req = o.request as Request | undefined;
    if (req && typeof req === 'object') return tag<AuthenticatedFrame>(o, 'authenticated');
  }
  if (typeof o.now === 'string' && 'request' in o) {
    return tag<CancelAllAfterFrame>(o, 'cancelAllAfter');
  }
  if (typeof o.info === 'string') return tag<WelcomeFrame>(o, 'welcome');
  return new FrameParseError('unrecognised frame', raw);
}

/** Parses one text frame from the server. Never throws: bad input gives a {@link FrameParseError}. */
export function parseFrame(text: string): ServerFrame | FrameParseError {
  if (text === 'pong') return { kind: 'pong' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return new FrameParseError(`invalid JSON: ${(e as Error).message}`, text);
  }
  return classifyFrame(value, text);
}

/** A topic: `table` or `table:SYMBOL`. */
export function topicOf(table: string, symbol?: string): string {
  return symbol === undefined ? table : `${table}:${symbol}`;
}

/** Splits a topic into table and optional symbol. */
export function splitTopic(topic: string): { table: string; symbol?: string } {
  const i = topic.indexOf(':');
  return i < 0 ? { table: topic } : { table: topic.slice(0, i), symbol: topic.slice(i + 1) };
}
