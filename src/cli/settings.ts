/**
 * The config a command runs with: defaults < --config file < flags, or with --resume the
 * checkpoint's settings < the flags a resume may change (training/checkpoint.ts resumedConfig).
 */
import type { Command } from 'commander';
import { type Checkpoint, loadCheckpoint, resumedConfig } from '../training/checkpoint.js';
import type { Config } from '../config/schema.js';
import { readConfigFile, resolveConfig } from '../config/resolve.js';
import { UsageError } from '../core/errors.js';
import { givenFlags } from './options.js';

/**
 * The config of a command: defaults < the command's own defaults < --config file < flags;
 * with --resume, the checkpoint's < flags.
 */
export function configOf(cmd: Command, commandDefaults: Partial<Config> = {}): Config {
  return settingsOf(cmd, commandDefaults).config;
}

/** The config, and the checkpoint it came from when resuming (read once). */
export function settingsOf(cmd: Command, commandDefaults: Partial<Config> = {}): { config: Config; saved: Checkpoint | null } {
  const { config: file, resume } = cmd.opts() as { config?: string; resume?: string };
  if (resume) {
    if (file) throw new UsageError('--resume takes the settings from the checkpoint; --config cannot be used with it.');
    const saved = loadCheckpoint(resume);
    return { config: resumedConfig(saved.config, givenFlags(cmd), resume), saved };
  }
  return { config: resolveConfig({ ...commandDefaults, ...(file ? readConfigFile(file) : {}) }, givenFlags(cmd)), saved: null };
}
