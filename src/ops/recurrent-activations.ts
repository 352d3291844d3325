// The activation functions RNN, GRU and LSTM name in their `activations` attribute, with the
// alpha/beta each one draws from activation_alpha/activation_beta, shared by the kernel and the expansion.
import { UnsupportedError } from '../errors.js';

export interface Activation {
  /** Canonical spelling (the attribute is case-insensitive, as onnxruntime reads it). */
  readonly name: string;
  readonly alpha: number;
  readonly beta: number;
}

interface ActivationFacts {
  readonly name: string;
  /** Defaults when the attribute lists run out; undefined when the function takes no such parameter. */
  readonly alpha?: number;
  readonly beta?: number;
  readonly fn: (x: number, alpha: number, beta: number) => number;
}

const FACTS: readonly ActivationFacts[] = [
  { name: 'Relu', fn: (x) => Math.max(0, x) },
  { name: 'Tanh', fn: (x) => Math.tanh(x) },
  { name: 'Sigmoid', fn: (x) => 1 / (1 + Math.exp(-x)) },
  { name: 'Affine', alpha: 1, beta: 0, fn: (x, a, b) => a * x + b },
  { name: 'LeakyRelu', alpha: 0.01, fn: (x, a) => (x < 0 ? a * x : x) },
  { name: 'ThresholdedRelu', alpha: 1, fn: (x, a) => (x > a ? x : 0) },
  { name: 'ScaledTanh', alpha: 1, beta: 1, fn: (x, a, b) => a * Math.tanh(b * x) },
  { name: 'HardSigmoid', alpha: 0.2, beta: 0.5, fn: (x, a, b) => Math.max(0, Math.min(1, a * x + b)) },
  { name: 'Elu', alpha: 1, fn: (x, a) => (x < 0 ? a * Math.expm1(x) : x) },
  { name: 'Softsign', fn: (x) => x / (1 + Math.abs(x)) },
  { name: 'Softplus', fn: (x) => Math.log1p(Math.exp(x)) },
];

const BY_NAME = new Map(FACTS.map((f) => [f.name.toLowerCase(), f]));

/** The scalar function of an activation, for the reference kernel. */
export function activationFn(a: Activation): (x: number) => number {
  const { fn } = BY_NAME.get(a.name.toLowerCase())!;
  return (x) => fn(x, a.alpha, a.beta);
}

/**
 * The activations of each direction: `perDirection` functions for each of `directions`, from the
 * attribute lists (or `defaults`), each alpha/beta list consumed in order by the functions taking one.
 */
export function resolveActivations(where: string, names: readonly string[] | undefined, alphas: readonly number[] | undefined,
  betas: readonly number[] | undefined, defaults: readonly string[], directions: number): Activation[][] {
  const list = names && names.length ? names : Array.from({ length: directions }, () => defaults).flat();
  if (list.length !== defaults.length * directions) {
    throw new UnsupportedError(`${where}: activations lists ${list.length} functions; ${directions} direction(s) need ${defaults.length * directions} (${defaults.join(', ')} each)`);
  }
  let ai = 0, bi = 0;
  const resolved = list.map((name) => {
    const facts = BY_NAME.get(name.toLowerCase());
    if (!facts) throw new UnsupportedError(`${where}: unknown activation '${name}'; use one of ${FACTS.map((f) => f.name).join(', ')}`);
    const alpha = facts.alpha === undefined ? 0 : alphas && ai < alphas.length ? alphas[ai++] : facts.alpha;
    const beta = facts.beta === undefined ? 0 : betas && bi < betas.length ? betas[bi++] : facts.beta;
    return { name: facts.name, alpha, beta };
  });
  return Array.from({ length: directions }, (_, d) => resolved.slice(d * defaults.length, (d + 1) * defaults.length));
}
