/**
 * The README and docs/: every relative link leads to a file that exists, and every
 * `#anchor` into a Markdown file to one of its headings (as GitHub names them); the
 * README stays a front door of at most 15,000 bytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flagTable } from '../src/config/help.js';
import { CONFIG_KEYS, EXECUTION_KEYS, flagOf } from '../src/config/schema.js';
import { MAY_CHANGE_ON_RESUME } from '../src/training/checkpoint.js';
import { root } from './helpers/cli.js';

const README_MAX_BYTES = 15_000;

/** The Markdown pages: README.md and docs/*.md. */
function pages(dir: string): string[] {
  const docs = path.join(dir, 'docs');
  const inDocs = fs.existsSync(docs)
    ? fs
        .readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join(docs, f))
    : [];
  return [path.join(dir, 'README.md'), ...inDocs];
}

/** The text outside fenced code blocks, inline code spans left empty. */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      continue;
    }
    if (fence === null) lines.push(line.replace(/(`+)[^`]*?\1/g, ''));
  }
  return lines;
}

/** A heading's anchor as GitHub makes it: lowercase, punctuation gone but hyphens, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings; a repeated heading gets -1, -2 … as on GitHub. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      continue;
    }
    const m = fence === null ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The relative links of a Markdown file: `[text](target)`, images included; no URLs, no mailto. */
function links(markdown: string): string[] {
  const out: string[] = [];
  for (const line of prose(markdown)) {
    for (const m of line.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) out.push(target);
    }
  }
  return out;
}

/** Each link of the file that leads nowhere, as `file: target (why)`. */
function brokenLinks(file: string, base: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const name = path.relative(base, file);
  const broken: string[] = [];
  for (const target of links(text)) {
    const hash = target.indexOf('#');
    const filePart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
    const dest = filePart === '' ? file : path.resolve(path.dirname(file), filePart);
    if (!fs.existsSync(dest)) {
      broken.push(`${name}: ${target} (no such file)`);
      continue;
    }
    if (anchor !== null && dest.endsWith('.md') && !anchors(fs.readFileSync(dest, 'utf8')).has(anchor)) {
      broken.push(`${name}: ${target} (no heading #${anchor} in ${path.relative(base, dest)})`);
    }
  }
  return broken;
}

test('the README and every page of docs/ link only to files and headings that exist', () => {
  const files = pages(root);
  expect(files.length).toBeGreaterThan(5);
  const found = files.flatMap((f) => links(fs.readFileSync(f, 'utf8')));
  expect(found.length).toBeGreaterThan(20);
  expect(files.flatMap((f) => brokenLinks(f, root))).toEqual([]);
});

test(`the README is at most ${README_MAX_BYTES} bytes`, () => {
  expect(fs.statSync(path.join(root, 'README.md')).size).toBeLessThanOrEqual(README_MAX_BYTES);
});

test("docs/usage.md's flag table is the one src/config/help.ts makes (run `npm run docs` after changing a flag)", () => {
  const lines = fs.readFileSync(path.join(root, 'docs', 'usage.md'), 'utf8').split('\n');
  const start = lines.indexOf('<!-- flags:start -->');
  const end = lines.indexOf('<!-- flags:end -->');
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  expect(lines.slice(start + 1, end).join('\n')).toBe(flagTable());
  // …and has a row for every config key.
  for (const key of CONFIG_KEYS) expect(lines.some((l) => l.includes(`| \`${key}\` |`))).toBe(true);
});

test('docs/usage.md names exactly the flags a resumed run may change', () => {
  const usage = fs.readFileSync(path.join(root, 'docs', 'usage.md'), 'utf8');
  const bullet = /- `--resume DIR`:[\s\S]*?may be given/.exec(usage)![0];
  const listed = [...bullet.slice(bullet.indexOf('only')).matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]);
  expect(listed.sort()).toEqual([...MAY_CHANGE_ON_RESUME, ...EXECUTION_KEYS].map(flagOf).sort());
});

test("headings slugify as GitHub's anchors", () => {
  expect(slug("The lecture's numbers and ours")).toBe('the-lectures-numbers-and-ours');
  expect(slug('Hyperparameter search: `lintrain sweep`')).toBe('hyperparameter-search-lintrain-sweep');
  expect(slug('Why not the `cifar10` npm package?')).toBe('why-not-the-cifar10-npm-package');
  expect(slug('checkpoint.json')).toBe('checkpointjson');
  expect(slug('Run folders and file formats')).toBe('run-folders-and-file-formats');
  expect(slug('JSON lines: metrics.jsonl and results.jsonl')).toBe('json-lines-metricsjsonl-and-resultsjsonl');
});

test('the link checker finds a missing file and a missing heading, and skips URLs and code', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-docs-'));
  try {
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      [
        '# Top',
        '',
        '[ok](docs/a.md), [anchor ok](docs/a.md#a-b-c), [self](#top), [web](https://example.org/x.md)',
        '[gone](docs/missing.md) and [bad anchor](docs/a.md#nope) and [bad self](#nowhere)',
        '`[in code](docs/code.md)`',
        '```',
        '[in a fence](docs/fence.md)',
        '```',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'docs', 'a.md'), '# A, b: c!\n\n```sh\n# not a heading\n```\n[up](../README.md#top)\n');
    expect(pages(dir).flatMap((f) => brokenLinks(f, dir))).toEqual([
      'README.md: docs/missing.md (no such file)',
      'README.md: docs/a.md#nope (no heading #nope in docs/a.md)',
      'README.md: #nowhere (no heading #nowhere in README.md)',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
