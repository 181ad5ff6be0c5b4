#!/usr/bin/env node
import { main } from '../dist/cli-bundle/main.js';

// A reader that stops early (`lintrain --help | head`) is not an error: stop quietly.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv);
