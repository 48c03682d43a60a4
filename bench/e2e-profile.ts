/**
 * Summary of a V8 `.cpuprofile` (from `node --cpu-prof`) restricted to a time window: self time
 * by file and by function, and inclusive time of this library's functions. Used by
 * `bench/e2e.ts --e2e-profile`; also runnable alone:
 * `npx tsx bench/e2e-profile.ts FILE.cpuprofile [fromUs toUs]`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self and inclusive microseconds per function and self per file, within a window. */
export interface ProfileSummary {
  /** Microseconds of samples inside the window. */
  readonly totalUs: number;
  readonly selfByFile: ReadonlyMap<string, number>;
  readonly selfByFunction: ReadonlyMap<string, number>;
  readonly inclusiveByFunction: ReadonlyMap<string, number>;
}

function add(m: Map<string, number>, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

/**
 * Summarises `file`, counting only samples whose time lies in `window` (µs on the clock of
 * process.hrtime, which V8's profiler timestamps share on Linux); the whole profile without one.
 */
export function summariseProfile(file: string, window?: readonly [number, number], root = process.cwd()): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const rootUrl = pathToFileURL(root).href + '/';
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const fileOf = (cf: CallFrame): string => {
    if (cf.url === '') return cf.functionName.startsWith('(') ? cf.functionName : '(native)';
    const rel = cf.url.startsWith(rootUrl) ? cf.url.slice(rootUrl.length) : cf.url;
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
    if (nm !== null && !rel.startsWith('lib/')) return `node_modules/${nm[1] as string}`;
    return rel;
  };
  // tsx hands V8 transformed code whose line numbers do not match the .ts source: leave them out.
  const nameOf = (cf: CallFrame): string =>
    `${cf.functionName || '(anonymous)'} ${fileOf(cf)}${cf.url.endsWith('.ts') ? '' : `:${cf.lineNumber + 1}`}`;

  const selfByFile = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  let t = p.startTime;
  let totalUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (window !== undefined && (t < window[0] || t > window[1])) continue;
    const node = byId.get(p.samples[i] as number);
    if (node === undefined) continue;
    totalUs += dt;
    add(selfByFile, fileOf(node.callFrame), dt);
    add(selfByFunction, nameOf(node.callFrame), dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id);
      if (n === undefined) break;
      const k = nameOf(n.callFrame);
      if (!seen.has(k)) {
        seen.add(k);
        add(inclusiveByFunction, k, dt);
      }
    }
  }
  return { totalUs, selfByFile, selfByFunction, inclusiveByFunction };
}

function top(m: ReadonlyMap<string, number>, n: number, keep: (k: string) => boolean = () => true): [string, number][] {
  return [...m].filter(([k]) => keep(k)).sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** Prints {@link summariseProfile}'s tables. */
export function printProfile(file: string, window?: readonly [number, number], root = process.cwd()): ProfileSummary {
  const s = summariseProfile(file, window, root);
  const pct = (us: number): string => `${((100 * us) / Math.max(1, s.totalUs)).toFixed(1).padStart(5)}%`;
  console.log(`\nprofile ${file}: ${(s.totalUs / 1000).toFixed(0)} ms sampled${window === undefined ? '' : ' in the window'}`);
  console.log('  self time by file:');
  for (const [k, v] of top(s.selfByFile, 14)) console.log(`    ${pct(v)}  ${k}`);
  console.log('  self time by function:');
  for (const [k, v] of top(s.selfByFunction, 25)) console.log(`    ${pct(v)}  ${k}`);
  console.log('  inclusive time, lib/ functions:');
  for (const [k, v] of top(s.inclusiveByFunction, 25, (k) => / lib\//.test(k))) console.log(`    ${pct(v)}  ${k}`);
  return s;
}

if (require.main === module) {
  const [file, from, to] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: e2e-profile.ts FILE.cpuprofile [fromUs toUs]');
  printProfile(file, from !== undefined && to !== undefined ? [Number(from), Number(to)] : undefined);
}
