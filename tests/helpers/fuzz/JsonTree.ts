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

/**
 * Serialize. Strings go through JSON.stringify, so lone surrogates come out as `\ud800` escapes.
 * Iterative (an explicit stack of pending pieces), so a deep tree cannot overflow the call stack.
 */
export function toJsonText(tree: JsonTree): string {
  const out: string[] = [];
  // Each item is a tree to write or a literal piece of text (punctuation, a key).
  const pending: Array<{ tree: JsonTree } | { text: string }> = [{ tree }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const t = item.tree;
    if (t instanceof RawJson) out.push(t.text);
    else if (t instanceof JsonObject) {
      const parts: Array<{ tree: JsonTree } | { text: string }> = [{ text: '{' }];
      t.entries.forEach(([k, v], i) => parts.push({ text: `${i ? ',' : ''}${JSON.stringify(k)}:` }, { tree: v }));
      parts.push({ text: '}' });
      for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
    } else if (Array.isArray(t)) {
      const parts: Array<{ tree: JsonTree } | { text: string }> = [{ text: '[' }];
      t.forEach((v, i) => parts.push(...(i ? [{ text: ',' }] : []), { tree: v }));
      parts.push({ text: ']' });
      for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
    } else out.push(JSON.stringify(t));
  }
  return out.join('');
}

/**
 * A copy whose arrays and objects are new (RawJson and scalars are immutable and shared): a value
 * taken from a shared pool (hostileValues.ts) must not carry later in-place mutations back into
 * the pool, or every later frame and every other fuzzer instance would see them.
 */
export function cloneTree(tree: JsonTree): JsonTree {
  if (Array.isArray(tree)) return tree.map(cloneTree);
  if (tree instanceof JsonObject) return new JsonObject(tree.entries.map(([k, v]) => [k, cloneTree(v)]));
  return tree;
}
