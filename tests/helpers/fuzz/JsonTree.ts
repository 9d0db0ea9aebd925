/**
 * A JSON value as the fuzzer builds it. Plain objects cannot hold duplicate keys or an own
 * `__proto__` key and JSON.stringify cannot write `1e999` or `-0`, so objects are entry lists
 * and `RawJson` is written verbatim: the fuzzer can produce any JSON text a hostile client could.
 */
export type JsonTree = null | boolean | number | string | JsonTree[] | JsonObject | RawJson;

export class JsonObject {
  constructor(readonly entries: Array<[string, JsonTree]> = []) {}

  get(key: string): JsonTree | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }

  set(key: string, value: JsonTree): void {
    const entry = this.entries.find(([k]) => k === key);
    if (entry) entry[1] = value;
    else this.entries.push([key, value]);
  }

  delete(key: string): void {
    const index = this.entries.findIndex(([k]) => k === key);
    if (index >= 0) this.entries.splice(index, 1);
  }
}

/** JSON text written as is (number literals JSON.stringify cannot produce, deep nesting). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A plain JS value (as a schema-valid example is built) as a tree. */
export function fromPlain(value: unknown): JsonTree {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(fromPlain);
  if (typeof value === 'object') return new JsonObject(Object.entries(value).map(([k, v]) => [k, fromPlain(v)]));
  throw new Error(`not JSON: ${typeof value}`);
}

/** Serialize. Strings go through JSON.stringify, so lone surrogates come out as `\ud800` escapes. */
export function toJsonText(tree: JsonTree): string {
  if (tree instanceof RawJson) return tree.text;
  if (tree instanceof JsonObject) return `{${tree.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  if (Array.isArray(tree)) return `[${tree.map(toJsonText).join(',')}]`;
  return JSON.stringify(tree);
}
