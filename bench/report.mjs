/**
 * What the benchmark prints: the machine it ran on and the Markdown table of
 * medians, ratios against the best numpy baseline, and the targets.
 */
import fs from 'node:fs';
import os from 'node:os';

export function machine(numpy, threads) {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  const gib = (os.totalmem() / 2 ** 30).toFixed(1);
  const np = numpy.ok ? `Python ${numpy.info.python}, numpy ${numpy.info.numpy}, ${numpy.blas}` : `numpy baseline skipped: ${numpy.reason}`;
  return [
    `Machine: ${cpu}, ${os.availableParallelism()} cores, ${gib} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`,
    `Node ${process.version}; lintrain wasm threads: ${threads}`,
    np,
  ];
}

/** 3 significant digits, thousands separated. */
export function fmt(v) {
  if (v == null || !Number.isFinite(v)) return '–';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Each repeat's ratio: mine[i] / base[i], the two samples taken in the same repeat, minutes
 * apart at most. On a machine whose speed drifts (other tenants, the hypervisor), their
 * spread says how far a single run's ratio can be trusted.
 */
export function pairedRatios(mine, base) {
  const out = [];
  for (let i = 0; i < Math.min(mine?.length ?? 0, base?.length ?? 0); i++) {
    if (Number.isFinite(mine[i]) && Number.isFinite(base[i]) && base[i] > 0) out.push(mine[i] / base[i]);
  }
  return out;
}

/**
 * rows: [{label, unit, target: {kind:'ratio'|'abs', max} | null, values: {wasm, 'wasm-fma', js},
 * best: [variant, value] | null, ratios?: number[]}] (values are medians or null). The ratio
 * is lintrain's default (wasm) over the fastest numpy variant of the row; with two or more
 * repeats' ratios (pairedRatios) the cell adds their range, and the verdict how many
 * repeats met the target.
 */
export function table(rows) {
  const head = '| workload | lintrain wasm | lintrain wasm-fma | lintrain js | best numpy | wasm / best numpy | target | met? |';
  const lines = [head, '|---|---:|---:|---:|---:|---:|---|---|'];
  for (const r of rows) {
    const v = r.values;
    const best = r.best?.[1] ?? null;
    const ratio = v.wasm != null && best != null ? v.wasm / best : null;
    const ratios = r.target?.kind === 'abs' ? [] : (r.ratios ?? []);
    let target = '–';
    let pass = '–';
    if (r.target?.kind === 'ratio') {
      target = `${r.target.strict ? '<' : '≤'} ${r.target.max}×`;
      const meets = (x) => (r.target.strict ? x < r.target.max : x <= r.target.max);
      if (ratio != null) pass = meets(ratio) ? 'yes' : 'NO';
      if (ratio != null && ratios.length > 1) pass += ` (${ratios.filter(meets).length} of ${ratios.length} repeats)`;
    } else if (r.target?.kind === 'abs') {
      target = `≤ ${r.target.max} ${r.unit}`;
      if (v.wasm != null) pass = v.wasm <= r.target.max ? 'yes' : 'NO';
    }
    const bestCell = r.best ? `${fmt(best)} (${r.best[0]})` : '–';
    const spread = ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : '';
    const ratioCell = r.target?.kind === 'abs' || ratio == null ? '–' : `${ratio.toFixed(2)}×${spread}`;
    lines.push(
      `| ${r.label} (${r.unit}) | ${[v.wasm, v['wasm-fma'], v.js].map(fmt).join(' | ')} | ${bestCell} | ${ratioCell} | ${target} | ${pass} |`,
    );
  }
  return lines.join('\n');
}

/** variants: [{label, unit, values: {variant: median | null}}]: every numpy variant of every row. */
export function variantTable(variants) {
  const lines = ['| workload | numpy variants |', '|---|---|'];
  for (const v of variants) {
    const cells = Object.entries(v.values)
      .map(([id, x]) => `${id} ${fmt(x)}`)
      .join(' · ');
    lines.push(`| ${v.label} (${v.unit}) | ${cells} |`);
  }
  return lines.join('\n');
}
