/**
 * The board's browser entry: a hash router over the pages. Each page is a function that
 * fills the main element and returns how to stop it (event streams, timers), so leaving
 * a page never leaves a stream open behind it.
 */
import { comparePage } from './compare-page.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';
import { toyPage } from './toy-page.js';

export type Page = (root: HTMLElement, params: URLSearchParams, path: string[]) => (() => void) | undefined;

const pages: Record<string, Page> = {
  '': runsPage,
  run: runPage,
  compare: comparePage,
  toy: toyPage,
};

let stop: (() => void) | undefined;

function route(): void {
  const root = document.getElementById('app')!;
  const [where, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const path = where.split('/').filter(Boolean).map(decodeURIComponent);
  stop?.();
  root.replaceChildren();
  const page = pages[path[0] ?? ''] ?? pages[''];
  stop = page(root, new URLSearchParams(query), path.slice(1)) ?? undefined;
}

window.addEventListener('hashchange', route);
route();
