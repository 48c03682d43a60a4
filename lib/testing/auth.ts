/**
 * The simulator's check of `authKeyExpires` (op, headers or query string), as strict as BitMEX:
 * `expires` whole UNIX seconds, not in the past and not far ahead (a milliseconds value is both
 * not whole seconds' scale and years ahead), the signature exactly the lower-case hex HMAC.
 * @module
 */
import { signRequest } from '../client/sign';
import { ERRORS } from './protocol';

/** How far ahead `expires` may be. A seconds-vs-milliseconds bug lands ~50,000 years ahead. */
export const MAX_EXPIRES_AHEAD_SECONDS = 3600;

const HEX64 = /^[0-9a-f]{64}$/;
const DIGITS = /^[0-9]{1,15}$/;

/** A failure to answer with, or undefined when the credentials are good. */
export type AuthFailure = { readonly status: number; readonly error: string } | undefined;

/**
 * Checks one set of credentials. `expires` comes as sent: a number from the op, a string from a
 * header or the query string (decimal digits only there).
 */
export function checkAuth(key: unknown, expires: unknown, signature: unknown, secretOf: (key: string) => string | undefined, nowMs: number): AuthFailure {
  const secret = typeof key === 'string' ? secretOf(key) : undefined;
  if (secret === undefined) return { status: 401, error: ERRORS.unknownKey };
  const seconds = typeof expires === 'number' ? expires : typeof expires === 'string' && DIGITS.test(expires) ? Number(expires) : NaN;
  if (!Number.isSafeInteger(seconds)) return { status: 400, error: ERRORS.badAuthArgs };
  const nowSeconds = Math.floor(nowMs / 1000);
  if (seconds < nowSeconds) return { status: 401, error: ERRORS.expired(nowSeconds) };
  if (seconds > nowSeconds + MAX_EXPIRES_AHEAD_SECONDS) return { status: 401, error: ERRORS.expiresTooFar(nowSeconds) };
  // Compared as sent: BitMEX wants lower-case hex; an upper-case or padded one is not valid.
  if (typeof signature !== 'string' || !HEX64.test(signature) || signature !== signRequest(secret, 'GET', '/realtime', seconds)) {
    return { status: 401, error: ERRORS.badSignature };
  }
  return undefined;
}
