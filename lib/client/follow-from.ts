/**
 * `followFrom(items, source)`: what a late observer gets first, then what follows.
 * @module
 */
import { Observable } from 'rxjs';

/**
 * `items`, then `source`: like `concat(from(items), source)` or `startWith`, but handing the
 * subscriber straight to `source`, which keeps the per-frame path one call shorter.
 */
export function followFrom<T>(items: readonly T[], source: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    for (let i = 0; i < items.length && !subscriber.closed; i++) subscriber.next(items[i] as T);
    return source.subscribe(subscriber);
  });
}
