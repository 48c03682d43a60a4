/**
 * The dead man's switch: while an authenticated session is ready, `cancelAllAfter` right away
 * and then every `intervalMs`, so the server cancels every order if this process goes quiet.
 * `cancelAllAfter` is rate limited: a 429 naming a `retryAfter` pauses the re-arming that long.
 * @module
 */
import { EMPTY, filter, interval, startWith, Subject, switchMap, tap, timer, type Observable, type Subscription } from 'rxjs';
import { BitmexApiError, type BitmexError } from '../protocol/errors';
import type { ErrorFrame } from '../protocol/frames';
import { retryAfterMs } from './backoff';
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
  private stopped = false;

  constructor(events$: Observable<SessionEvent>, options: Required<DeadMansSwitchOptions>, report: (error: BitmexError) => void) {
    this.subscription = events$
      .pipe(
        tap((e) => {
          if (e.kind === 'cancelAllAfter') {
            const t = e.cancelTime === undefined ? NaN : Date.parse(e.cancelTime);
            this.cancelTime = Number.isFinite(t) && t > 0 ? new Date(t) : undefined;
          } else if (e.kind === 'error' && this.claims(e)) {
            const retryInMs = retryAfterMs(e) as number;
            report(new BitmexApiError(e.status, e.error, e.meta, e.request, { retryInMs: Math.round(retryInMs) }));
            this.refusals.next(retryInMs);
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
          // Armed at once (in the same turn as the resubscribe), then re-armed every interval; a
          // refusal restarts that after its wait, re-arming at once then (the refused request left
          // the switch to run out), since more requests before it would only be refused too.
          return this.refusals.pipe(
            startWith(0),
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

  /** Stops re-arming and disarms it on the server (`cancelAllAfter 0`) if it was armed. */
  disarm(): void {
    this.stopped = true;
    this.subscription.unsubscribe();
    this.armedOn?.send({ op: 'cancelAllAfter', args: 0 });
    this.armedOn = undefined;
    this.cancelTime = undefined;
  }
}
