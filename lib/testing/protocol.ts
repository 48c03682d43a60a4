/**
 * The server's side of the wire: welcome, success and error frames worded as the real server
 * words them (see the protocol reference). Every builder returns the JSON text to send.
 * @module
 */
import type { Request } from '../protocol/frames';
import { PRIVATE_TABLES } from '../protocol/tables';

/** Milliseconds since the epoch → BitMEX timestamp (ISO-8601 UTC with milliseconds). */
export function isoTime(ms: number): string {
  // Many rows share a millisecond: format each one once.
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
let lastMs = NaN;
let lastIso = '';

/** First frame of every connection. */
export function welcomeFrame(nowMs: number, remaining: number): string {
  return JSON.stringify({
    info: 'Welcome to the BitMEX Realtime API.',
    version: '2.0.0',
    timestamp: isoTime(nowMs),
    docs: 'https://www.bitmex.com/app/wsAPI',
    heartbeatEnabled: false,
    limit: { remaining },
  });
}

/** `{"status":N,"error":"...","meta":{...},"request":{...}}`; `request` left out when undefined. */
export function errorFrame(status: number, error: string, request?: unknown, meta: Record<string, unknown> = {}): string {
  return JSON.stringify(request === undefined ? { status, error, meta } : { status, error, meta, request });
}

/** The error texts of the real server, in one place. */
export const ERRORS = {
  unknownTable: (table: string) => `Unknown table: ${table}`,
  unrecognized: "Unrecognized request. See the docs or send 'help' for more details.",
  decode: (detail: string) => `Failed to decode incoming data: ${detail}`,
  alreadySubscribed: (topic: string) => `You are already subscribed to this topic: ${topic}`,
  notSubscribed: (topic: string) => `You are not subscribed to this topic: ${topic}`,
  noSymbolFilter: (table: string) => `Table ${table} does not accept a symbol filter.`,
  unknownSymbol: (symbol: string) => `Unknown or expired symbol: ${symbol}. Please see the documentation at https://www.bitmex.com/app/wsAPI.`,
  platformOnly: (table: string) => `Topic ${table} is not available on this endpoint. Please connect to /realtimePlatform.`,
  tradingOnly: (table: string) => `Topic ${table} is not available on this endpoint. Please connect to /realtime.`,
  authRequired: 'User requested an account-locked subscription but no authorization was provided.',
  badSignature: 'Signature not valid.',
  unknownKey: 'Invalid API Key.',
  expired: (nowSeconds: number) => `This request has expired - \`expires\` is in the past. Current time: ${nowSeconds}`,
  expiresTooFar: (nowSeconds: number) =>
    `\`expires\` is too far in the future: it is a UNIX time in seconds, at most an hour ahead. Current time: ${nowSeconds}`,
  alreadyAuthenticated: 'You are already authenticated.',
  badAuthArgs: 'authKeyExpires takes [apiKey, expires, signature], expires a UNIX time in seconds.',
  cancelAllAfterNeedsAuth: 'You must be authenticated to use cancelAllAfter.',
  badTimeout: 'cancelAllAfter takes a timeout in milliseconds (0 disarms).',
  rateLimited: (seconds: number) => `Rate limit exceeded, retry in ${seconds} seconds.`,
  pendingLimit: 'Max Pending subscription limit reached, please try again later.',
} as const;

/** `meta` of the 401 for a private table subscribed without auth: it names the private tables. */
export function authRequiredMeta(): Record<string, unknown> {
  return { notes: `Account-locked tables include the following: ${[...PRIVATE_TABLES].join(', ')}` };
}

/** `{"success":true,"subscribe":topic,"request":...}` (or `unsubscribe`). */
export function subscriptionFrame(op: 'subscribe' | 'unsubscribe', topic: string, request: Request): string {
  return JSON.stringify(op === 'subscribe' ? { success: true, subscribe: topic, request } : { success: true, unsubscribe: topic, request });
}
