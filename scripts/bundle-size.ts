/**
 * `npm run size:breakdown`: what a browser app pays for `BitmexWebSocket`, and for what. Bundles
 * `import { BitmexWebSocket } from 'bitmex-rxjs'` (from lib/ with the browser plugins, as the
 * package's browser build has it; size-limit measures that build) with esbuild for the browser,
 * minified, rxjs left out (a peer dependency the app already has): what loads up front (the
 * dynamic imports left out, as size-limit has it), each chunk loaded on first use (signing,
 * grouped books, latency; from a split build), and everything in one file. Reads esbuild's
 * metafile: minified bytes per package and per own file, min+gzip of each part.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { browserStandIns, lazyCopies } from './browser-stand-ins';

const ROOT = path.resolve(__dirname, '..');
const ALWAYS_EXTERNAL = ['rxjs', 'rxjs/*'];
const ENTRY = 'bitmex-app';

/** The app: one import of the client. */
const app: Plugin = {
  name: 'app',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${ENTRY}$`) }, () => ({ path: ENTRY, namespace: 'app' }));
    b.onLoad({ filter: /.*/, namespace: 'app' }, () => ({
      contents: "export { BitmexWebSocket } from './lib/index';",
      resolveDir: ROOT,
      loader: 'ts',
    }));
  },
};

interface Chunk {
  readonly file: string;
  readonly minified: number;
  readonly gzipped: number;
  /** Minified bytes in this chunk per input file. */
  readonly inputs: Readonly<Record<string, number>>;
  /** Chunks this one imports statically (loaded with it). */
  readonly imports: readonly string[];
  /** Chunks this one imports dynamically (loaded on first use). */
  readonly lazy: readonly string[];
  /** The module a dynamic import names, for a lazy chunk. */
  readonly entryPoint: string | undefined;
}

const gz = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;

/** Leaves every dynamic import out: what loads before any of them is used (as .size-limit.cjs). */
const upFrontOnly: Plugin = {
  name: 'dynamic-imports-left-out',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined));
  },
};

/**
 * Bundles the app: split (`'split'`), as one file with every chunk inline (`'all'`), or as one
 * file without what dynamic imports load (`'up front'`); `external` left out.
 */
async function bundle(how: 'split' | 'all' | 'up front', external: readonly string[] = []): Promise<Map<string, Chunk>> {
  const splitting = how === 'split';
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    splitting,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    outdir: path.join(ROOT, 'size-out'),
    external: [...ALWAYS_EXTERNAL, ...external],
    logLevel: 'silent',
    plugins: [...(how === 'up front' ? [upFrontOnly] : []), app, lazyCopies, browserStandIns],
  });
  const chunks = new Map<string, Chunk>();
  for (const file of result.outputFiles) {
    if (!file.path.endsWith('.js')) continue;
    const rel = path.relative(ROOT, file.path);
    const meta = (result.metafile as Metafile).outputs[rel]!;
    chunks.set(rel, {
      file: rel,
      minified: file.contents.length,
      gzipped: gz(file.contents),
      inputs: Object.fromEntries(Object.entries(meta.inputs).map(([f, i]) => [f, i.bytesInOutput])),
      imports: meta.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path),
      lazy: meta.imports.filter((i) => i.kind === 'dynamic-import' && !i.external).map((i) => i.path),
      entryPoint: meta.entryPoint,
    });
  }
  return chunks;
}

/** A chunk and the chunks it loads statically, transitively. */
function closure(chunks: Map<string, Chunk>, start: string, seen = new Set<string>()): Set<string> {
  if (seen.has(start)) return seen;
  seen.add(start);
  for (const i of chunks.get(start)!.imports) closure(chunks, i, seen);
  return seen;
}

/** `node_modules/<package>/…` → the package; anything else is the library's own code. */
function packageOf(file: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m ? (m[1] as string) : 'own code';
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`;
const sum = (xs: Iterable<number>): number => [...xs].reduce((a, b) => a + b, 0);

function byPackage(chunks: Iterable<Chunk>): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of chunks) for (const [file, bytes] of Object.entries(c.inputs)) out.set(packageOf(file), (out.get(packageOf(file)) ?? 0) + bytes);
  return out;
}

/** Where a lazy chunk comes from: the module its dynamic import names, relative to the root. */
function nameOf(c: Chunk): string {
  return c.entryPoint === undefined ? c.file : c.entryPoint.replace(/^.*?(lib\/)/, '$1');
}

async function main(): Promise<void> {
  // Up front: one file, as size-limit measures it (the dynamic imports left out).
  const upFront = [...(await bundle('up front')).values()][0]!;
  const upFrontPackages = byPackage([upFront]);
  const deps = [...upFrontPackages.keys()].filter((p) => p !== 'own code');

  console.log('BitmexWebSocket in a browser app (esbuild, minified, rxjs left out):');
  console.log(`  up front (loads with the app): ${kB(upFront.minified).padStart(9)} minified  ${kB(upFront.gzipped).padStart(9)} min+gzip`);
  for (const dep of deps) {
    const without = [...(await bundle('up front', [dep, `${dep}/*`])).values()][0]!;
    console.log(`    ${dep.padEnd(28)}${kB(upFrontPackages.get(dep) ?? 0).padStart(9)} minified  ${kB(upFront.gzipped - without.gzipped).padStart(9)} min+gzip added`);
  }
  const ownAlone = [...(await bundle('up front', deps.flatMap((d) => [d, `${d}/*`]))).values()][0]!;
  console.log(`    ${'own code'.padEnd(28)}${kB(upFrontPackages.get('own code') ?? 0).padStart(9)} minified  ${kB(ownAlone.gzipped).padStart(9)} min+gzip alone`);

  // Loaded on first use: the chunks of a split build beyond those the entry loads.
  const split = await bundle('split');
  const entryFile = [...split.values()].find((c) => c.entryPoint?.endsWith(ENTRY))!.file;
  const entrySet = closure(split, entryFile);
  const lazyRoots = [...new Set([...entrySet].flatMap((f) => split.get(f)!.lazy))];
  const lazyAll = new Set<string>();
  console.log('\n  loaded on first use (each chunk with what it needs beyond the entry):');
  for (const root of lazyRoots) {
    const need = [...closure(split, root)].filter((f) => !entrySet.has(f));
    need.forEach((f) => lazyAll.add(f));
    const cs = need.map((f) => split.get(f)!);
    const pkgs = [...byPackage(cs)].map(([p, b]) => `${p} ${kB(b)}`).join(', ');
    console.log(`    ${nameOf(split.get(root)!).padEnd(30)}${kB(sum(cs.map((c) => c.minified))).padStart(9)} minified  ${kB(sum(cs.map((c) => c.gzipped))).padStart(9)} min+gzip  (${pkgs})`);
  }
  const all = [...(await bundle('all')).values()][0]!;
  console.log(`\n  everything, one file:          ${kB(all.minified).padStart(9)} minified  ${kB(all.gzipped).padStart(9)} min+gzip (what an app that uses it all loads)`);

  // Gzip does not split by file: a folder's share of the up-front min+gzip is estimated from
  // its share of the minified bytes.
  const ratio = upFront.gzipped / upFront.minified;
  const byFolder = new Map<string, number>();
  for (const [file, bytes] of Object.entries(upFront.inputs)) {
    if (packageOf(file) === 'own code' && file.startsWith('lib/') && bytes > 0) byFolder.set(path.dirname(file), (byFolder.get(path.dirname(file)) ?? 0) + bytes);
  }
  console.log('\nup front, own code by folder:');
  for (const [folder, bytes] of [...byFolder].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${folder.padEnd(18)}  ${kB(bytes).padStart(9)} minified  ~${kB(bytes * ratio).padStart(8)} min+gzip (estimated)`);
  }
  console.log('\nup front by file (minified bytes):');
  for (const [file, bytes] of Object.entries(upFront.inputs).filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1])) console.log(`  ${String(bytes).padStart(7)}  ${file}`);
  console.log('\nloaded on first use, by file (minified bytes):');
  const lazyInputs = [...lazyAll].flatMap((f) => Object.entries(split.get(f)!.inputs)).filter(([, b]) => b > 0);
  for (const [file, bytes] of lazyInputs.sort((a, b) => b[1] - a[1])) console.log(`  ${String(bytes).padStart(7)}  ${file.replace(/^lazy-copy:.*?((lib|node_modules)\/)/, '$1')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
