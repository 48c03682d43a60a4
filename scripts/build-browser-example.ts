/**
 * Bundles examples/browser/main.ts for the browser with esbuild: `npm run build:browser-example`
 * writes examples/browser/dist/main.js (an ES module) and the chunks it loads on first use (the
 * library's grouped books, latency, signing) next to index.html (serve that folder over http).
 */
import { build, type Metafile } from 'esbuild';
import * as path from 'node:path';
import { browserStandIns, lazyCopies } from './browser-stand-ins';

/** The example page's folder. */
export const BROWSER_EXAMPLE_DIR = path.resolve(__dirname, '..', 'examples', 'browser');

/** Builds the page's script into `outdir` (default examples/browser/dist); returns esbuild's metafile. */
export async function buildBrowserExample(outdir = path.join(BROWSER_EXAMPLE_DIR, 'dist')): Promise<Metafile> {
  const result = await build({
    entryPoints: [path.join(BROWSER_EXAMPLE_DIR, 'main.ts')],
    outdir,
    bundle: true,
    splitting: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [lazyCopies, browserStandIns],
  });
  return result.metafile;
}

if (require.main === module) {
  buildBrowserExample().then(
    (meta) => {
      const out = Object.entries(meta.outputs).find(([file]) => file.endsWith('main.js'));
      console.log(`built ${out?.[0]} (${out?.[1].bytes} bytes)`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
