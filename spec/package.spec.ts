/**
 * The published package, as a user gets it: build, `npm pack`, unpack into a scratch project
 * under os.tmpdir(), then use both entry points from `import` and from `require`, and type-check
 * a consumer against the shipped declarations. Dependencies are linked from this project's
 * node_modules (no network), and only those the packed package.json declares.
 */
import { build, type BuildOptions } from 'esbuild';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackResult {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

interface ConsumerReport {
  readonly resolved: string;
  readonly testingResolved: string;
  readonly errorsAreClasses: boolean;
  readonly statuses: readonly string[];
  readonly book: { readonly symbol: string; readonly bids: readonly Level[]; readonly asks: readonly Level[] };
  readonly truth: { readonly bids: readonly Level[]; readonly asks: readonly Level[] };
}

interface Level {
  readonly price: number;
  readonly size: number;
  readonly id: number;
}

let scratch: string;
let packed: PackResult;
let manifest: {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
};

/** The consumer program, identical for both module systems but for how it loads things. */
function consumerBody(): string {
  return `
const sim = new BitmexSimulator();
const { url } = await sim.start();
const bitmex = new BitmexWebSocket({ endpoint: url, heartbeat: false, reconnect: false });
const statuses = [];
const statusSub = bitmex.status$.subscribe((s) => statuses.push(s));
try {
  const book = await firstValueFrom(bitmex.book$('XBTUSD', { depth: 5 }));
  const truth = sim.truth('XBTUSD');
  console.log(JSON.stringify({
    resolved, testingResolved, statuses,
    errorsAreClasses: [BitmexApiError, BitmexConnectionError].every((c) => typeof c === 'function' && new c(500, 'x') instanceof Error),
    book: { symbol: book.symbol, bids: book.bids, asks: book.asks },
    truth: { bids: truth.bids.slice(0, 5), asks: truth.asks.slice(0, 5) },
  }));
} finally {
  statusSub.unsubscribe();
  bitmex.close();
  await sim.stop();
}
`;
}

const ESM_CONSUMER = `
import { BitmexWebSocket, BitmexApiError, BitmexConnectionError } from 'bitmex-rxjs';
import { BitmexSimulator } from 'bitmex-rxjs/testing';
import { firstValueFrom } from 'rxjs';
import { fileURLToPath } from 'node:url';
const resolved = fileURLToPath(import.meta.resolve('bitmex-rxjs'));
const testingResolved = fileURLToPath(import.meta.resolve('bitmex-rxjs/testing'));
${consumerBody()}
`;

const CJS_CONSUMER = `
const { BitmexWebSocket, BitmexApiError, BitmexConnectionError } = require('bitmex-rxjs');
const { BitmexSimulator } = require('bitmex-rxjs/testing');
const { firstValueFrom } = require('rxjs');
const resolved = require.resolve('bitmex-rxjs');
const testingResolved = require.resolve('bitmex-rxjs/testing');
(async () => {
${consumerBody()}
})().catch((err) => { console.error(err); process.exitCode = 1; });
`;

/** Uses the public types the way an app would; any wrong or missing type fails `tsc`. */
const TS_CONSUMER = `
import { BitmexWebSocket, BitmexApiError, BitmexConnectionError, type RowOf, type UpdateRowOf } from 'bitmex-rxjs';
import { BitmexSimulator } from 'bitmex-rxjs/testing';
import type { Observable } from 'rxjs';

export async function topOfBook(): Promise<number> {
  const sim = new BitmexSimulator();
  const { url } = await sim.start();
  const bitmex = new BitmexWebSocket({ endpoint: url, heartbeat: { idleMs: 5000, timeoutMs: 5000 }, reconnect: false });
  const status$ = bitmex.status$;
  const s: Observable<'connecting' | 'open' | 'reconnecting' | 'closed'> = status$;
  void s;
  const book = await new Promise<{ bids: readonly { price: number; size: number; id?: number }[] }>((resolve) => {
    const sub = bitmex.book$('XBTUSD', { depth: 15 }).subscribe((b) => {
      const symbol: string = b.symbol;
      void symbol;
      sub.unsubscribe();
      resolve(b);
    });
  });
  // Rows are whole: the columns BitMEX always sends are there, per table.
  bitmex.table$('trade', 'XBTUSD').subscribe((t) => {
    const line: string = t.price.toFixed(2) + t.size.toFixed(0) + t.side.toLowerCase() + t.timestamp + t.tickDirection;
    void line;
  });
  bitmex.table$('orderBookL2', 'XBTUSD').subscribe((l) => l.price.toFixed(1) + l.size.toFixed(0));
  bitmex.table$('instrument').subscribe((i) => i.tickSize.toFixed(2) + i.state);
  bitmex.table$('order').subscribe((o) => o.leavesQty.toFixed(0) + o.ordStatus + o.symbol);
  bitmex.table$('position').subscribe((p) => p.currentQty.toFixed(0));
  // ... and the others optional: a quote's side is absent while that side of the book is empty.
  // @ts-expect-error bidPrice may be undefined
  bitmex.table$('quote').subscribe((q) => q.bidPrice.toFixed(2));
  // An update frame's row is sparse: its keys, then only what changed.
  const update: UpdateRowOf<'orderBookL2'> = { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 5 };
  const row: RowOf<'orderBookL2'> = { ...update, price: 1, size: update.size ?? 0 };
  void row;
  const err: Error = new BitmexApiError(400, 'bad');
  const conn: Error = new BitmexConnectionError(1006, 'gone');
  void err; void conn;
  const truth = sim.truth('XBTUSD');
  const best: number | undefined = truth.bids[0]?.price;
  void best;
  bitmex.close();
  await sim.stop();
  return book.bids[0]?.price ?? NaN;
}
`;

async function runNode(file: string): Promise<ConsumerReport> {
  const { stdout } = await run(process.execPath, [file], { cwd: scratch, timeout: 30_000 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ConsumerReport;
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bitmex-rxjs-package-'));
  // `npm pack` builds dist/ first (the prepack script), as it does for a publish.
  const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', scratch], {
    cwd: ROOT,
    timeout: 180_000,
    maxBuffer: 16 << 20,
  });
  // The build's own output comes first; the JSON array starts on a line of its own.
  packed = (JSON.parse(stdout.slice(stdout.search(/^\[$/m))) as PackResult[])[0]!;

  const pkgDir = path.join(scratch, 'node_modules', 'bitmex-rxjs');
  fs.mkdirSync(pkgDir, { recursive: true });
  await run('tar', ['-xzf', path.join(scratch, packed.filename), '-C', pkgDir, '--strip-components=1']);
  manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as typeof manifest;
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    const target = path.join(scratch, 'node_modules', dep);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), target, 'dir');
  }
  fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  fs.writeFileSync(path.join(scratch, 'consumer.mjs'), ESM_CONSUMER);
  fs.writeFileSync(path.join(scratch, 'consumer.cjs'), CJS_CONSUMER);
}, 180_000);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('npm package', () => {
  it('ships only the build, docs and licence', () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const f of files) {
      expect(f).toMatch(/^(dist\/.+|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/);
    }
    for (const entry of ['index', 'testing']) {
      for (const ext of ['.mjs', '.js', '.d.mts', '.d.ts']) expect(files).toContain(`dist/${entry}${ext}`);
    }
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'package.json']));
  });

  it('runs nothing at install time (no `npm warn install-scripts` for users)', () => {
    const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare'];
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => lifecycle.includes(s))).toEqual([]);
    expect(manifest.scripts?.prepack).toBe('npm run build');
  });

  /** What a browser app's bundler makes of `BitmexWebSocket` from the installed package. */
  const bundleClient = (options: Pick<BuildOptions, 'external' | 'plugins'>) =>
    build({
      stdin: { contents: "export { BitmexWebSocket } from 'bitmex-rxjs';", resolveDir: scratch },
      absWorkingDir: scratch,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      ...options,
    });

  it('gives browser bundlers the browser build, without the Node-only code', async () => {
    const result = await bundleClient({ external: ['rxjs', 'rxjs/*', 'isomorphic-ws', 'crypto-js/*'] });
    expect(Object.keys(result.metafile.inputs)).toContain('node_modules/bitmex-rxjs/dist/index.browser.mjs');
    expect(result.outputFiles[0]!.text).not.toContain('unexpected-response');
  });

  it('loads the signing code (crypto-js), grouped books and latency in the browser only on first use', async () => {
    const warnings: string[] = [];
    const result = await bundleClient({
      external: ['rxjs', 'rxjs/*'],
      plugins: [
        {
          name: 'up-front-only',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined));
            b.onEnd((r) => void warnings.push(...r.warnings.map((w) => w.text)));
          },
        },
      ],
    });
    const output = Object.values(result.metafile.outputs)[0]!;
    // Visited (the public signRequest imports it), but nothing of it bundled.
    const bundled = Object.entries(output.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f);
    expect(bundled.filter((f) => f.includes('crypto-js'))).toEqual([]);
    const text = result.outputFiles[0]!.text;
    expect(text).not.toContain('cumNotional');
    expect(text).not.toContain('medianMs');
    // Each of the three is a chunk of the package, reached by a dynamic import only.
    const lazy = output.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
    expect(lazy).toHaveLength(3);
    for (const chunk of lazy) expect(chunk).toMatch(/^\.\/browser\/(sign|book-of|latency)-\w+\.mjs$/);
    expect(warnings).toEqual([]);
  });

  it('declares rxjs as a peer, not a dependency, and is free of side effects', () => {
    expect(manifest.peerDependencies).toHaveProperty('rxjs');
    expect(manifest.dependencies ?? {}).not.toHaveProperty('rxjs');
    expect((manifest as { sideEffects?: unknown }).sideEffects).toBe(false);
  });

  it.each([
    ['import', 'consumer.mjs', /dist[\\/]index\.mjs$/, /dist[\\/]testing\.mjs$/],
    ['require', 'consumer.cjs', /dist[\\/]index\.js$/, /dist[\\/]testing\.js$/],
  ])('works from %s: simulator from bitmex-rxjs/testing, book snapshot over a socket', async (_how, file, main, testing) => {
    const report = await runNode(file);
    expect(report.resolved).toMatch(main);
    expect(report.testingResolved).toMatch(testing);
    expect(report.errorsAreClasses).toBe(true);
    expect(report.statuses).toContain('open');
    expect(report.book.symbol).toBe('XBTUSD');
    // No timer market: the book cannot move, so the snapshot is the simulator's truth.
    expect(report.book.bids.length).toBeGreaterThan(0);
    expect(report.book.asks.length).toBeGreaterThan(0);
    expect(report.book.bids).toEqual(report.truth.bids);
    expect(report.book.asks).toEqual(report.truth.asks);
    expect(report.book.bids[0]!.price).toBeLessThan(report.book.asks[0]!.price);
  });

  it.each([
    ['node16 (an .mts and a .cts consumer)', ['consumer-esm.mts', 'consumer-cjs.cts'], 'node16', 'node16'],
    ['bundler', ['consumer-bundler.ts'], 'esnext', 'bundler'],
  ])('type-checks TypeScript consumers, %s resolution', async (_name, files, module, resolution) => {
    for (const f of files) fs.writeFileSync(path.join(scratch, f), TS_CONSUMER);
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // skipLibCheck: the shipped .d.ts are tsc's own output; what matters is that a consumer's
    // code resolves and type-checks against them.
    const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--lib', 'es2022,dom'];
    args.push('--module', module, '--moduleResolution', resolution, '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'));
    args.push(...files.map((f) => path.join(scratch, f)));
    const result = await run(process.execPath, args, { cwd: scratch, timeout: 60_000 }).catch((e: { stdout?: string }) => e);
    expect('stdout' in result ? String(result.stdout) : '').toBe('');
  });

  it('passes publint (strict) and are-the-types-wrong (node16, bundler and node10)', async () => {
    const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
    const pkgDir = path.join(scratch, 'node_modules', 'bitmex-rxjs');
    const publint = await run(bin('publint'), ['--strict', '--pack', 'false', pkgDir], { cwd: scratch, timeout: 60_000 });
    expect(publint.stdout).toContain('All good');
    // attw's json lists every problem, even those of the node10 resolution that the node16
    // profile ignores; typesVersions makes node10 (TypeScript's moduleResolution "node") work too.
    const attw = await run(bin('attw'), [path.join(scratch, packed.filename), '--profile', 'node16', '--format', 'json'], {
      cwd: scratch,
      timeout: 60_000,
      maxBuffer: 64 << 20,
    });
    const report = JSON.parse(attw.stdout) as { problems?: Record<string, { resolutionKind?: string; entrypoint?: string }[]> };
    const problems = Object.values(report.problems ?? {}).flat();
    expect(problems).toEqual([]);
    expect(Object.keys((report as { analysis?: { entrypoints?: object } }).analysis?.entrypoints ?? {})).toEqual(
      expect.arrayContaining(['.', './testing']),
    );
  });
});
