/**
 * Looking back at runs: `lintrain runs` lists the run folders (oldest first, so the
 * newest is by the prompt), `lintrain show DIR` prints one. `--log-format json`: one
 * JSON object per run, or the whole summary of one.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config/schema.js';
import { C } from '../../core/shapes.js';
import { colours } from '../../report/pretty.js';
import { listRuns, readMetrics, readSummary, type RunSummary, runStatus } from '../../report/run-folder.js';
import { confusionTable, lossChart } from '../../report/terminal.js';
import { stdoutEvents } from '../events.js';
import { fmtNum, pct, secs, textTable } from '../table.js';

/** The figures of a run that a table shows; a sweep's are those of its best run. */
export function runRow(dir: string, s: RunSummary) {
  const config = s.config as Config;
  const best = s.kind === 'sweep' ? (s.best as { params: Record<string, number>; valAcc: number; testAcc: number } | null) : null;
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
  return {
    dir,
    kind: s.kind,
    status: runStatus(s),
    startedAt: s.startedAt,
    loss: config.loss,
    opt: config.opt,
    lr: best?.params.lr ?? config.lr,
    reg: config.regType === 'none' ? 0 : (best?.params.reg ?? config.reg),
    valAcc: s.kind === 'sweep' ? num(best?.valAcc) : num(s.valAcc),
    testAcc: s.kind === 'sweep' ? num(best?.testAcc) : num(s.testAcc),
  };
}

const when = (iso: string) => {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};

export async function runsCommand(cmd: Command): Promise<number> {
  const { dir, logFormat } = cmd.opts() as { dir: string; logFormat: 'pretty' | 'json' };
  const rows = listRuns(dir).map((r) => runRow(r.dir, r.summary));
  if (logFormat === 'json') {
    for (const r of rows) stdoutEvents().write('run', r);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no runs in ${dir}/\n`);
    return 0;
  }
  const c = colours(process.stdout);
  const paint = (status: string) => (status === 'done' ? c.green : status === 'running' ? c.cyan : c.red)(status);
  const header = ['date', 'folder', 'kind', 'loss', 'optimizer', 'lr', 'reg', 'val', 'test', 'status'];
  const table = rows.map((r) => [
    when(r.startedAt),
    path.basename(r.dir),
    r.kind,
    r.loss,
    r.opt,
    fmtNum(r.lr),
    fmtNum(r.reg),
    pct(r.valAcc),
    pct(r.testAcc),
    r.status,
  ]);
  const right = [false, false, false, false, false, true, true, true, true, false];
  const lines = textTable(header, table, right).split('\n');
  // Colour after padding, so escape codes do not upset the column widths.
  const out = lines.map((l, i) => (i === 0 ? c.bold(l) : l.replace(new RegExp(`${rows[i - 1].status}$`), paint)));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

/** What W saw, when not the lecture's raw pixels (older run folders have no such keys). */
function inputOf(k: Partial<Config>): string {
  if (k.featuresFile) return `, on the features of ${k.featuresFile}`;
  if (k.features === 'kmeans') return `, on kmeans features (${k.centroids} centroids)`;
  if (k.features === 'hog-color') return ', on hog-color features';
  return '';
}

export async function showCommand(dir: string, cmd: Command): Promise<number> {
  const { logFormat } = cmd.opts() as { logFormat: 'pretty' | 'json' };
  const s = readSummary(dir);
  const metrics = readMetrics(dir);
  const iters = metrics.filter((m) => m.event === 'iter');
  const vals = metrics.filter((m) => m.event === 'val');
  if (logFormat === 'json') {
    stdoutEvents().write('show', { dir, ...s, status: runStatus(s), metrics: { iterations: iters.length, vals: vals.length } });
    return 0;
  }
  const c = colours(process.stdout);
  const k = s.config as Config;
  const r = runRow(dir, s);
  const ended = s.endedAt ? ` → ${when(s.endedAt)}` : '';
  const lines = [
    `${c.bold(dir)}  ${r.status}, ${s.kind}, started ${when(s.startedAt)}${ended}`,
    `  ${k.loss} loss, ${k.opt}, lr ${fmtNum(k.lr)}, ${k.regType} reg ${fmtNum(k.reg)}, ${k.iters} iterations, batch ${k.batchSize}, seed ${k.seed}` +
      inputOf(k),
  ];
  if (s.error) lines.push(`  ${c.red(`error: ${s.error}`)}`);
  if (s.kind === 'sweep') {
    lines.push(`  best: lr ${fmtNum(r.lr)}, reg ${fmtNum(r.reg)}: val ${pct(r.valAcc)}, test ${pct(r.testAcc)}`);
  } else if (s.status === 'done') {
    const time = typeof s.timeSec === 'number' ? `, ${secs(s.timeSec)}` : '';
    lines.push(
      `  train ${pct(s.trainAcc as number)}, validation ${c.bold(pct(r.valAcc))}, test ${c.bold(pct(r.testAcc))}, final loss ${fmtNum(s.finalLoss as number)}${time}`,
    );
  }
  const lastVal = vals.at(-1);
  lines.push(
    `  metrics.jsonl: ${iters.length} iterations, ${vals.length} validation checks` +
      (lastVal ? ` (last: ${pct(lastVal.valAcc as number)} at iteration ${lastVal.iter})` : ''),
  );
  if (iters.length > 1) lines.push('', c.bold('loss per iteration'), lossChart(iters.map((m) => m.loss as number)));
  const cm = s.confusion as number[][] | undefined;
  if (cm && cm.length === C) {
    lines.push('', c.bold('per-class test accuracy and confusion matrix (rows: true class)'));
    lines.push(confusionTable(Int32Array.from(cm.flat()), (s.classNames as string[]) ?? Object.keys(s.perClass ?? {}), c));
  }
  lines.push('', `files: ${s.files.join(', ')}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
