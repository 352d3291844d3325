// An emitter of canonical nodes and constants under names not yet taken in a graph: how an op's
// `expand` facet writes its compiled form as other canonical ops (src/passes/expand.ts splices it in).
import type { DType } from './dtype.js';
import type { Attrs, Node } from './graph.js';
import { Tensor } from './tensor.js';

export class Emitter {
  readonly nodes: Node[] = [];
  readonly constants = new Map<string, Tensor>();

  /** Next suffix to try per base name: an unrolled sequence claims thousands of names on a few bases. */
  private readonly next = new Map<string, number>();
  private readonly smallConstants = new Map<string, string>();

  constructor(private readonly valueNames: Set<string>, private readonly nodeNames: Set<string>, private readonly prefix: string) {}

  private claim(taken: Set<string>, base: string): string {
    let k = this.next.get(base) ?? 0;
    let name = k ? `${base}_${k}` : base;
    while (taken.has(name)) name = `${base}_${++k}`;
    this.next.set(base, k + 1);
    taken.add(name);
    return name;
  }

  /** One node; `outputs` names them (for the expanded node's own outputs), else fresh names. */
  op(op: string, inputs: readonly string[], attrs: Attrs = {}, outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === 'number'
      ? Array.from({ length: outputs }, () => this.claim(this.valueNames, `${this.prefix}/${op}`)) : [...outputs];
    this.nodes.push({ name: this.claim(this.nodeNames, `${this.prefix}/${op}`), op, inputs: [...inputs], outputs: outs, attrs });
    return outs;
  }

  op1(op: string, inputs: readonly string[], attrs: Attrs = {}): string {
    return this.op(op, inputs, attrs)[0];
  }

  constant(t: Tensor, hint = 'const'): string {
    const name = this.claim(this.valueNames, `${this.prefix}/${hint}`);
    this.constants.set(name, t);
    return name;
  }

  /** A small constant made once per value: an unrolled sequence asks for the same few thousands of times. */
  private small(key: string, hint: string, make: () => Tensor): string {
    let name = this.smallConstants.get(key);
    if (!name) this.smallConstants.set(key, name = this.constant(make(), hint));
    return name;
  }

  ints(values: readonly number[]): string {
    return this.small(`ints:${values.join(',')}`, 'ints', () => Tensor.from('int64', [values.length], values));
  }

  scalar(dtype: DType, v: number): string {
    return this.small(`${dtype}:${v}`, 'scalar', () => Tensor.scalar(dtype, v));
  }

  slice(x: string, axis: number, start: number, end: number): string {
    return this.op1('Slice', [x, this.ints([start]), this.ints([end]), this.ints([axis])]);
  }

  /** Entry `index` of `axis`, the axis dropped. */
  gather(x: string, axis: number, index: number): string {
    return this.op1('Gather', [x, this.scalar('int64', index)], { axis });
  }

  unsqueeze(x: string, axis: number): string {
    return this.op1('Unsqueeze', [x, this.ints([axis])]);
  }

  /** Writes `from` under the expanded node's output name `to`. */
  rename(from: string, to: string): void {
    const last = this.nodes.findIndex((n) => n.outputs.includes(from));
    const n = this.nodes[last];
    if (n && !this.nodes.some((m) => m.inputs.includes(from))) {
      this.nodes[last] = { ...n, outputs: n.outputs.map((o) => (o === from ? to : o)) };
      this.valueNames.delete(from);
    } else {
      this.op('Identity', [from], {}, [to]);
    }
  }
}
