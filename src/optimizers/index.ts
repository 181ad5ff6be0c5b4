import type { OptName } from '../config/schema.js';
import { adagrad, rmsprop } from './adagrad.js';
import { adam } from './adam.js';
import { momentum } from './momentum.js';
import { sgd } from './sgd.js';
import type { RuleParams, UpdateRule } from './types.js';

export type { OptimizerState, RuleParams, UpdateRule } from './types.js';
export { randomSearch, randomLocalSearch } from './search.js';
export { LbfgsMemory } from './lbfgs.js';
export { type LinePoint, type LineSearchResult, WOLFE_DEFAULTS, wolfeLineSearch } from './line-search.js';

/** The gradient-based optimizers: name → update rule. `gd` is sgd on the full batch. */
export const UPDATE_RULES: Record<Exclude<OptName, 'random-search' | 'random-local' | 'lbfgs'>, (p: RuleParams) => UpdateRule> = {
  gd: () => sgd(),
  sgd: () => sgd(),
  momentum: (p) => momentum(p.momentum),
  nesterov: (p) => momentum(p.momentum, true),
  adagrad: (p) => adagrad(p.eps),
  rmsprop: (p) => rmsprop(p.decayRate, p.eps),
  adam: (p) => adam(p.beta1, p.beta2, p.eps),
};

export const isSearch = (opt: OptName): opt is 'random-search' | 'random-local' => opt === 'random-search' || opt === 'random-local';

export function makeUpdateRule(opt: OptName, p: RuleParams): UpdateRule {
  if (isSearch(opt)) throw new Error(`${opt} is a search, not an update rule`);
  if (opt === 'lbfgs') throw new Error('lbfgs runs its own line search: use LbfgsTrainer');
  return UPDATE_RULES[opt](p);
}
