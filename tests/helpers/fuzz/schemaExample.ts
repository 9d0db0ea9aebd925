import { z } from 'zod';
import { REQUEST_METHODS, requests, type RequestMethod } from '../../../common/protocol/index.js';
import type { Prng } from './Prng.js';

/**
 * The subset of JSON Schema that `z.toJSONSchema` writes for the request schemas. Anything else
 * makes `assertUnderstood` throw, so a protocol change the fuzzer cannot follow fails the test
 * instead of quietly fuzzing less.
 */
export interface JsonSchema {
  $schema?: string;
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'null';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  /** false: strict object; a schema ({} = anything): loose object (mediasoup parameters). */
  additionalProperties?: boolean | JsonSchema;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
}

const KNOWN_KEYWORDS = new Set<string>([
  '$schema', 'type', 'properties', 'required', 'additionalProperties', 'minLength', 'maxLength', 'pattern', 'minimum',
  'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'items', 'minItems', 'maxItems', 'enum', 'const', 'oneOf', 'anyOf', 'default',
]);

function assertUnderstood(schema: JsonSchema, where: string): void {
  for (const key of Object.keys(schema)) if (!KNOWN_KEYWORDS.has(key)) throw new Error(`fuzzer: unsupported JSON Schema keyword "${key}" at ${where}`);
  for (const [name, sub] of Object.entries(schema.properties ?? {})) assertUnderstood(sub, `${where}.${name}`);
  if (typeof schema.additionalProperties === 'object') assertUnderstood(schema.additionalProperties, `${where}.*`);
  if (schema.items) assertUnderstood(schema.items, `${where}[]`);
  for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) assertUnderstood(branch, `${where}|`);
  if (schema.pattern !== undefined) parsePattern(schema.pattern);
}

/** The request data schema of every method, as JSON Schema (input side: defaulted fields optional). */
export function requestJsonSchemas(): Record<RequestMethod, JsonSchema> {
  const out = {} as Record<RequestMethod, JsonSchema>;
  for (const method of REQUEST_METHODS) {
    const schema = z.toJSONSchema(requests[method].request, { io: 'input' }) as JsonSchema;
    assertUnderstood(schema, method);
    out[method] = schema;
  }
  return out;
}

/** Values worth aiming at: ids of users, conversations and messages that exist on the server. */
export interface ExampleHints {
  ids: readonly number[];
}

const WORDS = ['hello', 'call', 'me', 'alice', 'bob', 'room', 'test', 'fuzz', 'ok', 'x', 'earshot', 'v=0', 'a=candidate'];

/** A value the schema accepts (JSON-Schema-wise; refinements are checked by the caller with zod). */
export function schemaExample(schema: JsonSchema, rng: Prng, hints: ExampleHints): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return rng.pick(schema.enum);
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) return schemaExample(rng.pick(branches), rng, hints);
  switch (schema.type) {
    case 'null':
      return null;
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
    case 'number': {
      const [lo, hi] = numberRange(schema);
      // Ids mostly point at things that exist, so the request gets past "not found" into the checks behind it.
      if (lo <= 1 && hi >= Number.MAX_SAFE_INTEGER && rng.chance(0.8)) return rng.pick(hints.ids);
      const value = rng.chance(0.2) ? rng.pick([lo, hi]) : rng.int(lo, Math.min(hi, lo + 1000));
      return schema.type === 'number' && rng.chance(0.5) && value < hi ? value + 0.5 : value;
    }
    case 'string': {
      if (schema.pattern !== undefined) return patternExample(schema.pattern, rng, schema.minLength, schema.maxLength);
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 200, min + 200);
      let text = rng.pick(WORDS);
      while (text.length < min) text += ` ${rng.pick(WORDS)}`;
      return text.slice(0, Math.max(min, rng.int(min, max))).trimEnd().padEnd(min, 'x');
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? 8, min + 4);
      return Array.from({ length: rng.int(min, max) }, () => schemaExample(schema.items ?? {}, rng, hints));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [name, sub] of Object.entries(schema.properties ?? {})) {
        if (required.has(name) || rng.chance(0.5)) out[name] = schemaExample(sub, rng, hints);
      }
      if (typeof schema.additionalProperties === 'object') {
        for (let i = rng.int(0, 3); i > 0; i--) out[rng.pick(['codecs', 'role', 'fingerprints', 'mid', 'x'])] = anyJson(rng, 2);
      }
      return out;
    }
    case undefined:
      return anyJson(rng, 2);
  }
}

/** [lowest, highest] integer the schema allows. */
export function numberRange(schema: JsonSchema): [number, number] {
  const lo = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? -Number.MAX_SAFE_INTEGER);
  const hi = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : (schema.maximum ?? Number.MAX_SAFE_INTEGER);
  return [lo, hi];
}

/** Small arbitrary JSON (for loose objects and "any" slots). */
export function anyJson(rng: Prng, depth: number): unknown {
  const kind = rng.int(0, depth > 0 ? 6 : 4);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.int(-1000, 100_000);
    case 3:
      return rng.pick(WORDS);
    case 4:
      return rng.next() * 1e6;
    case 5:
      return Array.from({ length: rng.int(0, 3) }, () => anyJson(rng, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.int(0, 3) }, (_, i) => [`k${i}`, anyJson(rng, depth - 1)]));
  }
}

/**
 * The patterns the protocol uses are one character class with a repeat count,
 * `^[A-Za-z0-9_-]{16,64}$` or `^[A-Za-z0-9_-]+$`; that is all this understands.
 */
export function parsePattern(pattern: string): { chars: string[]; min: number; max: number } {
  const match = /^\^\[([^\]]+)\](\+|\*|\{(\d+),(\d+)\})\$$/.exec(pattern);
  if (!match) throw new Error(`fuzzer: unsupported string pattern ${pattern}`);
  const body = match[1]!;
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i + 1] === '-' && i + 2 < body.length) {
      for (let c = body.charCodeAt(i); c <= body.charCodeAt(i + 2); c++) chars.push(String.fromCharCode(c));
      i += 2;
    } else {
      chars.push(body[i]!);
    }
  }
  const [min, max] = match[2] === '+' ? [1, Infinity] : match[2] === '*' ? [0, Infinity] : [Number(match[3]), Number(match[4])];
  return { chars, min, max };
}

/** The characters a pattern allows (to build near-misses that use one it does not). */
export function patternChars(pattern: string): ReadonlySet<string> {
  return new Set(parsePattern(pattern).chars);
}

function patternExample(pattern: string, rng: Prng, minLength = 0, maxLength = Infinity): string {
  const { chars, min, max } = parsePattern(pattern);
  const lo = Math.max(min, minLength);
  const hi = Math.min(max, maxLength, lo + 48);
  return Array.from({ length: rng.int(lo, hi) }, () => rng.pick(chars)).join('');
}
