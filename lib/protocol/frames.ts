/**
 * Protocol frames of the BitMEX realtime API, as discriminated unions, and their parsing.
 * Shapes follow ../shared/reference/bitmex-protocol.md (the real wire format).
 * @module
 */
import { redact } from './redact';

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
  /** The offending text, cut to 200 characters, with any request signature redacted. */
  readonly raw: string;
  constructor(message: string, raw: string) {
    // Redacted before the cut, so no piece of a signature survives at the edge.
    super(redact(message));
    const text = redact(raw);
    this.raw = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/** A field of a parsed frame, own properties only (a polluted prototype adds none). */
function own(o: Record<string, unknown>, key: string): unknown {
  return hasOwn.call(o, key) ? o[key] : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

/** An object whose values are all strings (`types`, `foreignKeys`, `attributes`). */
function isStringRecord(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const k in v) if (hasOwn.call(v, k) && typeof v[k] !== 'string') return false;
  return true;
}

/** Tags a freshly parsed object in place: no copy and no temporary object on the hot path. */
function tag<F extends ServerFrame>(o: Record<string, unknown>, kind: F['kind']): F {
  o.kind = kind;
  return o as unknown as F;
}

/**
 * Checks a table frame's shape where the reducer will read it: `data` an array of row objects; on
 * a partial, `keys` an array of strings, `filter` an object. Returns why it cannot be used, or
 * undefined. Optional column hints of the wrong shape are dropped rather than the frame.
 */
function tableFrameProblem(o: Record<string, unknown>, action: string): string | undefined {
  const data = own(o, 'data');
  if (!Array.isArray(data)) return 'table frame without a data array';
  for (let i = 0; i < data.length; i++) if (!isPlainObject(data[i])) return `row ${i} of ${action} is not an object`;
  if (action !== 'partial') return undefined;
  if (hasOwn.call(o, 'keys') && !isStringArray(o.keys)) return 'partial keys must be an array of strings';
  if (hasOwn.call(o, 'filter') && !isPlainObject(o.filter)) return 'partial filter must be an object';
  if (hasOwn.call(o, 'filterKey') && typeof o.filterKey !== 'string') delete o.filterKey;
  for (const hint of ['types', 'foreignKeys', 'attributes']) if (hasOwn.call(o, hint) && !isStringRecord(o[hint])) delete o[hint];
  return undefined;
}

/** A request echoed by the server: an object with a string `op`, else left out. */
function requestOf(v: unknown): Request | undefined {
  return isPlainObject(v) && typeof own(v, 'op') === 'string' ? (v as unknown as Request) : undefined;
}

/**
 * Classifies an already-decoded JSON value. Returns a {@link FrameParseError} (not thrown) when
 * the value is no known frame or has a shape that cannot be used, so the hot path never pays for
 * exceptions. Reads own properties only.
 */
export function classifyFrame(value: unknown, raw = ''): ServerFrame | FrameParseError {
  if (!isPlainObject(value)) return new FrameParseError('frame is not a JSON object', raw);
  const o = value;
  // Table frames first: they are nearly all of the traffic.
  const table = own(o, 'table');
  const action = own(o, 'action');
  if (typeof table === 'string' && typeof action === 'string') {
    if (table === '') return new FrameParseError('empty table name', raw);
    if (!ACTIONS.has(action)) return new FrameParseError(`unknown action ${action.slice(0, 40)}`, raw);
    const problem = tableFrameProblem(o, action);
    return problem === undefined ? tag<DataFrame>(o, 'table') : new FrameParseError(problem, raw);
  }
  if (table !== undefined || action !== undefined) return new FrameParseError('table frame without a string table and action', raw);
  if (typeof own(o, 'status') === 'number' && typeof own(o, 'error') === 'string') {
    // Still usable with odd extras: a meta or request of the wrong shape is left out.
    if (hasOwn.call(o, 'meta') && !isPlainObject(o.meta)) delete o.meta;
    if (hasOwn.call(o, 'request') && requestOf(o.request) === undefined) delete o.request;
    return tag<ErrorFrame>(o, 'error');
  }
  if (own(o, 'success') === true) {
    if (hasOwn.call(o, 'request') && requestOf(o.request) === undefined) delete o.request;
    if (typeof own(o, 'subscribe') === 'string') return tag<SubscribedFrame>(o, 'subscribed');
    if (typeof own(o, 'unsubscribe') === 'string') return tag<UnsubscribedFrame>(o, 'unsubscribed');
    if (o.request !== undefined) return tag<AuthenticatedFrame>(o, 'authenticated');
  }
  if (typeof own(o, 'now') === 'string' && hasOwn.call(o, 'request')) {
    if (own(o, 'cancelTime') !== undefined && typeof o.cancelTime !== 'string') delete o.cancelTime;
    if (requestOf(o.request) === undefined) delete o.request;
    return tag<CancelAllAfterFrame>(o, 'cancelAllAfter');
  }
  if (typeof own(o, 'info') === 'string') {
    if (own(o, 'timestamp') !== undefined && typeof o.timestamp !== 'string') delete o.timestamp;
    const limit = own(o, 'limit');
    if (limit !== undefined && !(isPlainObject(limit) && (own(limit, 'remaining') === undefined || typeof limit.remaining === 'number'))) delete o.limit;
    return tag<WelcomeFrame>(o, 'welcome');
  }
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

/**
 * The table a text names (`"table":"<name>"`, its first), even when it is no JSON: the first half
 * of a frame split in two still names it. Undefined when none does.
 */
export function tableNamedIn(text: string): string | undefined {
  return /"table"\s*:\s*"([^"\\]+)"/.exec(text)?.[1];
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
