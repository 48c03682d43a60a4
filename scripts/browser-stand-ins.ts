/**
 * esbuild plugin for builds that target browsers: a relative import of `./x` resolves to
 * `./x.browser.ts` when that file exists beside `x.ts`. Node-only code (lib/client/refused-handshake.ts
 * reads `ws`'s handshake response) thus stays out of every browser bundle made from lib/: the
 * package's browser build (tsup.config.ts), the browser spec and the example page.
 */
import type { Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
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
