/**
 * `npm run size:breakdown`: what a browser app pays for `BitmexWebSocket`, and for what. Bundles
 * `import { BitmexWebSocket } from 'bitmex-rxjs'` (from lib/ with the browser stand-ins, as the
 * package's browser build has it; size-limit measures that build) with esbuild for the browser,
 * minified, rxjs left out (a peer dependency the app already has), and
 * reads esbuild's metafile: minified bytes per package and per own file, and min+gzip of the
 * whole, of the own code alone, and what each dependency adds to the whole.
 */
import { build } from 'esbuild';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { browserStandIns } from './browser-stand-ins';

const ROOT = path.resolve(__dirname, '..');
const ALWAYS_EXTERNAL = ['rxjs', 'rxjs/*'];

interface Bundle {
  readonly minified: number;
  readonly gzipped: number;
  /** Minified bytes in the output per input file. */
  readonly inputs: Readonly<Record<string, number>>;
}

/** Bundles the entry with `external` left out. */
async function bundle(external: readonly string[] = []): Promise<Bundle> {
  const result = await build({
    stdin: { contents: "export { BitmexWebSocket } from './lib/index';", resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    external: [...ALWAYS_EXTERNAL, ...external],
    logLevel: 'silent',
    plugins: [browserStandIns],
  });
  const output = result.outputFiles[0]!;
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  return {
    minified: output.contents.length,
    gzipped: gzipSync(output.contents, { level: 9 }).length,
    inputs: Object.fromEntries(Object.entries(inputs).map(([file, i]) => [file, i.bytesInOutput])),
  };
}

/** `node_modules/<package>/…` → the package; anything else is the library's own code. */
function packageOf(file: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m ? (m[1] as string) : 'own code';
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`;

async function main(): Promise<void> {
  const all = await bundle();
  const byPackage = new Map<string, number>();
  for (const [file, bytes] of Object.entries(all.inputs)) byPackage.set(packageOf(file), (byPackage.get(packageOf(file)) ?? 0) + bytes);
  const dependencies = [...byPackage.keys()].filter((p) => p !== 'own code');
  const ownOnly = await bundle(dependencies.flatMap((d) => [d, `${d}/*`]));

  console.log('BitmexWebSocket in a browser bundle (esbuild, minified, rxjs left out):');
  console.log(`  in all:             ${kB(all.minified).padStart(9)} minified  ${kB(all.gzipped).padStart(9)} min+gzip`);
  console.log(`  own code (lib/):    ${kB(byPackage.get('own code') ?? 0).padStart(9)} minified  ${kB(ownOnly.gzipped).padStart(9)} min+gzip alone (dependencies left out)`);
  for (const dep of dependencies) {
    const without = await bundle([dep, `${dep}/*`]);
    console.log(`  ${dep.padEnd(18)}  ${kB(byPackage.get(dep) ?? 0).padStart(9)} minified  ${kB(all.gzipped - without.gzipped).padStart(9)} min+gzip added to the whole`);
  }
  // Gzip does not split by file: a folder's share of the whole's min+gzip is estimated from its
  // share of the minified bytes.
  const ratio = all.gzipped / all.minified;
  const byFolder = new Map<string, number>();
  for (const [file, bytes] of Object.entries(all.inputs)) {
    if (packageOf(file) === 'own code' && file.startsWith('lib/') && bytes > 0) byFolder.set(path.dirname(file), (byFolder.get(path.dirname(file)) ?? 0) + bytes);
  }
  console.log('\nown code by folder:');
  for (const [folder, bytes] of [...byFolder].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${folder.padEnd(18)}  ${kB(bytes).padStart(9)} minified  ~${kB(bytes * ratio).padStart(8)} min+gzip (estimated)`);
  }
  console.log('\nown code by file (minified bytes in the bundle):');
  const own = Object.entries(all.inputs).filter(([file]) => packageOf(file) === 'own code').sort((a, b) => b[1] - a[1]);
  for (const [file, bytes] of own) console.log(`  ${String(bytes).padStart(7)}  ${file}`);
  console.log('\ndependency files (minified bytes in the bundle):');
  const deps = Object.entries(all.inputs).filter(([file]) => packageOf(file) !== 'own code').sort((a, b) => b[1] - a[1]);
  for (const [file, bytes] of deps) console.log(`  ${String(bytes).padStart(7)}  ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
