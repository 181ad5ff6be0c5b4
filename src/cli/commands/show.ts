/**
 * `lintrain show DIR`: one run folder: its config, results, loss chart, per-class
 * accuracy and confusion matrix, files (a landscape: its table and curves);
 * `--log-format json`: its whole summary.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config/schema.js';
import { C } from '../../core/shapes.js';
import { colours } from '../../report/pretty.js';
import { readMetrics, readSummary, type RunSummary, runStatus } from '../../report/run-folder.js';
import { confusionTable, lossChart } from '../../report/terminal.js';
import { readLandscape } from '../../model/landscape-file.js';
import { examplesText } from '../../report/plots/landscape.js';
import { type LandscapeResults, landscapeSetting, landscapeTable } from '../landscape-table.js';
import { stdoutEvents } from '../events.js';
import { type Act, logFormatOption } from '../options.js';
import { runRow, when } from '../../report/run-row.js';
import { fmtNum, pct, secs } from '../table.js';

export function define(parent: Command, act: Act): Command {
  const cmd = parent
    .command('show')
    .description('print one run folder: config, results, loss chart, per-class accuracy and confusion matrix, files')
    .argument('<dir>', 'a run folder')
    .addOption(logFormatOption());
  return cmd.action((dir: string) => act((c) => showCommand(dir, c), cmd));
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
  const head = `${c.bold(dir)}  ${r.status}, ${s.kind}, started ${when(s.startedAt)}${ended}`;
  if (s.kind === 'landscape' || s.kind === 'repro') {
    const body = s.kind === 'landscape' ? landscapeLines(dir, s, c) : reproLines(s, c);
    process.stdout.write([head, ...body, '', `files: ${s.files.join(', ')}`].join('\n') + '\n');
    return 0;
  }
  const lines = [
    head,
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

/** repro's table rows (its full report: `lintrain repro … --resume DIR` prints it again). */
function reproLines(s: RunSummary, c: ReturnType<typeof colours>): string[] {
  const lines: string[] = [];
  if (s.error) lines.push(`  ${c.red(`error: ${s.error}`)}`);
  const rows = (s.rows as { title: string; val: string; test: string }[] | undefined) ?? [];
  for (const r of rows) lines.push(`  ${r.title}: val ${r.val}, test ${r.test}`);
  return lines;
}

/** A landscape's setting, its table, and the curve along W1 of each example count (from landscape.json). */
function landscapeLines(dir: string, s: RunSummary, c: ReturnType<typeof colours>): string[] {
  const r = s as unknown as RunSummary & LandscapeResults & { timeSec?: number };
  const lines: string[] = [];
  if (s.error) lines.push(`  ${c.red(`error: ${s.error}`)}`);
  if (s.status !== 'done') return lines;
  lines.push(`  ${landscapeSetting(s.config as Config, r)}`, '');
  lines.push(
    ...landscapeTable(r.slices)
      .split('\n')
      .map((l, i) => `  ${i === 0 ? c.bold(l) : l}`),
  );
  if (typeof r.timeSec === 'number') lines.push(`  in ${secs(r.timeSec)} on the ${s.kernels} kernels`);
  const file = path.join(dir, 'landscape.json');
  if (!fs.existsSync(file)) return lines;
  const l = readLandscape(file);
  for (const slice of l.slices) {
    lines.push('', c.bold(`loss along W1, ${examplesText(slice.examples)} (a from −${fmtNum(l.range)} to ${fmtNum(l.range)})`));
    lines.push(lossChart(slice.curve.map((v) => v ?? NaN)));
  }
  return lines;
}
