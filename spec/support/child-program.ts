/**
 * Specs that start a program of their own, for what only shows in a process: whether it exits by
 * itself once closed (a timer or socket left behind keeps it running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository, for the imports a program's source names. */
export const ROOT = resolve(__dirname, '..', '..');
/** tsx, which runs TypeScript straight from lib/. */
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Resolves with the exit code of `child`. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => child.once('exit', (code) => res(code)));
}

/** Starts `source` with tsx from a fresh temporary folder (named from `prefix`), its output piped. */
export function runProgram(prefix: string, source: string): ChildProcess {
  const script = join(mkdtempSync(join(tmpdir(), prefix)), 'run.ts');
  writeFileSync(script, source);
  return spawn(TSX, [script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}
