/**
 * The `Retry-After` of a handshake the server refused (HTTP 429), which only Node's `ws` shows
 * (its `unexpected-response` event). A browser never sees that response, so package.json's
 * `browser` field swaps in refused-handshake.browser.ts and none of this is in a browser bundle.
 * @module
 */

/** Under `ws`: on a refused handshake, calls `onRetryAfterMs` with its `Retry-After` in ms (0 if none). */
export function onRefusedHandshake(socket: unknown, onRetryAfterMs: (ms: number) => void): void {
  const nodeSocket = socket as { on?: (ev: string, fn: (...a: never[]) => void) => void };
  if (typeof nodeSocket.on !== 'function') return;
  nodeSocket.on('unexpected-response', ((req: { destroy(e: Error): void }, res: { statusCode?: number; headers: Record<string, unknown>; resume(): void }) => {
    onRetryAfterMs(parseRetryAfter(res.headers['retry-after']));
    res.resume();
    req.destroy(new Error(`Unexpected server response: ${res.statusCode ?? 0}`));
  }) as never);
}

/** Parses an HTTP `Retry-After` header (seconds or a date) into milliseconds. */
export function parseRetryAfter(value: unknown, now = Date.now()): number {
  const text = Array.isArray(value) ? String(value[0]) : typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  if (text === '') return 0;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - now) : 0;
}
