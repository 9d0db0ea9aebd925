import { isUtf8 } from 'node:buffer';
import { CLOSE_CODES } from '../../../common/errors.js';
import { parseClientFrame, REQUEST_METHODS, requests, type RequestMethod } from '../../../common/protocol/index.js';
import {
  HOSTILE_IDS,
  HOSTILE_METHODS,
  HOSTILE_NUMBERS,
  INVALID_UTF8,
  OTHER_TYPED_VALUES,
  PROTOTYPE_KEYS,
  UNICODE_EDGE_CASES,
} from './hostileValues.js';
import { cloneTree, fromPlain, JsonObject, RawJson, toJsonText, type JsonTree } from './JsonTree.js';
import { Prng } from './Prng.js';
import { anyJson, numberRange, patternChars, requestJsonSchemas, schemaExample, type ExampleHints, type JsonSchema } from './schemaExample.js';

/** ws closes a text frame that is not UTF-8 with 1007 "invalid frame payload data" (RFC 6455 §7.4.1). */
export const CLOSE_INVALID_UTF8 = 1007;

/**
 * What the server must do with a frame.
 * - `reply`: answer it. `id` is the request id the answer carries: the frame's `id` when it is a
 *   positive safe integer (the protocol's rule, also for frames that are otherwise invalid), else
 *   null, and then the answer is an id-less `protocol.error` notification. `valid`: the frame
 *   passes the protocol's own parser (`parseClientFrame`), so the answer may be a result.
 * - `close`: the frame cannot be answered on this socket (binary, over maxPayload, not UTF-8);
 *   the server closes with one of `codes`.
 */
export type FrameExpectation =
  | { kind: 'reply'; id: number | null; valid: boolean; method: RequestMethod | null }
  | { kind: 'close'; codes: readonly number[] };

export interface FuzzFrame {
  payload: Buffer;
  /** Sent as a binary WebSocket frame (the protocol is text only). */
  binary: boolean;
  expect: FrameExpectation;
  /** The generator that made it. */
  label: FrameLabel;
  /** The method whose schema the frame was built from (null for schema-less generators). */
  method: RequestMethod | null;
}

/** What one sender may send; see the campaign's header for why. */
export interface FuzzPolicy {
  /** Methods this sender must never send a valid frame for: it would change stored state. */
  noValid: ReadonlySet<RequestMethod>;
  /** Whether frames that make the server close the socket are allowed. */
  killers: boolean;
}

/** Relative frequency of each generator. The last three close the socket (only with `killers`). */
const LABEL_WEIGHTS = {
  /** A schema-valid request (answered with a result or a typed refusal). */
  valid: 8,
  /** Schema-aware mutations of a valid request's data: drop/add/rename/duplicate fields, wrong types, out of range. */
  data: 44,
  /** Mutations of the envelope: id, method, data slot, extra and duplicate keys, not an object. */
  envelope: 10,
  /** `__proto__` / `constructor` keys and prototype member names as methods. */
  proto: 4,
  /** Unicode edge cases in string fields and keys. */
  unicode: 6,
  /** Character-level mutations of a frame's text: truncation, insertions, deletions, BOM, two values. */
  text: 9,
  /** Random JSON values, some shaped like an envelope. */
  randomJson: 4,
  /** Random characters. */
  randomText: 4,
  /** Deeply nested arrays and objects that still fit in maxPayload. */
  nested: 1.2,
  /** Large frames up to exactly maxPayload. */
  big: 0.6,
  oversized: 0.12,
  binary: 0.08,
  badUtf8: 0.12,
} as const;
export type FrameLabel = keyof typeof LABEL_WEIGHTS;
const WEIGHTS_WITHOUT_KILLERS = { ...LABEL_WEIGHTS, oversized: 0, binary: 0, badUtf8: 0 };

const HOMOGLYPHS: Record<string, string> = { a: 'а', e: 'е', o: 'о', c: 'с', p: 'р', i: 'і' };

/**
 * Seeded, schema-aware generator of hostile client frames. Valid seeds come from the protocol's
 * own zod schemas (via JSON Schema), so every request method is covered and a new method is
 * fuzzed without touching this file. Each frame is classified (`FrameExpectation`) with the
 * protocol's parser, which is what lets the campaign check that every frame was answered.
 */
export class FrameFuzzer {
  /** Frames built per method, by whether they parse as a valid request. */
  readonly coverage = new Map<RequestMethod, { valid: number; invalid: number }>();
  readonly labels = new Map<FrameLabel, number>();
  private readonly rng: Prng;
  private readonly schemas = requestJsonSchemas();
  private readonly maxPayloadBytes: number;
  private readonly hints: ExampleHints;
  private nextId = 1;

  constructor(options: { seed: number; maxPayloadBytes: number; hints: ExampleHints }) {
    this.rng = new Prng(options.seed);
    this.maxPayloadBytes = options.maxPayloadBytes;
    this.hints = options.hints;
  }

  next(policy: FuzzPolicy): FuzzFrame {
    for (;;) {
      const label = this.rng.weighted(policy.killers ? LABEL_WEIGHTS : WEIGHTS_WITHOUT_KILLERS);
      const built = this.build(label);
      const payload = typeof built.payload === 'string' ? Buffer.from(built.payload) : built.payload;
      const expect = this.classify(payload, built.binary);
      if (expect.kind === 'close' && !policy.killers) continue;
      if (expect.kind === 'reply' && expect.valid && expect.method && policy.noValid.has(expect.method)) continue;
      // A valid frame counts for the method it parsed as (size and depth generators pick their own).
      const covered = expect.kind === 'reply' && expect.valid ? expect.method : built.method;
      if (covered) {
        const count = this.coverage.get(covered) ?? { valid: 0, invalid: 0 };
        if (expect.kind === 'reply' && expect.valid) count.valid++;
        else count.invalid++;
        this.coverage.set(covered, count);
      }
      this.labels.set(label, (this.labels.get(label) ?? 0) + 1);
      return { payload, binary: built.binary, expect, label, method: built.method };
    }
  }

  /** A schema-valid data object for `method` (zod-checked: refinements the JSON Schema cannot say included). */
  validData(method: RequestMethod): unknown {
    for (let attempt = 0; attempt < 100; attempt++) {
      const data = schemaExample(this.schemas[method], this.rng, this.hints);
      if (requests[method].request.safeParse(data).success) return data;
    }
    throw new Error(`fuzzer: cannot build a valid example for ${method}`);
  }

  /** What the server must do with these bytes (see FrameExpectation). */
  classify(payload: Buffer, binary: boolean): FrameExpectation {
    if (binary) return { kind: 'close', codes: [CLOSE_CODES.PROTOCOL_ERROR] };
    if (payload.length > this.maxPayloadBytes) return { kind: 'close', codes: [CLOSE_CODES.TOO_BIG] };
    if (!isUtf8(payload)) return { kind: 'close', codes: [CLOSE_INVALID_UTF8] };
    const text = payload.toString('utf8');
    let parsed: ReturnType<typeof parseClientFrame>;
    try {
      parsed = parseClientFrame(text);
    } catch {
      // The parser promises never to throw; if it does, the server still owes an answer: a
      // BAD_REQUEST on the frame's id when it has a usable one.
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { kind: 'reply', id: null, valid: false, method: null };
      }
      const rawId = typeof json === 'object' && json !== null && 'id' in json ? json.id : undefined;
      return { kind: 'reply', id: typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId > 0 ? rawId : null, valid: false, method: null };
    }
    // The answer's id follows the protocol's rule as parseClientFrame applies it: the frame's id
    // when it is a positive safe integer, even if the rest is invalid; otherwise none.
    return parsed.ok
      ? { kind: 'reply', id: parsed.request.id, valid: true, method: parsed.request.method }
      : { kind: 'reply', id: parsed.id, valid: false, method: null };
  }

  private build(label: FrameLabel): { payload: string | Buffer; binary: boolean; method: RequestMethod | null } {
    const rng = this.rng;
    const method = rng.pick(REQUEST_METHODS);
    const text = (payload: string, m: RequestMethod | null = method) => ({ payload, binary: false, method: m });
    switch (label) {
      case 'valid':
        return text(toJsonText(this.envelope(method, fromPlain(this.validData(method)))));
      case 'data': {
        let data = fromPlain(this.validData(method));
        for (let n = rng.int(1, 3); n > 0; n--) data = this.mutateTree(data, this.schemas[method]);
        return text(toJsonText(this.envelope(method, data)));
      }
      case 'envelope':
        return text(toJsonText(this.mutateEnvelope(this.envelope(method, fromPlain(this.validData(method))))));
      case 'proto':
        return text(this.protoFrame(method));
      case 'unicode':
        return text(toJsonText(this.unicodeFrame(method)));
      case 'text': {
        let frame = toJsonText(this.envelope(method, fromPlain(this.validData(method))));
        for (let n = rng.int(1, 3); n > 0; n--) frame = this.mutateText(frame);
        return text(frame);
      }
      case 'randomJson':
        return rng.chance(0.4)
          ? text(toJsonText(new JsonObject([['id', this.id()], ['method', method], ['data', this.randomTree(3)]])))
          : text(toJsonText(this.randomTree(4)), null);
      case 'randomText':
        return text(this.randomString(rng.int(0, 300)), null);
      case 'nested':
        return text(this.nestedFrame(method));
      case 'big':
        return text(this.bigFrame(method));
      case 'oversized':
        return text(this.oversizedFrame(method));
      case 'binary':
        return rng.chance(0.5)
          ? { payload: Buffer.from(toJsonText(this.envelope(method, fromPlain(this.validData(method))))), binary: true, method }
          : { payload: Buffer.from(Array.from({ length: rng.int(0, 2000) }, () => rng.int(0, 255))), binary: true, method: null };
      case 'badUtf8': {
        const frame = Buffer.from(toJsonText(this.envelope(method, fromPlain(this.validData(method)))));
        const at = rng.int(0, frame.length);
        return { payload: Buffer.concat([frame.subarray(0, at), Buffer.from(rng.pick(INVALID_UTF8)), frame.subarray(at)]), binary: false, method };
      }
    }
  }

  private id(): number {
    return this.nextId++;
  }

  /** `{id, method, data}`; `data` is left out now and then when empty (it is optional). */
  private envelope(method: string, data: JsonTree): JsonObject {
    const entries: Array<[string, JsonTree]> = [['id', this.id()], ['method', method]];
    if (!(data instanceof JsonObject && data.entries.length === 0 && this.rng.chance(0.3))) entries.push(['data', data]);
    return new JsonObject(entries);
  }

  // ── schema-aware mutation ──────────────────────────────────────────────────────────────

  /** One mutation at a random place in `root` (which `schema` describes); returns the new root. */
  private mutateTree(root: JsonTree, schema: JsonSchema): JsonTree {
    const slots: Slot[] = [];
    let out = root;
    collectSlots(root, schema, (v) => (out = v), undefined, slots);
    const slot = this.rng.pick(slots);
    const value = slot.get();
    const resolved = resolveSchema(slot.schema, value);
    if (value instanceof JsonObject && this.rng.chance(0.6)) {
      this.mutateObject(value, resolved);
      return out;
    }
    if (slot.remove && this.rng.chance(0.15)) {
      slot.remove();
      return out;
    }
    slot.set(this.mutateValue(value, resolved));
    return out;
  }

  private mutateObject(object: JsonObject, schema: JsonSchema | undefined): void {
    const rng = this.rng;
    const keys = object.entries.map(([k]) => k);
    const op = rng.weighted({ addKey: 3, dropKey: keys.length ? 3 : 0, renameKey: keys.length ? 3 : 0, duplicateKey: keys.length ? 2 : 0, clear: 1, fillMissing: 1 });
    switch (op) {
      case 'addKey':
        object.entries.splice(rng.int(0, object.entries.length), 0, [
          rng.pick(['x', 'extra', 'id', 'userId', 'admin', 'role', 'permissions', '', ' ', 'a'.repeat(200), ...PROTOTYPE_KEYS, rng.pick(UNICODE_EDGE_CASES)]),
          fromPlain(anyJson(rng, 2)),
        ]);
        return;
      case 'dropKey':
        object.delete(rng.pick(keys));
        return;
      case 'renameKey': {
        const entry = rng.pick(object.entries);
        entry[0] = this.nearMiss(entry[0]);
        return;
      }
      case 'duplicateKey': {
        // JSON.parse keeps the last of duplicate keys: put the odd value first or last.
        const [key, value] = rng.pick(object.entries);
        const odd: JsonTree = this.mutateValue(value, schema?.properties?.[key]);
        if (rng.chance(0.5)) object.entries.push([key, odd]);
        else object.entries.unshift([key, odd]);
        return;
      }
      case 'clear':
        object.entries.length = 0;
        return;
      case 'fillMissing':
        // Keys from another method's schema: right shape, wrong request.
        for (const [name, sub] of Object.entries(this.schemas[rng.pick(REQUEST_METHODS)].properties ?? {})) {
          if (object.get(name) === undefined) object.entries.push([name, fromPlain(schemaExample(sub, rng, this.hints))]);
        }
        return;
    }
  }

  /** A replacement for `value` that its schema (probably) refuses. */
  private mutateValue(value: JsonTree, schema: JsonSchema | undefined): JsonTree {
    const rng = this.rng;
    if (rng.chance(0.2)) return cloneTree(rng.pick(OTHER_TYPED_VALUES));
    if (rng.chance(0.03)) {
      const depth = rng.int(10, 2000);
      return new RawJson('['.repeat(depth) + ']'.repeat(depth));
    }
    if (schema?.enum || schema?.const !== undefined || typeof value === 'string') {
      if (schema?.pattern !== undefined && rng.chance(0.3)) {
        const allowed = patternChars(schema.pattern);
        const bad = rng.pick(['!', ' ', '/', '+', '=', '.', 'é', '\u0000', '😀', '%', '*'].filter((c) => !allowed.has(c)));
        const base = typeof value === 'string' ? value : 'a'.repeat(16);
        const at = rng.int(0, base.length);
        return base.slice(0, at) + bad + base.slice(at + 1);
      }
      return this.mutateString(typeof value === 'string' ? value : String(schema?.const ?? rng.pick(schema?.enum ?? [''])), schema);
    }
    switch (schema?.type) {
      case 'integer':
      case 'number': {
        const [lo, hi] = numberRange(schema);
        return cloneTree(rng.pick<JsonTree>([...HOSTILE_NUMBERS, lo - 1, hi + 1, lo - 0.5, hi + 0.5, String(value), `${String(value)} `, [value]]));
      }
      case 'boolean':
        return rng.pick<JsonTree>(['true', 'false', 1, 0, null, [true]]);
      case 'array': {
        const items = Array.isArray(value) ? value : [];
        const op = rng.weighted({ empty: 1, tooMany: 2, wrongItems: 2, nested: 1 });
        if (op === 'empty') return [];
        if (op === 'tooMany') {
          const count = (schema.maxItems ?? 100) + rng.pick([1, 2, 50, 1000]);
          return Array.from({ length: count }, (_, i) => (items.length ? items[i % items.length]! : i + 1));
        }
        if (op === 'wrongItems') return items.length ? items.map((item) => (rng.chance(0.5) ? this.mutateValue(item, schema.items) : item)) : [cloneTree(rng.pick(OTHER_TYPED_VALUES))];
        return [items];
      }
      default:
        return cloneTree(rng.pick(OTHER_TYPED_VALUES));
    }
  }

  private mutateString(value: string, schema: JsonSchema | undefined): JsonTree {
    const rng = this.rng;
    const max = schema?.maxLength ?? 64;
    const min = schema?.minLength ?? 1;
    switch (rng.weighted({ tooLong: 3, tooShort: 2, unicode: 3, whitespace: 2, nearMiss: 3, atMax: 1 })) {
      case 'tooLong': {
        // [unit, UTF-16 length, bytes in the frame]: length limits count UTF-16 units, maxPayload counts bytes.
        const [unit, units, bytes] = rng.pick<[string, number, number]>([['a', 1, 1], ['é', 1, 2], ['😀', 2, 4], [' ', 1, 1], ['\u0000', 1, 6]]);
        const wanted = max + rng.pick([1, 2, 10, 1000, 30_000]);
        return unit.repeat(Math.max(1, Math.min(Math.ceil(wanted / units), Math.floor((this.maxPayloadBytes - 512) / bytes))));
      }
      case 'tooShort':
        return min > 0 ? value.slice(0, min - 1) : '';
      case 'unicode': {
        const edge = rng.pick(UNICODE_EDGE_CASES);
        if (rng.chance(0.5)) return edge;
        const at = rng.int(0, value.length);
        return value.slice(0, at) + edge + value.slice(at);
      }
      case 'whitespace':
        return rng.pick(['', ' ', '   ', '\t\n', ` ${value} `, `${value}\n`, '\u00A0', '\u3000']);
      case 'nearMiss':
        return this.nearMiss(value);
      case 'atMax':
        // Exactly the limit, the last character a surrogate pair half in and half out.
        return 'a'.repeat(Math.max(0, Math.min(max, 40_000) - 1)) + '😀';
    }
  }

  /** `value` changed a little: case, homoglyph, zero-width or NUL inserted, trailing space, suffix. */
  private nearMiss(value: string): string {
    const rng = this.rng;
    switch (rng.int(0, 6)) {
      case 0:
        return value.toUpperCase();
      case 1:
        return value.replace(/[aeocpi]/, (c) => HOMOGLYPHS[c] ?? c);
      case 2: {
        const at = rng.int(0, value.length);
        return value.slice(0, at) + rng.pick(['\u200B', '\u0000', '\u00AD', '\uFEFF']) + value.slice(at);
      }
      case 3:
        return `${value} `;
      case 4:
        return `${value}x`;
      case 5:
        return value.slice(1);
      default:
        return value.normalize('NFD') === value ? `${value}\u0301` : value.normalize('NFD');
    }
  }

  private mutateEnvelope(envelope: JsonObject): JsonTree {
    const rng = this.rng;
    switch (rng.weighted({ id: 4, dropId: 1, method: 4, dropMethod: 1, data: 3, extraKey: 2, duplicateKey: 2, reorder: 1, notAnObject: 2 })) {
      case 'id':
        envelope.set('id', rng.chance(0.2) ? this.randomTree(2) : rng.pick(HOSTILE_IDS));
        return envelope;
      case 'dropId':
        envelope.delete('id');
        return envelope;
      case 'method': {
        const current = envelope.get('method');
        envelope.set('method', rng.chance(0.5) || typeof current !== 'string' ? rng.pick(HOSTILE_METHODS) : this.nearMiss(current));
        return envelope;
      }
      case 'dropMethod':
        envelope.delete('method');
        return envelope;
      case 'data':
        // null and a missing data slot both mean {} to the server; the rest are wrong types.
        if (rng.chance(0.2)) envelope.delete('data');
        else envelope.set('data', rng.pick<JsonTree>([null, [], '', 'data', 0, true, new RawJson('[{}]'), this.randomTree(2)]));
        return envelope;
      case 'extraKey':
        envelope.entries.splice(rng.int(0, envelope.entries.length), 0, [
          rng.pick(['jsonrpc', 'params', 'result', 'error', 'event', 'token', 'userId', ...PROTOTYPE_KEYS]),
          fromPlain(anyJson(rng, 2)),
        ]);
        return envelope;
      case 'duplicateKey': {
        const [key] = rng.pick(envelope.entries);
        const odd = key === 'id' ? rng.pick(HOSTILE_IDS) : key === 'method' ? rng.pick(HOSTILE_METHODS) : cloneTree(rng.pick(OTHER_TYPED_VALUES));
        if (rng.chance(0.5)) envelope.entries.push([key, odd]);
        else envelope.entries.unshift([key, odd]);
        return envelope;
      }
      case 'reorder':
        envelope.entries.reverse();
        return envelope;
      case 'notAnObject':
        return rng.pick<JsonTree>([
          [envelope],
          envelope.entries.map(([, v]) => v),
          toJsonText(envelope),
          null,
          0,
          true,
          new RawJson('{}'),
          new JsonObject([['0', envelope]]),
        ]);
    }
  }

  private protoFrame(method: RequestMethod): string {
    const rng = this.rng;
    const data = fromPlain(this.validData(method)) as JsonObject;
    const polluter = new RawJson('{"polluted":"yes","isAdmin":true,"permissions":["admin"]}');
    switch (rng.int(0, 5)) {
      case 0:
        data.entries.push([rng.pick(PROTOTYPE_KEYS), polluter]);
        return toJsonText(this.envelope(method, data));
      case 1:
        data.entries.push(['constructor', new RawJson('{"prototype":{"polluted":"yes"}}')]);
        return toJsonText(this.envelope(method, data));
      case 2: {
        const envelope = this.envelope(method, data);
        envelope.entries.unshift(['__proto__', new RawJson(`{"id":${this.id()},"method":"sync.state"}`)]);
        return toJsonText(envelope);
      }
      case 3:
        return toJsonText(this.envelope(rng.pick(PROTOTYPE_KEYS), data));
      case 4: {
        // Loose objects (mediasoup parameters) accept any key: a valid frame carrying __proto__.
        const loose = Object.entries(this.schemas[method].properties ?? {}).find(([, s]) => typeof s.additionalProperties === 'object');
        if (loose) data.set(loose[0], new JsonObject([['__proto__', polluter], ['constructor', new RawJson('{"prototype":{"polluted":"yes"}}')]]));
        else data.entries.push(['__proto__', polluter]);
        return toJsonText(this.envelope(method, data));
      }
      default:
        return toJsonText(this.envelope(method, new RawJson('{"__proto__":{"__proto__":{"polluted":"yes"}}}')));
    }
  }

  private unicodeFrame(method: RequestMethod): JsonTree {
    const rng = this.rng;
    const data = fromPlain(this.validData(method)) as JsonObject;
    const strings = data.entries.filter(([, v]) => typeof v === 'string');
    if (strings.length && rng.chance(0.7)) {
      const entry = rng.pick(strings);
      entry[1] = this.mutateString(entry[1] as string, this.schemas[method].properties?.[entry[0]]);
      if (rng.chance(0.5)) entry[1] = rng.pick(UNICODE_EDGE_CASES);
    } else if (data.entries.length && rng.chance(0.5)) {
      const entry = rng.pick(data.entries);
      entry[0] = entry[0] + rng.pick(UNICODE_EDGE_CASES);
    } else {
      return this.envelope(method + rng.pick(UNICODE_EDGE_CASES), data);
    }
    return this.envelope(method, data);
  }

  // ── text level ─────────────────────────────────────────────────────────────────────────

  private mutateText(text: string): string {
    const rng = this.rng;
    const at = rng.int(0, text.length);
    switch (rng.int(0, 11)) {
      case 0:
        return text.slice(0, rng.int(0, Math.max(0, text.length - 1)));
      case 1:
        return text.slice(0, at) + text.slice(Math.min(text.length, at + rng.int(1, 8)));
      case 2:
        return text.slice(0, at) + rng.pick(['{', '}', '[', ']', '"', ':', ',', '\\', '\\u', '\\ud800', 'null', '-', 'e', '\u0000', ...UNICODE_EDGE_CASES]) + text.slice(at);
      case 3:
        return text.slice(0, at) + text.slice(at, at + rng.int(1, 30)).repeat(rng.int(2, 4)) + text.slice(at);
      case 4:
        return `\uFEFF${text}`;
      case 5:
        return `${text}${rng.pick(['}', ',', ' x', '\u0000', '{}', text])}`;
      case 6:
        return `  \n\t${text}\r\n  `; // whitespace around JSON: still the same frame
      case 7:
        return text.replaceAll('"', "'");
      case 8:
        return text.replace(':', ':/*c*/');
      case 9:
        return text.replace(/"(\w)/, '"\\u00$1');
      case 10:
        return text.replace(/\d+/, (n) => rng.pick([`0${n}`, `+${n}`, `${n}.`, `.${n}`, 'NaN', 'Infinity', '0x10']));
      default:
        return '';
    }
  }

  private randomString(length: number): string {
    const rng = this.rng;
    let out = '';
    for (let i = 0; i < length; i++) {
      const range = rng.int(0, 5);
      const code =
        range === 0 ? rng.int(0x20, 0x7e) : range === 1 ? rng.int(0, 0x1f) : range === 2 ? rng.int(0x80, 0x2ff) : range === 3 ? rng.int(0xd800, 0xdfff) : range === 4 ? rng.int(0x1f300, 0x1faff) : rng.int(0x3000, 0xfffd);
      out += String.fromCodePoint(code);
    }
    return out;
  }

  private randomTree(depth: number): JsonTree {
    const rng = this.rng;
    switch (rng.int(0, depth > 0 ? 7 : 5)) {
      case 0:
        return null;
      case 1:
        return rng.chance(0.5);
      case 2:
        return cloneTree(rng.pick(HOSTILE_NUMBERS));
      case 3:
        return rng.int(-5, 100);
      case 4:
        return rng.chance(0.5) ? rng.pick(UNICODE_EDGE_CASES) : this.randomString(rng.int(0, 20));
      case 5:
        return rng.pick(REQUEST_METHODS);
      case 6:
        return Array.from({ length: rng.int(0, 4) }, () => this.randomTree(depth - 1));
      default:
        return new JsonObject(Array.from({ length: rng.int(0, 4) }, () => [rng.chance(0.3) ? rng.pick(['id', 'method', 'data']) : this.randomString(rng.int(0, 6)), this.randomTree(depth - 1)]));
    }
  }

  // ── size and depth ─────────────────────────────────────────────────────────────────────

  /** Deep nesting that fits in maxPayload: whole frame, data, a field, a mediasoup parameter object, the id. */
  private nestedFrame(method: RequestMethod): string {
    const rng = this.rng;
    const room = this.maxPayloadBytes - 300;
    const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const arrayDepth = Math.min(rng.pick([64, 1000, 10_000, 30_000]), Math.floor(room / 2));
    const objectDepth = Math.min(rng.pick([64, 500, 2000, 5000, 10_000]), Math.floor(room / 6));
    const deep = new RawJson(rng.chance(0.5) ? arrays(arrayDepth) : objects(objectDepth));
    switch (rng.int(0, 4)) {
      case 0:
        return deep.text;
      case 1:
        return toJsonText(this.envelope(method, deep));
      case 2: {
        const data = fromPlain(this.validData(method)) as JsonObject;
        if (data.entries.length) rng.pick(data.entries)[1] = deep;
        else data.entries.push(['deep', deep]);
        return toJsonText(this.envelope(method, data));
      }
      case 3: {
        // A valid-looking request whose mediasoup parameter object is nested deep (the schema only bounds its size).
        const m = rng.pick(['group.connectTransport', 'group.produce', 'group.ready'] as const);
        const data = fromPlain(this.validData(m)) as JsonObject;
        const field = m === 'group.connectTransport' ? 'dtlsParameters' : m === 'group.produce' ? 'rtpParameters' : 'rtpCapabilities';
        data.set(field, new RawJson(objects(objectDepth)));
        return toJsonText(this.envelope(m, data));
      }
      default: {
        const envelope = this.envelope(method, fromPlain(this.validData(method)));
        envelope.set('id', deep);
        return toJsonText(envelope);
      }
    }
  }

  /** A large frame no bigger than maxPayload (sometimes exactly maxPayload). */
  private bigFrame(method: RequestMethod): string {
    const rng = this.rng;
    const room = this.maxPayloadBytes - 400;
    switch (rng.int(0, 4)) {
      case 0: {
        const frame = toJsonText(this.envelope(method, fromPlain(this.validData(method))));
        // Whitespace padding to exactly maxPayload bytes: a valid frame at the limit.
        return frame + ' '.repeat(Math.max(0, this.maxPayloadBytes - Buffer.byteLength(frame)));
      }
      case 1:
        return toJsonText(this.envelope('messages.send', new JsonObject([['conversationId', rng.pick(this.hints.ids)], ['clientId', 'big-frame-01'], ['body', 'x'.repeat(rng.int(4001, room))]])));
      case 2:
        return toJsonText(this.envelope(method, new JsonObject(Array.from({ length: Math.floor(room / 12) }, (_, i) => [`k${i}`, i]))));
      case 3:
        return toJsonText(this.envelope('conversations.createGroup', new JsonObject([['title', 'big'], ['memberIds', Array.from({ length: Math.floor(room / 8) }, (_, i) => i + 1)]])));
      default:
        return toJsonText(this.envelope('users.search', new JsonObject([['query', '😀'.repeat(Math.floor(room / 4))]])));
    }
  }

  /** Over maxPayload: the server must close with 1009 without reading it whole. */
  private oversizedFrame(method: RequestMethod): string {
    const rng = this.rng;
    const size = this.maxPayloadBytes + rng.pick([1, 2, 1000, this.maxPayloadBytes, 3 * this.maxPayloadBytes]);
    switch (rng.int(0, 2)) {
      case 0: {
        const frame = toJsonText(this.envelope(method, fromPlain(this.validData(method))));
        return frame + ' '.repeat(Math.max(0, size - Buffer.byteLength(frame)));
      }
      case 1:
        return '['.repeat(100_000) + ']'.repeat(100_000);
      default:
        return toJsonText(this.envelope('messages.send', new JsonObject([['conversationId', 1], ['clientId', 'oversized-01'], ['body', 'y'.repeat(size)]])));
    }
  }
}

/** A place in a tree that a mutation can replace or remove, with the schema that describes it. */
interface Slot {
  schema: JsonSchema | undefined;
  get(): JsonTree;
  set(value: JsonTree): void;
  remove: (() => void) | undefined;
}

function collectSlots(value: JsonTree, schema: JsonSchema | undefined, set: (v: JsonTree) => void, remove: (() => void) | undefined, out: Slot[]): void {
  out.push({ schema, get: () => value, set, remove });
  const resolved = resolveSchema(schema, value);
  if (value instanceof JsonObject) {
    for (const entry of value.entries) {
      const sub = resolved?.properties?.[entry[0]] ?? (typeof resolved?.additionalProperties === 'object' ? resolved.additionalProperties : undefined);
      collectSlots(entry[1], sub, (v) => (entry[1] = v), () => value.delete(entry[0]), out);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collectSlots(item, resolved?.items, (v) => (value[i] = v), () => value.splice(i, 1), out));
  }
}

/** For a union schema, the branch that describes `value` (by JSON type and `const` properties). */
function resolveSchema(schema: JsonSchema | undefined, value: JsonTree): JsonSchema | undefined {
  const branches = schema?.oneOf ?? schema?.anyOf;
  if (!branches) return schema;
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : value instanceof JsonObject ? 'object' : typeof value === 'number' ? 'integer' : typeof value;
  const matching = branches.filter((b) => b.type === type || (type === 'integer' && b.type === 'number'));
  const byConst = matching.find((b) => Object.entries(b.properties ?? {}).every(([k, s]) => s.const === undefined || (value instanceof JsonObject && value.get(k) === s.const)));
  return byConst ?? matching[0] ?? branches[0];
}
