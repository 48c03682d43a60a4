/**
 * `npm run size:breakdown`: what a browser app pays for `BitmexWebSocket`, and for what. Bundles
 * `import { BitmexWebSocket } from 'bitmex-rxjs'` (from lib/ with the browser stand-ins, as the
 * package's browser build has it; size-limit measures that build) with esbuild for the browser,
 * minified, rxjs left out (a peer dependency the app already has), with code splitting as an
 * app's bundler does it: the entry chunk is what loads with the app; each dynamic `import()`
 * (signing, grouped books, latency) is a chunk loaded on first use. Reads esbuild's metafile:
 * min+gzip of each chunk, minified bytes per package and per own file.
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

/** Bundles the app, split (`splitting`) or as one file, with `external` left out. */
async function bundle(splitting: boolean, external: readonly string[] = []): Promise<Map<string, Chunk>> {
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
    plugins: [app, lazyCopies, browserStandIns],
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
  const split = await bundle(true);
  const entryFile = [...split.values()].find((c) => c.entryPoint?.endsWith(ENTRY))!.file;
  const entrySet = closure(split, entryFile);
  const entry = [...entrySet].map((f) => split.get(f)!);
  const entryPackages = byPackage(entry);
  const entryDeps = [...entryPackages.keys()].filter((p) => p !== 'own code');

  console.log('BitmexWebSocket in a browser app (esbuild, minified, code-split, rxjs left out):');
  console.log(`  entry (loads with the app):  ${kB(sum(entry.map((c) => c.minified))).padStart(9)} minified  ${kB(sum(entry.map((c) => c.gzipped))).padStart(9)} min+gzip`);
  for (const [pkg, bytes] of [...entryPackages].sort((a, b) => b[1] - a[1])) {
    console.log(`    ${pkg.padEnd(26)}${kB(bytes).padStart(9)} minified`);
  }
  // Lazy chunks, each with the shared chunks it needs beyond the entry.
  const lazyRoots = [...new Set(entry.flatMap((c) => c.lazy))];
  const lazyAll = new Set<string>();
  console.log('\n  loaded on first use (each with what it needs beyond the entry):');
  for (const root of lazyRoots) {
    const need = [...closure(split, root)].filter((f) => !entrySet.has(f));
    need.forEach((f) => lazyAll.add(f));
    const cs = need.map((f) => split.get(f)!);
    const pkgs = [...byPackage(cs)].map(([p, b]) => `${p} ${kB(b)}`).join(', ');
    console.log(`    ${nameOf(split.get(root)!).padEnd(30)}${kB(sum(cs.map((c) => c.minified))).padStart(9)} minified  ${kB(sum(cs.map((c) => c.gzipped))).padStart(9)} min+gzip  (${pkgs})`);
  }
  const every = [...entrySet, ...lazyAll].map((f) => split.get(f)!);
  console.log(`\n  every chunk together:        ${kB(sum(every.map((c) => c.minified))).padStart(9)} minified  ${kB(sum(every.map((c) => c.gzipped))).padStart(9)} min+gzip (gzipped one by one)`);
  const one = [...(await bundle(false)).values()][0]!;
  console.log(`  all in one file (no split):  ${kB(one.minified).padStart(9)} minified  ${kB(one.gzipped).padStart(9)} min+gzip`);

  // What each dependency adds to the entry, and the own code of the entry alone.
  const entryGz = sum(entry.map((c) => c.gzipped));
  console.log('\nentry chunk by package (min+gzip):');
  for (const dep of entryDeps) {
    const without = await bundle(true, [dep, `${dep}/*`]);
    const file = [...without.values()].find((c) => c.entryPoint?.endsWith(ENTRY))!.file;
    const g = sum([...closure(without, file)].map((f) => without.get(f)!.gzipped));
    console.log(`  ${dep.padEnd(18)}  ${kB(entryGz - g).padStart(9)} added to the entry`);
  }
  const ownOnly = await bundle(true, entryDeps.flatMap((d) => [d, `${d}/*`]));
  const ownFile = [...ownOnly.values()].find((c) => c.entryPoint?.endsWith(ENTRY))!.file;
  console.log(`  own code alone      ${kB(sum([...closure(ownOnly, ownFile)].map((f) => ownOnly.get(f)!.gzipped))).padStart(9)} (dependencies left out)`);

  // Gzip does not split by file: a folder's share of the entry's min+gzip is estimated from its
  // share of the minified bytes.
  const entryMin = sum(entry.map((c) => c.minified));
  const ratio = entryGz / entryMin;
  const byFolder = new Map<string, number>();
  const entryInputs = new Map<string, number>();
  for (const c of entry) for (const [file, bytes] of Object.entries(c.inputs)) entryInputs.set(file, (entryInputs.get(file) ?? 0) + bytes);
  for (const [file, bytes] of entryInputs) {
    if (packageOf(file) === 'own code' && file.startsWith('lib/') && bytes > 0) byFolder.set(path.dirname(file), (byFolder.get(path.dirname(file)) ?? 0) + bytes);
  }
  console.log('\nentry chunk, own code by folder:');
  for (const [folder, bytes] of [...byFolder].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${folder.padEnd(18)}  ${kB(bytes).padStart(9)} minified  ~${kB(bytes * ratio).padStart(8)} min+gzip (estimated)`);
  }
  console.log('\nentry chunk by file (minified bytes):');
  for (const [file, bytes] of [...entryInputs].filter(([, b]) => b > 0).sort((a, b) => b[1] - a[1])) console.log(`  ${String(bytes).padStart(7)}  ${file}`);
  console.log('\nlazy chunks by file (minified bytes):');
  const lazyInputs = [...lazyAll].flatMap((f) => Object.entries(split.get(f)!.inputs)).filter(([, b]) => b > 0);
  for (const [file, bytes] of lazyInputs.sort((a, b) => b[1] - a[1])) console.log(`  ${String(bytes).padStart(7)}  ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
