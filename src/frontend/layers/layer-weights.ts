// Finds each layer's weights among a manifest's names. Converters and Keras versions spell them
// 'Conv1/kernel', 'model/Conv1/kernel:0' or 'outer/inner/Conv1/kernel': the last two path parts
// are the layer and the weight; earlier parts (enclosing models) only break ties.
import { FormatError } from '../../errors.js';
import type { Tensor } from '../../ir/tensor.js';

interface NamedWeight {
  readonly full: string;
  readonly scope: readonly string[];
  readonly tensor: Tensor;
}

export class LayerWeights {
  /** By layer name, then weight name. */
  private readonly index = new Map<string, Map<string, NamedWeight[]>>();

  constructor(weights: ReadonlyMap<string, Tensor>) {
    for (const [full, tensor] of weights) {
      const parts = full.replace(/:\d+$/, '').split('/');
      if (parts.length < 2) continue;
      const weight = parts[parts.length - 1], layer = parts[parts.length - 2];
      let byWeight = this.index.get(layer);
      if (!byWeight) this.index.set(layer, byWeight = new Map());
      const list = byWeight.get(weight) ?? [];
      list.push({ full, scope: parts.slice(0, -2), tensor });
      byWeight.set(weight, list);
    }
  }

  /**
   * The weight `weight` ('kernel', 'gamma', ...) of layer `layer`, nested in models `scope`
   * (outermost first). Throws a FormatError naming what exists when it is absent (the message
   * leaves the layer out: the importer prefixes it).
   */
  get(layer: string, weight: string, scope: readonly string[]): Tensor {
    const found = this.find(layer, weight, scope) ?? this.underCell(layer, weight);
    if (found) return found;
    const have = [...(this.index.get(layer)?.keys() ?? [])];
    throw new FormatError(`needs weight '${weight}' but the manifest ` +
      (have.length ? `has only ${have.map((w) => `'${layer}/${w}'`).join(', ')}` : `has no weights for it`) +
      `; the weights do not belong to this model.json`);
  }

  /** Python Keras keeps an RNN layer's weights under its cell: 'lstm/lstm_cell/kernel:0'. */
  private underCell(layer: string, weight: string): Tensor | undefined {
    const matches = [...this.index.values()].flatMap((byWeight) => (byWeight.get(weight) ?? []).filter((w) => w.scope[w.scope.length - 1] === layer));
    return matches.length === 1 ? matches[0].tensor : undefined;
  }

  find(layer: string, weight: string, scope: readonly string[]): Tensor | undefined {
    const list = this.index.get(layer)?.get(weight);
    if (!list?.length) return undefined;
    if (list.length === 1) return list[0].tensor;
    // several models hold a layer of this name: take the one whose path lies inside `scope`
    const inScope = list.filter((w) => w.scope.every((s) => scope.includes(s)));
    const best = inScope.sort((a, b) => b.scope.length - a.scope.length)[0];
    if (!best) {
      throw new FormatError(`weight '${weight}' is ambiguous ` +
        `(${list.map((w) => `'${w.full}'`).join(', ')}) and none lies in model ${scope.join('/') || '(top level)'}`);
    }
    return best.tensor;
  }
}
