// The fuzzer's seeded choices: one generator per case, so a case is reproduced from its seed alone.
import { rng } from '../../src/io/random.js';

export class Dice {
  private readonly next: () => number;
  constructor(seed: number) { this.next = rng(seed); }
  /** An integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  /** Sizes that break assumptions: zero, one, negative, past 2^31, 2^32 and 2^53, non-integers. */
  size(): number {
    return this.pick([0, 1, 2, 3, 7, -1, -2, 1e8, 2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 53 + 2, 1e20, 2.5, 65537]);
  }
  /** Names that break messages: empty, a newline, quotes, very long. */
  name(): string {
    return this.pick(['', 'x', 'a\nb', "it's", '\u0000', 'n'.repeat(300), '0', 'a\rb', '\u2028']);
  }
}
