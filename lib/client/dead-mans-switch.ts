/**
 * The dead man's switch: while an authenticated session is ready, `cancelAllAfter` right away
 * and then every `intervalMs`, so the server cancels every order if this process goes quiet.
 * @module
 */
import { EMPTY, filter, interval, startWith, switchMap, tap, type Observable, type Subscription } from 'rxjs';
import type { DeadMansSwitchOptions } from './options';
import type { Session, SessionEvent } from './session';

/** Arms the switch on each authenticated session of `events$` until the subscription ends. */
export class DeadMansSwitch {
  /** `cancelTime` of the last `cancelAllAfter` reply (undefined before one, or once disarmed). */
  cancelTime: Date | undefined;
  private armedOn: Session | undefined;
  private readonly subscription: Subscription;

  constructor(events$: Observable<SessionEvent>, options: Required<DeadMansSwitchOptions>) {
    this.subscription = events$
      .pipe(
        tap((e) => {
          if (e.kind !== 'cancelAllAfter') return;
          const t = e.cancelTime === undefined ? NaN : Date.parse(e.cancelTime);
          this.cancelTime = Number.isFinite(t) && t > 0 ? new Date(t) : undefined;
        }),
        filter((e): e is Extract<SessionEvent, { kind: 'ready' | 'down' }> => e.kind === 'ready' || e.kind === 'down'),
        switchMap((e) => {
          this.armedOn = e.kind === 'ready' && e.session.authenticated ? e.session : undefined;
          const session = this.armedOn;
          if (session === undefined) return EMPTY;
          // Armed at once (in the same turn as the resubscribe), then re-armed every interval.
          return interval(options.intervalMs).pipe(startWith(-1), tap(() => session.send({ op: 'cancelAllAfter', args: options.timeoutMs })));
        }),
      )
      .subscribe({ error: () => undefined });
  }

  /** Stops re-arming and disarms it on the server (`cancelAllAfter 0`) if it was armed. */
  disarm(): void {
    this.subscription.unsubscribe();
    this.armedOn?.send({ op: 'cancelAllAfter', args: 0 });
    this.armedOn = undefined;
    this.cancelTime = undefined;
  }
}
