/**
 * esbuild plugins for builds that target browsers.
 *
 * {@link browserStandIns}: a relative import of `./x` resolves to `./x.browser.ts` when that file
 * exists beside `x.ts`. Node-only code (lib/client/refused-handshake.ts reads `ws`'s handshake
 * response) thus stays out of every browser bundle made from lib/: the package's browser build
 * (tsup.config.ts), the browser spec and the example page.
 *
 * {@link lazyCopies}: what the client loads on first use (`import()` of the signing code, the
 * grouped and cumulative books, latency) becomes its own copy of those modules, reachable only
 * through the dynamic import. The public entry also exports them (`signRequest`, `groupBook`…),
 * so without copies they are statically reachable from it, and esbuild's code splitting (this
 * build's, or an app's) then puts them in a chunk the entry imports (evanw/esbuild#3704): a
 * browser app that never gives keys or groups a book would download them all the same. Modules the entry needs
 * anyway (book, reducer, protocol) are shared, not copied: one `L2Book` class for `instanceof`.
 */
import type { Plugin } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const browserStandIns: Plugin = {
  name: 'browser-stand-ins',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const standIn = path.resolve(args.resolveDir, `${args.path}.browser.ts`);
      return existsSync(standIn) ? { path: standIn } : undefined;
    });
  },
};

const LAZY = 'lazy-copy';
const DISABLED = 'disabled';
const LIB = path.resolve(__dirname, '..', 'lib');

/** Modules that only code loaded on first use needs: copied into the lazy chunks. */
function onlyLazy(file: string): boolean {
  const rel = path.relative(LIB, file).split(path.sep).join('/');
  return (
    rel.startsWith('views/') ||
    rel === 'operators/book-of.ts' ||
    rel === 'client/sign.ts' ||
    /[\\/]node_modules[\\/]crypto-js[\\/]/.test(file)
  );
}

export const lazyCopies: Plugin = {
  name: 'lazy-copies',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === LAZY) return undefined; // our own resolve call below
      if (args.kind !== 'dynamic-import' && args.namespace !== LAZY) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        // Resolved as from the file itself (so package.json `browser` maps apply).
        namespace: 'file',
        pluginData: LAZY,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const { path: file, namespace, external, sideEffects } = resolved;
      // A module the package's `browser` map disables (crypto-js's `crypto`) has no file.
      if (!external && !path.isAbsolute(file)) return { path: file, namespace: DISABLED };
      if (namespace === 'file' && !external && onlyLazy(file)) return { path: file, namespace: LAZY };
      return { path: file, namespace, external, sideEffects };
    });
    build.onLoad({ filter: /.*/, namespace: DISABLED }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    build.onLoad({ filter: /.*/, namespace: LAZY }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      loader: args.path.endsWith('.ts') ? 'ts' : 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};
