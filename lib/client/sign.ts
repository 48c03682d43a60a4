/**
 * Request signing for `authKeyExpires`. The only place that touches crypto-js, and only its
 * HMAC-SHA256 and hex modules, so a browser bundle pulls in nothing else.
 * @module
 */
import hmacSHA256 from 'crypto-js/hmac-sha256';
import encHex from 'crypto-js/enc-hex';

/**
 * `hex(HMAC_SHA256(secret, verb + path + expires + body))`. BitMEX signs the realtime auth as
 * `GET/realtime` + expires, whatever the URL's query string.
 */
export function signRequest(secret: string, verb: string, path: string, expires: number, body = ''): string {
  return encHex.stringify(hmacSHA256(`${verb}${path}${expires}${body}`, secret));
}

/** The `authKeyExpires` args `[apiKey, expires, signature]`, `expires` in whole seconds from now. */
export function authKeyExpiresArgs(apiKey: string, apiSecret: string, nowMs = Date.now(), ttlSeconds = 60): [string, number, string] {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds;
  return [apiKey, expires, signRequest(apiSecret, 'GET', '/realtime', expires)];
}
