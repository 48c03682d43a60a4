/**
 * Options of `BitmexWebSocket`: their types, defaults and checks, side by side. Every option is
 * checked once, in the constructor, by {@link resolveOptions}: a wrong one throws a TypeError that
 * names it, instead of misbehaving later (a zero backoff hammering the server into a ban, a
 * heartbeat silently off, a process dying at a later partial).
 * @module
 */
import type { HeartbeatOptions, ReconnectOptions, WebSocketCtor } from './connection';

/** Where to connect: a network name or a full `ws://`/`wss://` URL of a `/realtime` endpoint. */
export type Endpointish = 'mainnet' | 'testnet' | (string & {});

/** Options of `BitmexWebSocket`. */
export interface BitmexWebSocketOptions {
  /**
   * `'mainnet'` (default), `'testnet'`, or a full `ws://`/`wss://` URL ending in `/realtime`. A
   * URL whose query has `subscribe` (or `api-key`, `api-expires`, `api-signature`) throws a
   * TypeError: topics are subscribed by observing them and keys go in `apiKey`/`apiSecret`, and
   * the server would refuse the client's own subscribe of a topic already in the URL. So does a
   * `#fragment`, which WebSockets refuse.
   */
  readonly endpoint?: Endpointish;
  /** API key; needs `apiSecret`. Each connection authenticates with `authKeyExpires`. */
  readonly apiKey?: string;
  /** API secret; needs `apiKey`. Never logged, never put in a URL or error. */
  readonly apiSecret?: string;
  /** Key columns per table, overriding the partial's `keys` (e.g. `{ quote: ['symbol'] }`). */
  readonly tableKeys?: Readonly<Record<string, readonly string[]>>;
  /** Rows kept per table and symbol (default 200); order books are never trimmed. */
  readonly maxTableLength?: number;
  /** WebSocket class to use (default: `ws` without permessage-deflate in Node, the global one in browsers). */
  readonly WebSocketCtor?: WebSocketCtor;
  /** Ping after `idleMs` of silence and drop the socket `timeoutMs` later; `false` turns it off. */
  readonly heartbeat?: HeartbeatOptions | false;
  /** Reconnect with exponential backoff and jitter (on by default); `false` errors the streams instead. */
  readonly reconnect?: ReconnectOptions | false;
  /**
   * Dead man's switch: `cancelAllAfter` with this timeout (ms, at least 5000) every 15 s while
   * connected (or every `intervalMs` in the object form), and once right after each
   * authentication. Needs keys. `close()` disarms it with `cancelAllAfter 0`. A 429 reply with
   * `meta.retryAfter` pauses re-arming that long (0.1 s to 1 h), reported once on `errors$`.
   */
  readonly deadMansSwitch?: number | DeadMansSwitchOptions | false;
  /**
   * A socket that is not ready (welcome received, authentication answered) this long after it
   * was opened is dropped and retried, reported on `errors$`. Default 10000, at least 100.
   */
  readonly connectTimeoutMs?: number;
  /**
   * A subscribe that gets neither its success and partial nor a refusal this long after it was
   * sent gives the socket up (reported on `errors$`); the reconnect subscribes again. Default
   * 15000, at least 100.
   */
  readonly subscribeTimeoutMs?: number;
}

/** Dead man's switch settings (object form of {@link BitmexWebSocketOptions.deadMansSwitch}). */
export interface DeadMansSwitchOptions {
  /** `cancelAllAfter` timeout in ms; at least 5000. */
  readonly timeoutMs: number;
  /** How often it is re-armed while connected; default 15000 (or half `timeoutMs` if less), at least 100, below `timeoutMs`. */
  readonly intervalMs?: number;
}

/** Makes `authKeyExpires` args `[apiKey, expires, signature]` for a time (default now). */
export type AuthArgs = (nowMs?: number) => Promise<readonly [string, number, string]>;

/** Options after checking, with every default filled in. The secret is in no field: only in `authArgs`' closure. */
export interface ResolvedOptions {
  readonly url: string;
  readonly apiKey: string | undefined;
  /**
   * Makes fresh `authKeyExpires` args, `expires` counted from `nowMs` (server time when known).
   * Asynchronous: the signing code (and crypto-js) is loaded on first use, so an app without
   * keys never downloads it.
   */
  readonly authArgs: AuthArgs | undefined;
  /** Null-prototype copy: a table named like an Object.prototype member finds nothing here. */
  readonly tableKeys: Readonly<Record<string, readonly string[]>> | undefined;
  readonly maxTableLength: number | undefined;
  readonly WebSocketCtor: WebSocketCtor | undefined;
  readonly heartbeat: Required<HeartbeatOptions> | false;
  readonly reconnect: Required<ReconnectOptions> | false;
  readonly deadMansSwitch: Required<DeadMansSwitchOptions> | undefined;
  readonly connectTimeoutMs: number;
  readonly subscribeTimeoutMs: number;
}

const NETWORKS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    mainnet: 'wss://ws.bitmex.com/realtime',
    testnet: 'wss://ws.testnet.bitmex.com/realtime',
  }),
);

/** Longest delay a timer can take: setTimeout fires at once beyond 2^31-1 ms. */
const MAX_DELAY_MS = 2_147_483_647;

// Defaults and floors. Floors stop a typo or a unit slip from turning into a connection storm
// (BitMEX bans) or a cancelAllAfter flood; they stay low enough for fast local tests.
const HEARTBEAT = { idleMs: 5000, timeoutMs: 5000 } as const;
const HEARTBEAT_FLOOR_MS = 50;
const RECONNECT = { initialDelayMs: 1000, maxDelayMs: 30000, resetAfterMs: 10000 } as const;
const RECONNECT_INITIAL_FLOOR_MS = 10;
const RECONNECT_MAX_FLOOR_MS = 50;
const RECONNECT_RESET_FLOOR_MS = 1000;
const DMS_INTERVAL_MS = 15000;
const DMS_INTERVAL_FLOOR_MS = 100;
const DMS_TIMEOUT_FLOOR_MS = 5000;
const CONNECT_TIMEOUT_MS = 10000;
const CONNECT_TIMEOUT_FLOOR_MS = 100;
const SUBSCRIBE_TIMEOUT_MS = 15000;
const SUBSCRIBE_TIMEOUT_FLOOR_MS = 100;

// Every option name, checked against the interface by the compiler: an option added there and
// not here fails the type check instead of being refused at run time.
const KNOWN_OPTIONS = {
  endpoint: true, apiKey: true, apiSecret: true, tableKeys: true, maxTableLength: true, WebSocketCtor: true,
  heartbeat: true, reconnect: true, deadMansSwitch: true, connectTimeoutMs: true, subscribeTimeoutMs: true,
} satisfies Record<keyof BitmexWebSocketOptions, true>;
const KNOWN: ReadonlySet<string> = new Set(Object.keys(KNOWN_OPTIONS));

function fail(name: string, what: string, got: unknown): never {
  throw new TypeError(`${name} must be ${what}, got ${describe(got)}`);
}

/** A short, safe description of a bad value (never the value of a secret). */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** Whether `new v()` is possible, without calling it: Reflect.construct refuses a newTarget that is no constructor (an arrow function, a method). */
function isConstructor(v: unknown): boolean {
  try {
    Reflect.construct(Object, [], v as new () => unknown);
    return true;
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object option's own fields (a null-prototype copy), each a known one. */
function fieldsOf(name: string, v: unknown, known: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) fail(name, `an object${name === 'options' ? '' : ' or false'}`, v);
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!known.includes(key)) throw new TypeError(`${name === 'options' ? '' : `${name}.`}${key} is not an option (known: ${known.join(', ')})`);
    out[key] = v[key];
  }
  return out;
}

function delay(name: string, v: unknown, fallback: number, floor: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < floor || v > MAX_DELAY_MS) {
    fail(name, `a number of ms from ${floor} to ${MAX_DELAY_MS}`, v);
  }
  return v;
}

function nonEmptyString(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') fail(name, 'a non-empty string', name === 'apiSecret' ? (typeof v === 'string' ? '""' : typeof v) : v);
  return v;
}

/** Query parameters the client sets up itself: topics, and a handshake authentication (which would clash with its `authKeyExpires`). */
const QUERY_REFUSED = ['subscribe', 'api-key', 'api-expires', 'api-signature'] as const;

/**
 * Resolves `endpoint` to a `/realtime` URL, or throws a TypeError. A URL whose query subscribes
 * topics (`?subscribe=`) or authenticates (`api-key`, ...) is refused: the client does both itself.
 */
export function resolveEndpoint(endpoint: Endpointish = 'mainnet'): string {
  if (typeof endpoint !== 'string') fail('endpoint', "'mainnet', 'testnet' or a ws:// or wss:// URL of a /realtime endpoint", endpoint);
  const named = NETWORKS[endpoint];
  if (named !== undefined) return named;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`endpoint must be 'mainnet', 'testnet' or a ws:// or wss:// URL of a /realtime endpoint, got ${shown(endpoint)}`);
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.pathname !== '/realtime') {
    throw new TypeError(`endpoint must be a ws:// or wss:// URL of a /realtime endpoint, got ${shown(endpoint)}`);
  }
  if (url.username !== '' || url.password !== '') throw new TypeError('endpoint URL must not carry credentials');
  // `ws` (and the WebSocket standard) refuse a fragment at every connection attempt, retried for ever.
  if (url.hash !== '') throw new TypeError('endpoint URL must not carry a #fragment');
  // A topic in the query would be subscribed twice (the server refuses the second) and never unsubscribed.
  for (const p of QUERY_REFUSED) if (url.searchParams.has(p)) throw new TypeError(`endpoint URL must not carry ${p} (observing a stream subscribes; keys go in apiKey/apiSecret)`);
  return url.toString();
}

/** An endpoint as an error may show it: without query, fragment or `user:password@` (a key or signature may be there). */
function shown(endpoint: string): string {
  return JSON.stringify(endpoint.replace(/[?#][^]*|[^/?#]*@/g, ''));
}

function resolveTableKeys(v: unknown): Readonly<Record<string, readonly string[]>> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) fail('tableKeys', 'an object of table name → array of key column names', v);
  const out = Object.create(null) as Record<string, readonly string[]>;
  for (const table of Object.keys(v)) {
    const keys = v[table];
    if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string' && k !== '')) {
      fail(`tableKeys.${table}`, 'an array of column names (non-empty strings)', keys);
    }
    out[table] = Object.freeze([...keys]);
  }
  return Object.freeze(out);
}

function resolveHeartbeat(v: unknown): Required<HeartbeatOptions> | false {
  if (v === false) return false;
  if (v === undefined) return HEARTBEAT;
  const o = fieldsOf('heartbeat', v, ['idleMs', 'timeoutMs']);
  return {
    idleMs: delay('heartbeat.idleMs', o.idleMs, HEARTBEAT.idleMs, HEARTBEAT_FLOOR_MS),
    timeoutMs: delay('heartbeat.timeoutMs', o.timeoutMs, HEARTBEAT.timeoutMs, HEARTBEAT_FLOOR_MS),
  };
}

function resolveReconnect(v: unknown): Required<ReconnectOptions> | false {
  if (v === false) return false;
  if (v === undefined) return RECONNECT;
  const o = fieldsOf('reconnect', v, ['initialDelayMs', 'maxDelayMs', 'resetAfterMs']);
  const initialDelayMs = delay('reconnect.initialDelayMs', o.initialDelayMs, RECONNECT.initialDelayMs, RECONNECT_INITIAL_FLOOR_MS);
  const maxDelayMs = delay('reconnect.maxDelayMs', o.maxDelayMs, Math.max(RECONNECT.maxDelayMs, initialDelayMs), RECONNECT_MAX_FLOOR_MS);
  if (maxDelayMs < initialDelayMs) fail('reconnect.maxDelayMs', `at least initialDelayMs (${initialDelayMs})`, maxDelayMs);
  const resetAfterMs = delay('reconnect.resetAfterMs', o.resetAfterMs, RECONNECT.resetAfterMs, RECONNECT_RESET_FLOOR_MS);
  return { initialDelayMs, maxDelayMs, resetAfterMs };
}

function resolveDeadMansSwitch(v: unknown, hasKeys: boolean): Required<DeadMansSwitchOptions> | undefined {
  if (v === undefined || v === false) return undefined;
  if (typeof v !== 'number' && !isObject(v)) fail('deadMansSwitch', 'a timeout in ms, an object { timeoutMs, intervalMs } or false', v);
  if (!hasKeys) throw new TypeError('deadMansSwitch needs apiKey and apiSecret');
  const o = typeof v === 'number' ? { timeoutMs: v } : fieldsOf('deadMansSwitch', v, ['timeoutMs', 'intervalMs']);
  if (o.timeoutMs === undefined) fail('deadMansSwitch.timeoutMs', `a number of ms of at least ${DMS_TIMEOUT_FLOOR_MS}`, undefined);
  const timeoutMs = delay(typeof v === 'number' ? 'deadMansSwitch' : 'deadMansSwitch.timeoutMs', o.timeoutMs, 0, DMS_TIMEOUT_FLOOR_MS);
  const intervalMs = delay('deadMansSwitch.intervalMs', o.intervalMs, Math.min(DMS_INTERVAL_MS, timeoutMs / 2), DMS_INTERVAL_FLOOR_MS);
  if (intervalMs >= timeoutMs) fail('deadMansSwitch.intervalMs', `below timeoutMs (${timeoutMs})`, intervalMs);
  return { timeoutMs, intervalMs };
}

/**
 * Checks every option and fills in the defaults. Throws a TypeError naming the first wrong one.
 * Options are read as own properties only: a polluted Object.prototype must not choose the
 * endpoint or the keys.
 */
export function resolveOptions(options: unknown = {}): ResolvedOptions {
  // A string here is a mistake for { endpoint }: refuse it rather than connect to mainnet.
  const o = fieldsOf('options', options, [...KNOWN]);
  const url = resolveEndpoint(o.endpoint as Endpointish | undefined);
  const apiKey = nonEmptyString('apiKey', o.apiKey);
  const apiSecret = nonEmptyString('apiSecret', o.apiSecret);
  if ((apiKey === undefined) !== (apiSecret === undefined)) throw new TypeError('apiKey and apiSecret must be given together');
  const maxTableLength = o.maxTableLength;
  if (maxTableLength !== undefined && !(Number.isSafeInteger(maxTableLength) && (maxTableLength as number) > 0)) {
    fail('maxTableLength', 'a positive integer', maxTableLength);
  }
  const ctor = o.WebSocketCtor;
  if (ctor !== undefined && !isConstructor(ctor)) fail('WebSocketCtor', 'a WebSocket class (a constructor)', ctor);
  return {
    url,
    apiKey,
    // The secret lives only in this closure, out of any object a user might log or inspect.
    authArgs:
      apiKey !== undefined && apiSecret !== undefined
        ? (nowMs = Date.now()) => import('./sign').then((m) => m.authKeyExpiresArgs(apiKey, apiSecret, nowMs))
        : undefined,
    tableKeys: resolveTableKeys(o.tableKeys),
    maxTableLength: maxTableLength as number | undefined,
    WebSocketCtor: ctor as WebSocketCtor | undefined,
    heartbeat: resolveHeartbeat(o.heartbeat),
    reconnect: resolveReconnect(o.reconnect),
    deadMansSwitch: resolveDeadMansSwitch(o.deadMansSwitch, apiKey !== undefined),
    connectTimeoutMs: delay('connectTimeoutMs', o.connectTimeoutMs, CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_FLOOR_MS),
    subscribeTimeoutMs: delay('subscribeTimeoutMs', o.subscribeTimeoutMs, SUBSCRIBE_TIMEOUT_MS, SUBSCRIBE_TIMEOUT_FLOOR_MS),
  };
}
