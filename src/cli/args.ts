// Parsing of the repeatable NAME=VALUE options of the CLI (--shape, --input, --freeze).
import { InputError } from '../errors.js';

/** Splits NAME=VALUE at the last '=' (input names may contain ':' or '/', rarely '='). */
function splitAssignment(option: string, text: string): [string, string] {
  const at = text.lastIndexOf('=');
  if (at <= 0) throw new InputError(`${option} expects NAME=VALUE, got '${text}'`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function assign<V>(option: string, texts: readonly string[], parse: (value: string, name: string) => V): Record<string, V> {
  const out: Record<string, V> = {};
  for (const text of texts) {
    const [name, value] = splitAssignment(option, text);
    if (name in out) throw new InputError(`${option} gives '${name}' twice`);
    out[name] = parse(value, name);
  }
  return out;
}

/** --shape NAME=D0,D1,... (an empty list is a scalar). */
export function parseShapes(texts: readonly string[]): Record<string, number[]> {
  return assign('--shape', texts, (value, name) => {
    if (value.trim() === '') return [];
    const dims = value.split(',').map((s) => Number(s.trim()));
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InputError(`--shape ${name}=${value}: dims must be non-negative integers, e.g. --shape ${name}=1,3,224,224`);
    }
    return dims;
  });
}

/** --input or --freeze NAME=FILE.npy */
export function parseNpyFiles(option: '--input' | '--freeze', texts: readonly string[]): Record<string, string> {
  return assign(option, texts, (value, name) => {
    if (!value) throw new InputError(`${option} ${name}= needs a .npy file, e.g. ${option} ${name}=${name}.npy`);
    return value;
  });
}

/** Collects a repeatable commander option into an array. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}
