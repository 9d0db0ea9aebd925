import { RawJson, type JsonTree } from './JsonTree.js';

/**
 * Catalogs of hostile values the fuzzer draws from. Each entry is something a careless parser,
 * validator, logger or database layer has mishandled somewhere.
 */

/** Strings that are valid JSON text but troublesome as data. */
export const UNICODE_EDGE_CASES: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C', // right-to-left override
  '\u200F\u200E', // RLM, LRM
  '\u2066isolate\u2069',
  '\u200B', // zero-width space
  'a\u200Db\u200Cc', // zero-width joiner / non-joiner
  '\uFEFF', // BOM as data
  '\u2028\u2029', // JS line terminators that JSON allows
  '\uD800', // lone high surrogate (JSON.stringify writes it as an escape)
  '\uDC00', // lone low surrogate
  'x\uDBFFy',
  '\uFFFE\uFFFF', // noncharacters
  '\u{10FFFF}',
  '👩‍👩‍👧‍👦', // ZWJ family
  '🇺🇳🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301\u0301', // stacked combining marks
  'Z̵̡̛͔̰̯͈̗̈́͗͛̈́a̸̢̯̬̟͔̔̈́l̵̨̛̝̪̀̏g̶̠̓ơ̴̙̼̈́',
  'İı', // case-mapping traps
  'ß',
  'ﬀ',
  '\u3164', // Hangul filler (renders blank)
  '１２３', // full-width digits
  '٣', // Arabic-Indic digit
  'аdmin', // Cyrillic а
  '\u0001\u001F\u007F\u0085\u009F', // C0 / C1 controls
  '\t\r\n\v\f',
  '%s%n%x',
  "'; DROP TABLE users; --",
  '"}]}',
  '\\u0000',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
];

/** Byte sequences that are not UTF-8; a text frame holding one must be closed with 1007 by ws. */
export const INVALID_UTF8: readonly number[][] = [
  [0xed, 0xa0, 0x80], // lone surrogate U+D800, CESU-8 style
  [0xed, 0xbf, 0xbf], // lone surrogate U+DFFF
  [0xc0, 0xaf], // overlong "/"
  [0xc0, 0x80], // overlong NUL
  [0xe0, 0x80, 0xaf], // overlong, 3 bytes
  [0xf0, 0x80, 0x80, 0xaf], // overlong, 4 bytes
  [0xf8, 0x88, 0x80, 0x80, 0x80], // 5-byte form
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xff],
  [0xfe, 0xff],
  [0x80], // lone continuation byte
  [0xe2, 0x82], // truncated sequence
];

/** Numbers (and number-shaped things) for numeric fields. `RawJson` for what JSON.stringify cannot write. */
export const HOSTILE_NUMBERS: readonly JsonTree[] = [
  0,
  -1,
  0.5,
  1.5,
  -0.000001,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53,
  2 ** 64,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  new RawJson('-0'),
  new RawJson('1e999'), // JSON.parse gives Infinity
  new RawJson('-1e999'),
  new RawJson('9007199254740993'), // rounds to 2^53
  new RawJson('1E2'),
  new RawJson('1.0'),
  new RawJson('0.1e1'),
  new RawJson('123456789012345678901234567890'),
  new RawJson('1' + '0'.repeat(400)),
];

/** Request ids: a few valid, most not. */
export const HOSTILE_IDS: readonly JsonTree[] = [
  ...HOSTILE_NUMBERS,
  1,
  '1',
  '',
  null,
  true,
  [],
  [1],
  new RawJson('{"valueOf":1}'),
];

/** Method names that are not methods (prototype members first: lookup tables keyed by name). */
export const HOSTILE_METHODS: readonly JsonTree[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '__lookupSetter__',
  'isPrototypeOf',
  '',
  ' ',
  '.',
  'sync',
  'sync.',
  '.state',
  'admin.dropTables',
  'users.delete',
  'x'.repeat(64),
  'x'.repeat(65),
  'y'.repeat(5000),
  null,
  0,
  true,
  [],
  new RawJson('{"toString":"sync.state"}'),
];

/** Keys that reach object prototypes when code copies input with `obj[key] = value`. */
export const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', '__defineSetter__', 'toString', 'hasOwnProperty'];

/** Values of other JSON types, for "wrong type" mutations. */
export const OTHER_TYPED_VALUES: readonly JsonTree[] = [null, true, false, 0, 1, -1, '', '1', 'true', 'null', [], [1], [null], new RawJson('{}'), new RawJson('{"a":1}')];
