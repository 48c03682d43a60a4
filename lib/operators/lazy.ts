/**
 * Operators whose code is loaded on first use, so a browser app that never asks for them
 * downloads none of it (a bundler splits a dynamic `import()` into its own chunk).
 * @module
 */
import { defer, finalize, from, ReplaySubject, switchMap, type OperatorFunction } from 'rxjs';

/**
 * The operator `load` resolves to, applied to the source. The source is observed at once: what
 * it emits while the code loads is not lost, the latest value is handed over first (the views
 * loaded this way compute from a whole state, so the latest is all they need), then the rest.
 */
export function lazy<T, R>(load: () => Promise<OperatorFunction<T, R>>): OperatorFunction<T, R> {
  return (source) =>
    defer(() => {
      const latest = new ReplaySubject<T>(1);
      const feeding = source.subscribe(latest);
      return from(load()).pipe(
        switchMap((operator) => latest.pipe(operator)),
        finalize(() => feeding.unsubscribe()),
      );
    });
}
