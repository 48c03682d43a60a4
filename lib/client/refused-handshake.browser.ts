/**
 * Browser stand-in for refused-handshake.ts (package.json `browser` field): a browser never shows
 * a refused handshake's response, so there is no `Retry-After` to read.
 * @module
 */

/** Does nothing: see refused-handshake.ts. */
export function onRefusedHandshake(_socket: unknown, _onRetryAfterMs: (ms: number) => void): void {}
