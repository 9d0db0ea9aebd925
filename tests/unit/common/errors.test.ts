import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERROR_CODES, EarshotError, assertUnreachable, isErrorCode } from '../../../common/errors.js';

describe('EarshotError', () => {
  it('is an Error with name EarshotError, a code and a message', () => {
    const error = new EarshotError('ROOM_FULL', 'the room is full');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EarshotError');
    expect(error.code).toBe('ROOM_FULL');
    expect(error.message).toBe('the room is full');
  });

  describe('#toWire', () => {
    it('exposes only code and message', () => {
      const wire = new EarshotError('FORBIDDEN', 'no').toWire();
      expect(wire).toStrictEqual({ code: 'FORBIDDEN', message: 'no' });
      expect(JSON.parse(JSON.stringify(wire))).toStrictEqual({ code: 'FORBIDDEN', message: 'no' });
    });
  });

  describe('.fromWire', () => {
    it('rebuilds an equal error from its wire form', () => {
      const error = EarshotError.fromWire(new EarshotError('NOT_FOUND', 'gone').toWire());
      expect(error).toBeInstanceOf(EarshotError);
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe('gone');
    });
  });
});

describe('isErrorCode', () => {
  it('accepts every listed code', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
  });

  it.each([['NOPE'], ['bad_request'], [''], [42], [null], [undefined], [{ code: 'BAD_REQUEST' }]])('rejects %j', (value) => {
    expect(isErrorCode(value)).toBe(false);
  });
});

describe('ERROR_CODES', () => {
  it('has no duplicates', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});

describe('CLOSE_CODES', () => {
  it('keeps application codes in the 4000–4999 range', () => {
    for (const code of [CLOSE_CODES.UNAUTHENTICATED, CLOSE_CODES.SESSION_REVOKED, CLOSE_CODES.RATE_LIMITED]) {
      expect(code).toBeGreaterThanOrEqual(4000);
      expect(code).toBeLessThan(5000);
    }
  });
});

describe('assertUnreachable', () => {
  it('throws naming the unhandled value', () => {
    expect(() => assertUnreachable('surprise' as never)).toThrow('unhandled case: "surprise"');
  });
});
