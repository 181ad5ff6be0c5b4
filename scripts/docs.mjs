#!/usr/bin/env node
/**
 * `npm run docs`: write the generated parts of docs/ from the built package (dist/):
 * the table of every config key in docs/usage.md, between its markers, from
 * src/config/help.ts. test/docs.test.ts fails when the file and the source disagree.
 */
import fs from 'node:fs';

const root = new URL('../', import.meta.url);
const { flagTable } = await import(new URL('dist/config/help.js', root).href);
const file = new URL('docs/usage.md', root);
const text = fs.readFileSync(file, 'utf8');
const start = '<!-- flags:start -->\n';
const end = '<!-- flags:end -->';
const i = text.indexOf(start);
const j = text.indexOf(end);
if (i < 0 || j < i) throw new Error('docs/usage.md: the <!-- flags:start --> … <!-- flags:end --> markers are missing');
const next = `${text.slice(0, i + start.length)}${flagTable()}\n${text.slice(j)}`;
if (next !== text) fs.writeFileSync(file, next);
console.log(next === text ? 'docs/usage.md is up to date' : 'docs/usage.md: flag table written');
