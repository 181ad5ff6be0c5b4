/**
 * The run folders under the board's --dir, as the runs table shows them, kept fresh by
 * re-reading only the folders whose files changed (a stat per file per refresh, like
 * TensorBoard's reload of its log folder). A folder that is not a run, or a run whose
 * files are damaged, is listed with the reason; the rest are served as usual.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RUN_FORMAT, type RunSummary } from '../../report/run-folder.js';
import { type RunRow, runRow } from '../../report/run-row.js';

export interface BoardRow extends Partial<Omit<RunRow, 'dir' | 'status'>> {
  /** the folder's name under --dir: the run's id in the board's URLs */
  name: string;
  status: RunRow['status'] | 'damaged';
  /** why the folder cannot be shown in full, or null */
  damaged: string | null;
}

/** `dir` resolved, if it lies inside `root` (itself resolved): symbolic links out of --dir are not followed. */
export function inside(root: string, target: string): string | null {
  let real: string;
  try {
    real = fs.realpathSync(target);
  } catch {
    return null;
  }
  return real === root || real.startsWith(root + path.sep) ? real : null;
}

/** The signature of a file that changes when it is rewritten: inode, size, mtime ('' if absent). */
function signature(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
}

/** metrics.jsonl's last line, checked cheaply: a file cut short ends without a newline or in broken JSON. */
function metricsFault(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null; // no metrics yet (or none for this kind of run)
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return null;
    const tail = Buffer.alloc(Math.min(size, 64 * 1024));
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    const text = tail.toString('utf8');
    if (!text.endsWith('\n')) return 'metrics.jsonl is cut short: its last line is unfinished';
    const last = text.slice(0, -1).split('\n').pop()!.trim();
    try {
      JSON.parse(last);
    } catch {
      return 'metrics.jsonl is garbled: its last line is not JSON';
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** One folder read into a row, whatever state it is in. */
export function readRow(root: string, name: string): BoardRow {
  const dir = path.join(root, name);
  const row = (damaged: string): BoardRow => ({ name, status: 'damaged', damaged });
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'summary.json'), 'utf8');
  } catch {
    return row(fs.existsSync(path.join(dir, 'config.json')) ? 'summary.json is missing' : 'not a run folder: no summary.json');
  }
  let summary: RunSummary;
  try {
    summary = JSON.parse(text);
  } catch {
    return row('summary.json is damaged: not valid JSON');
  }
  if (summary?.format !== RUN_FORMAT || typeof summary.config !== 'object' || summary.config === null)
    return row('summary.json is not a lintrain run summary');
  const { dir: _dir, ...figures } = runRow(dir, summary);
  const fault = metricsFault(path.join(dir, summary.kind === 'sweep' || summary.kind === 'repro' ? 'results.jsonl' : 'metrics.jsonl'));
  return { name, ...figures, damaged: fault };
}

export class RunsIndex {
  private readonly rows = new Map<string, { seen: string; folder: string; row: BoardRow }>();
  private looks = 0;
  /** Faults found by reading a run's metrics in full, which the quick check cannot see. */
  private readonly faults = new Map<string, string>();

  constructor(readonly root: string) {}

  /** A run's folder, if `name` is one of the folders listed: nothing else can be reached by name. */
  folder(name: string): string | null {
    if (!this.rows.has(name)) this.refresh();
    return this.rows.has(name) ? path.join(this.root, name) : null;
  }

  noteFault(name: string, fault: string | null): void {
    if (fault) this.faults.set(name, fault);
    else this.faults.delete(name);
  }

  /** Re-read the folder list and the changed folders. Returns the rows that changed and the names gone. */
  refresh(): { changed: BoardRow[]; gone: string[] } {
    const changed: BoardRow[] = [];
    const names = new Set<string>();
    this.looks++;
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(this.root, { withFileTypes: true });
    } catch {
      // the folder went away: every run is gone
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const dir = path.join(this.root, e.name);
      if (!e.isDirectory() && !(e.isSymbolicLink() && inside(this.root, dir) && fs.statSync(dir).isDirectory())) continue;
      names.add(e.name);
      // The trainer writes every file by renaming it into place, which changes the folder's
      // own mtime: one stat tells whether anything in it changed. Every tenth look also
      // stats the files, for what other tools may have written in place.
      const old = this.rows.get(e.name);
      const folder = signature(dir);
      if (old?.folder === folder && old.row.status !== 'running' && this.looks % 10 !== 0) continue;
      const seen = ['summary.json', 'metrics.jsonl', 'results.jsonl', 'config.json'].map((f) => signature(path.join(dir, f))).join('|');
      // A running run is re-read even when its files are still: its process may have died.
      if (old?.seen === seen && old.row.status !== 'running') {
        old.folder = folder;
        continue;
      }
      const row = readRow(this.root, e.name);
      this.rows.set(e.name, { seen, folder, row });
      if (!old || JSON.stringify(old.row) !== JSON.stringify(row)) changed.push(this.withFault(row));
    }
    const gone = [...this.rows.keys()].filter((n) => !names.has(n));
    for (const n of gone) this.rows.delete(n);
    return { changed, gone };
  }

  private withFault(row: BoardRow): BoardRow {
    const fault = this.faults.get(row.name);
    return fault && !row.damaged ? { ...row, damaged: fault } : row;
  }

  /** Every row, oldest first (by start time; folders that are not runs last, by name). */
  list(): BoardRow[] {
    return [...this.rows.values()]
      .map((r) => this.withFault(r.row))
      .sort((a, b) => (a.startedAt ?? '\uffff').localeCompare(b.startedAt ?? '\uffff') || a.name.localeCompare(b.name));
  }

  row(name: string): BoardRow | undefined {
    const r = this.rows.get(name);
    return r && this.withFault(r.row);
  }
}
