/** Small async helpers for socket tests: wait on conditions instead of sleeping. */
import { firstValueFrom, filter, timeout, type Observable } from 'rxjs';
import type { BitmexError, FrameParseError } from '../../lib';

/** Resolves when `check()` returns a truthy value (polled every 5 ms); rejects after `ms`. */
export async function waitFor<T>(check: () => T, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The first value of `source` matching `predicate`, within `ms`. */
export function firstMatching<T>(source: Observable<T>, predicate: (v: T) => boolean = () => true, ms = 5000): Promise<T> {
  return firstValueFrom(source.pipe(filter(predicate), timeout(ms)));
}

/** Lets pending socket traffic and microtasks run. */
export function settle(ms = 50): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What a client reports on `errors$`. */
export type ClientError = BitmexError | FrameParseError;

/**
 * Everything `client` reports on `errors$` from now on, in order (only the instances of `only`,
 * when given). The collecting ends with the client: `errors$` completes on close.
 */
export function collectErrors(client: { readonly errors$: Observable<ClientError> }): ClientError[];
export function collectErrors<T extends ClientError>(client: { readonly errors$: Observable<ClientError> }, only: abstract new (...args: never[]) => T): T[];
export function collectErrors(client: { readonly errors$: Observable<ClientError> }, only?: abstract new (...args: never[]) => ClientError): ClientError[] {
  const errors: ClientError[] = [];
  client.errors$.subscribe((e) => (only === undefined || e instanceof only) && errors.push(e));
  return errors;
}

/**
 * A WebSocket class that records each construction (`made`: the URLs asked for) and throws, for
 * specs in which no call may get as far as a socket.
 */
export function socketSpy(): { readonly made: string[]; readonly SpySocket: (this: unknown, url: string) => void } {
  const made: string[] = [];
  return {
    made,
    // A function expression: a method is no constructor (the client refuses it).
    SpySocket: function (this: unknown, url: string): void {
      made.push(url);
      throw new Error('no socket in this spec');
    },
  };
}
