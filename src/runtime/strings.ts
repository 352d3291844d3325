// One run's string table: equal strings get one int32 handle, so compiled code compares and
// moves handles; the model's constant strings hold the first handles (manifest.strings).

import { KilnRuntimeError } from './errors.js';

export class StringTable {
  private readonly table: string[];
  private readonly handleOf: Map<string, number>;

  constructor(constants: readonly string[]) {
    this.table = [...constants];
    this.handleOf = new Map(constants.map((s, i) => [s, i]));
  }

  handles(strings: readonly string[]): Int32Array {
    return Int32Array.from(strings, (s) => {
      let h = this.handleOf.get(s);
      if (h === undefined) this.handleOf.set(s, (h = this.table.push(s) - 1));
      return h;
    });
  }

  strings(handles: Int32Array): string[] {
    return Array.from(handles, (h) => {
      const s = this.table[h];
      if (s === undefined) throw new KilnRuntimeError('E_FORMAT', `the model gave string handle ${h}, which is not in the run's table of ${this.table.length} strings; the artifact is corrupt`);
      return s;
    });
  }
}
