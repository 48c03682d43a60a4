/**
 * The dead man's switch: while an authenticated session is ready, `cancelAllAfter` right away
 * and then every `intervalMs`, so the server cancels every order if this process goes quiet.
 * `cancelAllAfter` is rate limited: a 429 naming a `retryAfter` pauses the re-arming that long.
 * @module
 */
import { EMPTY, filter, interval, startWith, Subject, switchMap, tap, timer, type Observable, type Subscription } from 'rxjs';
import type { BitmexError } from '../protocol/errors';
import type { ErrorFrame } from '../protocol/frames';
import { retryAfterMs } from './backoff';
import { apiError } from './refusals';
import type { DeadMansSwitchOptions } from './options';
import type { Session, SessionEvent } from './session';

/** Arms the switch on each authenticated session of `events$` until the subscription ends. */
export class DeadMansSwitch {
  /** `cancelTime` of the last `cancelAllAfter` reply (undefined before one, or once disarmed). */
  cancelTime: Date | undefined;
  private armedOn: Session | undefined;
  private readonly subscription: Subscription;
  /** Waits (ms) asked for by 429 replies to the switch's own requests. */
  private readonly refusals = new Subject<number>();
  /** Until when (epoch ms) the server asked the switch to send nothing; 0 when not paused. */
  private pausedUntil = 0;
  private stopped = false;

  constructor(events$: Observable<SessionEvent>, options: Required<DeadMansSwitchOptions>, report: (error: BitmexError) => void) {
    this.subscription = events$
      .pipe(
        tap((e) => {
          if (e.kind === 'cancelAllAfter') {
            const t = e.cancelTime === undefined ? NaN : Date.parse(e.cancelTime);
            this.cancelTime = Number.isFinite(t) && t > 0 ? new Date(t) : undefined;
          } else if (e.kind === 'error' && this.claims(e)) {
            this.refused(e, report);
          }
        }),
        filter((e): e is Extract<SessionEvent, { kind: 'ready' | 'down' }> => e.kind === 'ready' || e.kind === 'down'),
        switchMap((e) => {
          this.armedOn = e.kind === 'ready' && e.session.authenticated ? e.session : undefined;
          const session = this.armedOn;
          if (session === undefined) return EMPTY;
          const arm = (): void => {
            session.send({ op: 'cancelAllAfter', args: options.timeoutMs });
          };
          // Armed at once (in the same turn as the resubscribe; after the pause if one is on, as
          // the limit is the account's, not the socket's), then re-armed every interval; a refusal
          // restarts that after its wait, re-arming at once then (the refused request left the
          // switch to run out), since more requests before it would only be refused too.
          return this.refusals.pipe(
            startWith(Math.max(0, this.pausedUntil - Date.now())),
            switchMap((wait) => (wait === 0 ? interval(options.intervalMs).pipe(startWith(-1)) : timer(wait, options.intervalMs)).pipe(tap(arm))),
          );
        }),
      )
      .subscribe({ error: () => undefined });
  }

  /**
   * Whether an error frame is the switch's to handle (a 429 naming a `retryAfter` for a
   * `cancelAllAfter` while it runs): it reports it, with when it re-arms, so the client need not.
   */
  claims(e: SessionEvent): e is ErrorFrame {
    return !this.stopped && e.kind === 'error' && e.request?.op === 'cancelAllAfter' && retryAfterMs(e) !== undefined;
  }

  /**
   * A 429 for the switch's request: pause until the time it names. Requests already in flight
   * are refused too; their answers only extend the pause, and the refusal is reported once.
   */
  private refused(e: ErrorFrame, report: (error: BitmexError) => void): void {
    const now = Date.now();
    const wait = retryAfterMs(e) as number;
    if (now + wait <= this.pausedUntil) return;
    const paused = this.pausedUntil > now;
    this.pausedUntil = now + wait;
    if (!paused) report(apiError(e, Math.round(wait)));
    this.refusals.next(wait);
  }

  /** Stops re-arming and disarms it on the server (`cancelAllAfter 0`) if it was armed. */
  disarm(): void {
    this.stopped = true;
    this.subscription.unsubscribe();
    this.armedOn?.send({ op: 'cancelAllAfter', args: 0 });
    this.armedOn = undefined;
    this.cancelTime = undefined;
  }
}
