/**
 * Output for people: a cli-progress bar on a terminal, a line every few hundred
 * iterations otherwise (logs in CI), and chalk colours unless NO_COLOR is set or
 * the stream is not a terminal.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import cliProgress from 'cli-progress';
import type { ValEvent, IterEvent } from '../training/trainer.js';
import { accColour, confusionTable, lossChart } from './terminal.js';
import type { Phase, Reporter, RunInfo, Summary } from './types.js';

export function colours(stream: NodeJS.WriteStream, env = process.env): ChalkInstance {
  const off = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || !stream.isTTY;
  return new Chalk({ level: off ? 0 : 3 });
}

const fmtBytes = (b: number) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MB` : `${(b / 1024).toFixed(0)} kB`);
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a');

export class PrettyReporter implements Reporter {
  private readonly c: ChalkInstance;
  private readonly tty: boolean;
  private bar: cliProgress.SingleBar | null = null;
  private total = 0;
  private started = 0;
  private lastLine = 0;
  private losses = new Float64Array(0); // for the loss chart at the end
  private nLoss = 0;

  /**
   * out: where the summary goes (stdout, or stderr when stdout carries JSON lines).
   * charts: end a run with a loss chart and the coloured confusion table (a terminal, pretty mode).
   */
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly quiet = false,
    private readonly err: NodeJS.WriteStream = process.stderr,
    private readonly charts = false,
  ) {
    this.c = colours(out);
    this.tty = Boolean(err.isTTY) && !quiet;
  }

  private newBar(format: string, total: number): cliProgress.SingleBar {
    const bar = new cliProgress.SingleBar(
      { format, stream: this.err, hideCursor: true, clearOnComplete: false, etaBuffer: 50, fps: 10 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return bar;
  }

  phase(label: string, total: number, unit: 'items' | 'bytes' = 'items'): Phase {
    this.close(); // a finished training bar stays on screen; the next bar starts below it
    if (!this.tty || total <= 0) return { update() {}, stop() {} };
    const t0 = Date.now();
    const format =
      unit === 'bytes'
        ? `${label} {bar} {percentage}% | {done} of {size} | {rate} | ETA {eta_formatted}`
        : `${label} {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}`;
    const bar = this.newBar(format, total);
    const payload = (done: number) => ({
      done: fmtBytes(done),
      size: fmtBytes(total),
      rate: `${fmtBytes(done / Math.max((Date.now() - t0) / 1000, 1e-3))}/s`,
    });
    return {
      update: (done) => bar.update(done, unit === 'bytes' ? payload(done) : {}),
      stop: () => bar.stop(),
    };
  }

  start(info: RunInfo): void {
    this.total = info.config.iters;
    this.started = Date.now();
    if (this.charts) this.losses = new Float64Array(this.total);
    this.nLoss = 0;
    if (this.quiet) return;
    const { config: k, sizes } = info;
    // lbfgs has no learning rate: its line search picks each step
    const rate = k.opt === 'lbfgs' ? `memory ${k.lbfgsMemory}, tol ${k.tol}` : `lr ${k.lr}`;
    const what = `${k.loss} loss, ${k.opt}, ${rate}, ${k.regType} reg ${k.reg}, ${k.iters} iterations`;
    this.err.write(
      `${this.c.bold('lintrain')} ${what}\n  data ${sizes.train} train / ${sizes.val} val / ${sizes.test} test, ` +
        `kernels ${info.kernels} (${info.detail}), seed ${k.seed}${info.resumedAt !== null ? `, resumed after iteration ${info.resumedAt}` : ''}\n`,
    );
    if (this.tty) {
      this.bar = this.newBar('train {bar} {value}/{total} | loss {loss} | acc {acc} | {rate} it/s | ETA {eta_formatted}', this.total);
    }
  }

  iter(e: IterEvent): void {
    if (this.nLoss < this.losses.length) this.losses[this.nLoss++] = e.loss;
    if (this.quiet) return;
    const secs = (Date.now() - this.started) / 1000;
    const rate = (e.iter / Math.max(secs, 1e-3)).toFixed(1);
    if (this.bar) {
      this.bar.update(e.iter, { loss: e.loss.toFixed(4), acc: pct(e.batchAcc), rate });
    } else if (e.iter === 1 || e.iter === this.total || Date.now() - this.lastLine > 2000) {
      // Without a terminal, a line every two seconds keeps CI logs readable.
      this.lastLine = Date.now();
      const best = e.bestLoss === undefined ? '' : `  best ${e.bestLoss.toFixed(4)}`;
      const grad = e.gradNorm === undefined ? '' : `  |grad| ${e.gradNorm.toExponential(3)}  step ${e.step?.toPrecision(3)}`;
      this.err.write(`iteration ${e.iter} / ${this.total}: loss ${e.loss.toFixed(6)}${best}${grad}  acc ${pct(e.batchAcc)}\n`);
    }
  }

  val(e: ValEvent): void {
    if (this.quiet || this.bar) return; // the bar would be torn by a line; the summary has the final figure
    this.err.write(`iteration ${e.iter}: validation accuracy ${pct(e.valAcc)}\n`);
  }

  done(s: Summary): void {
    this.bar?.stop();
    this.bar = null;
    if (this.quiet) return;
    const c = this.c;
    const lines = [
      c.bold(`done in ${s.timeSec.toFixed(1)} s`) + ` (final loss ${s.finalLoss.toFixed(6)})`,
      `  train accuracy       ${pct(s.trainAcc)}`,
      `  validation accuracy  ${c.bold(pct(s.valAcc))}`,
      `  test accuracy        ${c.bold(c.green(pct(s.testAcc)))}`,
    ];
    if (this.charts) {
      // On a terminal: the loss at a glance, and where the classifier confuses classes.
      const chart = lossChart(this.losses.subarray(0, this.nLoss));
      if (chart) lines.push('', c.bold('loss per iteration'), chart);
      lines.push('', c.bold('per-class test accuracy and confusion matrix (rows: true class)'));
      lines.push(confusionTable(Int32Array.from(s.confusion.flat()), s.classNames, c), '');
    } else {
      lines.push(
        '  per-class test accuracy:',
        ...Object.entries(s.perClass).map(([name, a]) => `    ${name.padEnd(11)} ${accColour(c, a)(pct(a))}`),
      );
    }
    if (s.saved) lines.push(`  model saved to ${s.saved}`);
    if (s.interrupted) {
      const { signal, iter, checkpoint } = s.interrupted;
      lines[0] =
        c.bold(`stopped by ${signal} after ${iter} of ${s.config.iters} iterations`) +
        ` (loss ${s.finalLoss.toFixed(6)}); the figures are for W so far`;
      lines.push(`  checkpoint in ${checkpoint}; continue with: lintrain --resume ${checkpoint}`);
    }
    this.out.write(lines.join('\n') + '\n');
  }

  warn(message: string): void {
    this.err.write(this.c.yellow(`warning: ${message}`) + '\n');
  }

  info(message: string): void {
    if (!this.quiet) this.err.write(message + '\n');
  }

  close(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
