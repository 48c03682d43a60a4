/**
 * `Multicast`: a Subject for the per-frame path. rxjs's Subject (its CommonJS build) makes a
 * closure and an iterator for every value it hands on; this one loops over its observers.
 * @module
 */
import { Observable, type Subscriber, type SubjectLike } from 'rxjs';

/**
 * Hands each value to the observers present when the delivery began, as a Subject does (the
 * list is replaced, never changed in place, on each subscribe and unsubscribe). Once ended, it
 * ignores values and ends each later observer at once the same way.
 */
export class Multicast<T> extends Observable<T> implements SubjectLike<T> {
  private observers: readonly Subscriber<T>[] = [];
  /** Set on the end: ends an observer the same way. */
  ended: ((observer: Subscriber<T>) => void) | undefined;

  constructor() {
    super((subscriber) => {
      if (this.ended !== undefined) return this.ended(subscriber);
      this.observers = [...this.observers, subscriber];
      return () => {
        this.observers = this.observers.filter((o) => o !== subscriber);
      };
    });
  }

  next(value: T): void {
    if (this.ended !== undefined) return;
    const observers = this.observers;
    for (let i = 0; i < observers.length; i++) (observers[i] as Subscriber<T>).next(value);
  }

  error(error: unknown): void {
    this.end((o) => o.error(error));
  }

  complete(): void {
    this.end((o) => o.complete());
  }

  private end(how: (observer: Subscriber<T>) => void): void {
    if (this.ended !== undefined) return;
    this.ended = how;
    const observers = this.observers;
    this.observers = [];
    observers.forEach(how);
  }
}
