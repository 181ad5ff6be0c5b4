/** The toy page's words: what each loss is, its formula in plain text, and the page's introduction. */
import type { ToyLossName } from './toy.js';

export const LOSS_TEXT: Record<ToyLossName, { title: string; formula: string; note: string }> = {
  svm: {
    title: 'Multiclass SVM (Weston–Watkins)',
    formula: 'L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ)',
    note: 'The right class must score at least Δ above every other; past that margin a point costs nothing.',
  },
  ova: {
    title: 'One-vs-all (OVA) hinge',
    formula: 'L_i = Σ_j max(0, Δ − y_ij·s_j),   y_ij = +1 if j = y_i, else −1',
    note: 'Three separate binary classifiers: each class wants its score ≥ Δ on its own points and ≤ −Δ on all the others.',
  },
  softmax: {
    title: 'Softmax (cross-entropy)',
    formula: 'L_i = −log( e^{s_{y_i}} / Σ_j e^{s_j} )',
    note: 'The scores are read as unnormalized log probabilities. The loss is never exactly 0, so every step still pushes the scores apart.',
  },
};

export const INTRO =
  'Nine points in three classes and the score function s = W·x + b: W is 3×2, one row w_k per class, and b holds ' +
  "three biases. Each pixel takes the colour of its highest score; each line is where a class's score is 0, and " +
  'its arrow, w_k, points to where that score grows. Edit any number, or press step for one gradient step on ' +
  "all the points. The losses are lintrain's own (src/model/losses, the code that trains on CIFAR-10), " +
  'called with 3 classes instead of 10.';

export const TOTAL_FORMULA = 'L = (1/N) Σ_i L_i + λ Σ_k Σ_d W_kd²      (b is not regularized)';
export const STEP_FORMULA = 'step:  W ← W − η ∂L/∂W,   b ← b − η ∂L/∂b     (all N points at once)';
export const TABLE_CAPTION =
  'Each point, its scores s_k = w_k·x + b_k and its loss L_i. A shaded L_i: the highest score is the wrong class.';
