/**
 * A run's metrics.jsonl (or a sweep's trials/<index>.jsonl, the same lines), read as it
 * grows, and cut down to what a chart can show.
 *
 * The trainer rewrites metrics.jsonl whole every few seconds (a new file renamed into
 * place), always with the lines it had before at its start. So the reader keeps the
 * numbers of the lines it has parsed in flat columns and, when the file changes, parses
 * only the lines after them. A file of millions of lines is parsed once, in slices that
 * give the server's event loop back between them, and every request after that costs
 * the new lines only.
 */
import fs from 'node:fs/promises';

/** A growing column of numbers (NaN where a line lacks the field). */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  get values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** The numeric fields of `iter` lines that the board draws, and of `val` lines. */
const ITER_FIELDS = ['iter', 'loss', 'batchAcc', 'bestLoss', 'trainAcc', 'lr'] as const;
const VAL_FIELDS = ['iter', 'valAcc'] as const;
const SLICE_BYTES = 2 * 1024 * 1024; // parsed between two yields to other requests
const CHECK_BYTES = 256; // the end of what was parsed, compared before parsing on

const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);

export interface Series {
  /** The x of each point: the mean iteration of its bucket. */
  iter: number[];
  /** Each field's mean over the bucket (null: no value), and for `loss` the bucket's min and max. */
  [field: string]: (number | null)[];
}

export interface CurvesView {
  /** iteration lines in the file, and how many points the view has */
  iters: number;
  points: number;
  iter: Series;
  val: Series;
  /** why the file could not be read in full, if so (the lines before the fault are shown) */
  damaged: string | null;
}

export class MetricsLog {
  readonly iter = new Map<string, Column>(ITER_FIELDS.map((f) => [f, new Column()]));
  readonly val = new Map<string, Column>(VAL_FIELDS.map((f) => [f, new Column()]));
  damaged: string | null = null;
  private parsed = 0; // bytes of whole lines parsed
  private lines = 0;
  private tail = Buffer.alloc(0); // the last CHECK_BYTES parsed
  private seen = '';

  /** `label` names the file in the `damaged` message. */
  constructor(
    readonly file: string,
    private readonly label = 'metrics.jsonl',
  ) {}

  private reset(): void {
    for (const c of [...this.iter.values(), ...this.val.values()]) c.length = 0;
    this.parsed = 0;
    this.lines = 0;
    this.tail = Buffer.alloc(0);
    this.damaged = null;
  }

  /** Read what is new in the file. Returns whether anything changed. */
  async refresh(): Promise<boolean> {
    let stat: import('node:fs').Stats;
    try {
      stat = await fs.stat(this.file);
    } catch {
      const changed = this.seen !== 'missing';
      if (changed) this.reset();
      this.seen = 'missing';
      return changed;
    }
    const seen = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (seen === this.seen) return false;
    this.seen = seen;
    const handle = await fs.open(this.file, 'r');
    try {
      if (stat.size < this.parsed || !(await this.samePrefix(handle))) this.reset();
      if (this.damaged) return true; // a fault stays until the file is rewritten from its start
      const rest = Buffer.alloc(stat.size - this.parsed);
      await handle.read(rest, 0, rest.length, this.parsed);
      await this.parse(rest);
    } finally {
      await handle.close();
    }
    return true;
  }

  private async samePrefix(handle: fs.FileHandle): Promise<boolean> {
    if (this.parsed === 0) return true;
    const now = Buffer.alloc(this.tail.length);
    await handle.read(now, 0, now.length, this.parsed - this.tail.length);
    return now.equals(this.tail);
  }

  private async parse(bytes: Buffer): Promise<void> {
    // Slices of whole lines, decoded as latin1: one character per byte, so a character's
    // index is its byte offset, and the numbers read the same (the lines the board reads
    // are ASCII; a name with other characters is only mis-spelt, never misplaced).
    while (bytes.length > 0) {
      const cut = bytes.lastIndexOf(10, SLICE_BYTES - 1);
      if (cut < 0) {
        if (bytes.length < SLICE_BYTES) break; // an unfinished last line waits for the next rewrite
        this.damaged = `${this.label} line ${this.lines + 1} is longer than ${SLICE_BYTES} bytes`;
        return;
      }
      const text = bytes.toString('latin1', 0, cut + 1);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        this.lines++;
        const line = text.slice(start, end).trim();
        if (line !== '' && !this.take(line)) {
          this.advance(bytes, start);
          return;
        }
        start = end + 1;
      }
      this.advance(bytes, cut + 1);
      bytes = bytes.subarray(cut + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** One line's numbers into the columns; false (and `damaged` says why) when it is not JSON. */
  private take(line: string): boolean {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line);
    } catch {
      this.damaged = `${this.label} line ${this.lines} is not JSON; the ${this.lines - 1} lines before it are shown`;
      return false;
    }
    const columns = e.event === 'iter' || (e.event === undefined && 'loss' in e) ? this.iter : e.event === 'val' ? this.val : null;
    if (columns) for (const [field, column] of columns) column.push(num(e[field]));
    return true;
  }

  /** Count bytes[0, upTo) as parsed, and remember their end to recognise the file next time. */
  private advance(bytes: Buffer, upTo: number): void {
    if (upTo === 0) return;
    this.parsed += upTo;
    const keep = Math.min(CHECK_BYTES, upTo);
    this.tail = Buffer.concat([this.tail, bytes.subarray(upTo - keep, upTo)]).subarray(-CHECK_BYTES);
    this.tail = Buffer.from(this.tail);
  }

  get count(): number {
    return this.iter.get('iter')!.length;
  }

  /** The last iteration line's number, 0 before the first. */
  get lastIter(): number {
    const c = this.iter.get('iter')!;
    return c.length ? c.data[c.length - 1] : 0;
  }

  /** At most `points` points per series: bucket means (loss also min and max), so a spike still shows. */
  view(points: number): CurvesView {
    return {
      iters: this.count,
      points: Math.min(points, this.count),
      iter: downsample(this.iter, points, ['loss', 'bestLoss']),
      val: downsample(this.val, points, []),
      damaged: this.damaged,
    };
  }
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * The columns cut to at most `points` buckets of consecutive lines: each bucket's mean
 * x and mean value, ignoring missing values (NaN), and for `envelope` fields the
 * bucket's min and max too (fields `<name>Min`, `<name>Max`). Fields with no value at all
 * are left out.
 */
export function downsample(columns: Map<string, Column>, points: number, envelope: readonly string[]): Series {
  const x = columns.get('iter')!.values;
  const n = x.length;
  const buckets = Math.max(1, Math.min(points, n));
  const out: Series = { iter: [] };
  const bounds = (b: number) => [Math.floor((b * n) / buckets), Math.floor(((b + 1) * n) / buckets)];
  for (let b = 0; b < (n ? buckets : 0); b++) {
    const [lo, hi] = bounds(b);
    let s = 0;
    for (let i = lo; i < hi; i++) s += x[i];
    out.iter.push(s / (hi - lo));
  }
  for (const [field, column] of columns) {
    if (field === 'iter') continue;
    const v = column.values;
    if (!v.some(Number.isFinite)) continue;
    const mean: (number | null)[] = [];
    const lows: (number | null)[] = [];
    const highs: (number | null)[] = [];
    for (let b = 0; b < (n ? buckets : 0); b++) {
      const [lo, hi] = bounds(b);
      let s = 0;
      let k = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = lo; i < hi; i++) {
        const y = v[i];
        if (!Number.isFinite(y)) continue;
        s += y;
        k++;
        if (y < min) min = y;
        if (y > max) max = y;
      }
      mean.push(k ? s / k : null);
      lows.push(k ? finite(min) : null);
      highs.push(k ? finite(max) : null);
    }
    out[field] = mean;
    if (envelope.includes(field)) {
      out[`${field}Min`] = lows;
      out[`${field}Max`] = highs;
    }
  }
  return out;
}
