/**
 * `cancelAllAfter`, the dead man's switch: one armed timer per API key, re-armed or disarmed by
 * each request, cancelling the account's open orders when it fires.
 * @module
 */
import type { Request } from '../protocol/frames';
import type { Conn, SimulatorCore } from './core';
import { ERRORS, errorFrame, isoTime } from './protocol';

export function cancelAllAfter(core: SimulatorCore, conn: Conn, request: Request): void {
  const arg = Array.isArray(request.args) ? (request.args as unknown[])[0] : request.args;
  const timeoutMs = typeof arg === 'number' ? arg : typeof arg === 'string' && arg.trim() !== '' ? Number(arg) : NaN;
  const apiKey = conn.apiKey;
  const account = conn.account;
  const now = core.clock();
  const retryAfter = core.faults.takeCancelAllAfterRateLimit();
  if (retryAfter !== undefined) {
    // The request limiter answers first; the switch stays as it was.
    core.cancelAllAfterLog.push({ connId: conn.id, apiKey, timeoutMs, accepted: false, at: now });
    core.write(conn, errorFrame(429, ERRORS.rateLimited(retryAfter), request, { retryAfter }));
    return;
  }
  const authenticated = apiKey !== undefined && account !== undefined;
  const valid = Number.isFinite(timeoutMs) && timeoutMs >= 0;
  core.cancelAllAfterLog.push({ connId: conn.id, apiKey, timeoutMs, accepted: authenticated && valid, at: now });
  if (!authenticated) {
    core.write(conn, errorFrame(401, ERRORS.cancelAllAfterNeedsAuth, request));
    return;
  }
  if (!valid) {
    core.write(conn, errorFrame(400, ERRORS.badTimeout, request));
    return;
  }
  const previous = core.switches.get(apiKey);
  if (previous) clearTimeout(previous.timer);
  core.switches.delete(apiKey);
  if (timeoutMs === 0) {
    // Disarmed: there is no cancel time to report.
    core.write(conn, JSON.stringify({ now: isoTime(now), request }));
    return;
  }
  const cancelTime = now + timeoutMs;
  const timer = setTimeout(() => fireSwitch(core, apiKey, account), timeoutMs);
  core.switches.set(apiKey, { timeoutMs, cancelTime, armedAt: now, timer });
  core.write(conn, JSON.stringify({ now: isoTime(now), cancelTime: isoTime(cancelTime), request }));
}

export function fireSwitch(core: SimulatorCore, apiKey: string, account: number): void {
  core.switches.delete(apiKey);
  const frames = core.accounts.cancelAll(account, 'Canceled: Cancel from cancelAllAfter');
  core.broadcast(frames);
  core.emit({ type: 'deadMansSwitch', apiKey, canceledOrders: frames.filter((f) => f.table === 'order').length });
}
