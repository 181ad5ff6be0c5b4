/**
 * A sweep's page: the assignment's plot (the first two swept keys, coloured by validation
 * accuracy), parallel coordinates over every swept key, and the clicked run's curves,
 * config and the command that trains it alone.
 */
import { type Metrics, type RunDetails, runUrl, type Trial } from './api.js';
import { parallel, rampLegend, scatter } from './charts.js';
import { accuracyChart, lossChart } from './curves.js';
import { duration, fmt, getJson, h, pct } from './dom.js';
import { extent } from './scales.js';

const POINTS = 1000;
const SMOOTHING = 0.9; // a sweep's run: the run page's default weight

/** A sweep: the assignment's plot (two swept keys, coloured by validation accuracy), parallel coordinates, the trials. */
export function drawSweep(root: HTMLElement, name: string, run: RunDetails): void {
  const trials = (run.trials ?? []).filter((t) => t.params);
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const detail = h('div', { id: 'trial', class: 'trial' }, h('p', { class: 'muted' }, 'Click a point or a line to see its run.'));
  const best = run.summary?.best as { params: Record<string, number>; valAcc: number; testAcc: number } | null | undefined;
  if (best)
    root.append(
      h(
        'p',
        { class: 'figures' },
        `best: ${Object.entries(best.params)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ')} · validation ${pct(best.valAcc)} · test ${pct(best.testAcc)}`,
      ),
    );
  const show = (t: Trial) => {
    const config = { ...(run.config ?? {}), ...t.params, seed: t.seed };
    const flags = Object.entries(t.params).map(([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v}`);
    detail.replaceChildren(
      h('h3', {}, `Run ${t.index + 1} (point ${t.point + 1})`),
      h(
        'p',
        { class: 'figures' },
        `train ${pct(t.trainAcc)} · validation ${pct(t.valAcc)} · final loss ${fmt(t.finalLoss)} · ${duration(t.timeSec)}`,
      ),
      t.error ? h('p', { class: 'error' }, t.error) : '',
      trialCurves(name, t, () => detail.dataset.trial === String(t.index)),
      h('p', {}, 'Train it alone, with its own run folder:'),
      h('pre', {}, `lintrain --config ${name}/config.json ${flags.join(' ')} --seed ${t.seed}`),
      h(
        'table',
        { class: 'config' },
        ...Object.entries(config).map(([k, v]) =>
          h('tr', { class: k in t.params || k === 'seed' ? 'differs' : '' }, h('th', {}, k), h('td', {}, JSON.stringify(v))),
        ),
      ),
    );
  };
  const byIndex = new Map(trials.map((t) => [String(t.index), t]));
  const pick = (id: string) => {
    detail.dataset.trial = id; // the run shown: a slow answer for one clicked before is dropped
    show(byIndex.get(id)!);
  };
  const vals = trials.map((t) => t.valAcc).filter((v): v is number => v !== null && Number.isFinite(v));
  const [v0, v1] = extent(vals);
  const isLog = (k: string) => {
    const xs = trials.map((t) => t.params[k]).filter((v) => v > 0);
    return xs.length === trials.length && Math.max(...xs) / Math.min(...xs) >= 20;
  };
  const [kx, ky] = keys;
  const box = h('div', { class: 'charts' });
  if (kx)
    box.append(
      h(
        'div',
        { class: 'chart-box', id: 'sweep-scatter' },
        scatter(
          trials.map((t) => ({
            x: t.params[kx],
            y: ky ? t.params[ky] : (t.valAcc ?? 0),
            value: t.valAcc,
            id: String(t.index),
            label: `${keys.map((k) => `${k} ${fmt(t.params[k])}`).join(', ')}: validation ${pct(t.valAcc)}`,
          })),
          {
            xLabel: kx,
            yLabel: ky ?? 'validation accuracy',
            logX: isLog(kx),
            logY: ky ? isLog(ky) : false,
            title: 'Validation accuracy',
            onPick: (p) => pick(p.id),
          },
        ),
        rampLegend(v0, v1, 'validation accuracy', pct),
      ),
    );
  if (keys.length)
    box.append(
      h(
        'div',
        { class: 'chart-box', id: 'sweep-parallel' },
        parallel(
          [...keys.map((k) => ({ name: k, log: isLog(k) })), { name: 'val acc', log: false }],
          trials.map((t) => ({
            values: [...keys.map((k) => t.params[k]), t.valAcc ?? Number.NaN],
            value: t.valAcc,
            id: String(t.index),
            label: `run ${t.index + 1}: validation ${pct(t.valAcc)}`,
          })),
          { onPick: pick },
        ),
      ),
    );
  root.append(h('h2', {}, `Sweep: ${trials.length} runs over ${keys.join(', ') || 'nothing'}`), box, detail);
}

/**
 * A sweep's run's loss and accuracy charts, from its trials/INDEX.jsonl, drawn once they
 * arrive if `current()` says the run is still the one shown. Its final validation accuracy
 * (the trial line's) ends the validation curve.
 */
function trialCurves(name: string, t: Trial, current: () => boolean): HTMLElement {
  const lossBox = h('div', { class: 'chart-box', id: 'trial-loss' }, h('p', { class: 'muted' }, 'loading the curves…'));
  const valBox = h('div', { class: 'chart-box', id: 'trial-val' });
  getJson<Metrics>(`${runUrl(name)}/trial/${t.index}/metrics?points=${POINTS}`)
    .then((m) => {
      if (!current()) return;
      const last = t.valAcc !== null && Number.isFinite(t.valAcc) ? { iter: m.progress.itersDone, valAcc: t.valAcc } : undefined;
      lossBox.replaceChildren(lossChart(m, SMOOTHING));
      valBox.replaceChildren(accuracyChart(m, SMOOTHING, last));
    })
    .catch(() => {
      if (current())
        lossBox.replaceChildren(h('p', { class: 'muted' }, 'No curves for this run: the sweep kept none (no trials/ in its folder).'));
    });
  return h('div', { class: 'charts' }, lossBox, valBox);
}
