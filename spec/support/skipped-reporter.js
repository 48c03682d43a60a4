/**
 * Jest reporter: ends the run with the tests that did not run, why, and the command that makes
 * them run, so that a skip cannot hide among the PASS lines. The reasons come from the test files
 * (spec/support/skips.ts) through a notes file named in an environment variable, which the
 * test workers inherit.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ENV = 'BITMEX_RXJS_SKIP_NOTES';

class SkippedReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    // With `-t`, tests left out by the name pattern are not worth a report.
    this.filtered = Boolean(globalConfig.testNamePattern);
    this.notesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jest-skips-')), 'notes.ndjson');
    process.env[ENV] = this.notesFile;
    this.report = '';
    // Jest prints its summary after every custom reporter's onRunComplete: print at exit, after it.
    process.once('exit', () => {
      if (this.report !== '') fs.writeSync(2, this.report);
      fs.rmSync(path.dirname(this.notesFile), { recursive: true, force: true });
    });
  }

  onRunComplete(_contexts, results) {
    const notes = this.readNotes();
    const lines = [];
    for (const file of results.testResults) {
      const skipped = file.testResults.filter((t) => t.status === 'pending' || t.status === 'todo');
      if (skipped.length === 0) continue;
      const note = notes.get(file.testFilePath);
      if (note === undefined && this.filtered) continue;
      lines.push(`${skipped.length} test${skipped.length === 1 ? '' : 's'} of ${path.relative(this.rootDir, file.testFilePath)} did not run:`);
      for (const t of skipped) lines.push(`  - ${t.fullName}`);
      lines.push(note ? `  why: ${note.why}` : '  why: skipped in the test file (no reason given)');
      if (note) lines.push(`  to run them: ${note.fix}`);
    }
    fs.writeFileSync(this.notesFile, ''); // a watch-mode rerun notes its skips afresh
    const rule = '!'.repeat(78);
    this.report = lines.length === 0 ? '' : `\n${rule}\nNOT EVERYTHING RAN\n${lines.join('\n')}\n${rule}\n`;
  }

  readNotes() {
    const notes = new Map();
    if (!fs.existsSync(this.notesFile)) return notes;
    for (const line of fs.readFileSync(this.notesFile, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const note = JSON.parse(line);
      notes.set(note.testFile, note);
    }
    return notes;
  }
}

module.exports = SkippedReporter;
