import { describe, expect, it } from 'vitest';
import {
  ClientMessageId,
  ConversationTitle,
  DisplayName,
  Id,
  MessageBody,
  Password,
  Permission,
  RoleName,
  Username,
} from '../../../../common/protocol/entities.js';

describe('Username', () => {
  it.each(['abc', 'alice', 'bob_smith', 'j.doe-2', 'a'.repeat(32)])('accepts %j', (name) => {
    expect(Username.safeParse(name).success).toBe(true);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(33)],
    ['upper case', 'Alice'],
    ['a space', 'al ice'],
    ['an @', 'al@ice'],
    ['non-ASCII letters', 'zoë'],
    ['a newline', 'alice\n'],
    ['a NUL', 'ali\u0000ce'],
  ])('rejects a name with %s', (_why, name) => {
    expect(Username.safeParse(name).success).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(Username.safeParse(123).success).toBe(false);
  });
});

describe('DisplayName', () => {
  it('trims surrounding whitespace', () => {
    expect(DisplayName.parse('  Alice Smith  ')).toBe('Alice Smith');
  });

  it('accepts non-ASCII names and emoji', () => {
    expect(DisplayName.parse('Zoë 🎧 Ünal')).toBe('Zoë 🎧 Ünal');
  });

  it('accepts 64 characters and rejects 65', () => {
    expect(DisplayName.safeParse('x'.repeat(64)).success).toBe(true);
    expect(DisplayName.safeParse('x'.repeat(65)).success).toBe(false);
  });

  it('rejects an empty or whitespace-only name', () => {
    expect(DisplayName.safeParse('').success).toBe(false);
    expect(DisplayName.safeParse('   ').success).toBe(false);
  });

  it.each([
    ['a NUL', 'Al\u0000ice'],
    ['a tab', 'Al\tice'],
    ['an inner newline', 'Al\nice'],
    ['DEL', 'Al\u007fice'],
    ['a C1 control', 'Al\u0085ice'],
    ['RIGHT-TO-LEFT OVERRIDE (U+202E)', 'Alice\u202Egnp.exe'],
    ['LEFT-TO-RIGHT EMBEDDING (U+202A)', '\u202AAlice'],
    ['RIGHT-TO-LEFT ISOLATE (U+2067)', 'Ali\u2067ce'],
    ['POP DIRECTIONAL ISOLATE (U+2069)', 'Alice\u2069x'],
  ])('rejects %s', (_why, name) => {
    const result = DisplayName.safeParse(name);
    expect(result.success).toBe(false);
  });

  it('says why a control character is rejected', () => {
    const result = DisplayName.safeParse('A\u202Eb');
    expect(result.error?.issues[0]?.message).toBe('no control characters');
  });
});

describe('MessageBody', () => {
  it('trims surrounding whitespace', () => {
    expect(MessageBody.parse('  hello \n')).toBe('hello');
  });

  it('keeps inner newlines', () => {
    expect(MessageBody.parse('line 1\nline 2')).toBe('line 1\nline 2');
  });

  it('rejects a body that is empty after trimming', () => {
    expect(MessageBody.safeParse(' \n\t ').success).toBe(false);
  });

  it('accepts 4000 characters', () => {
    expect(MessageBody.safeParse('x'.repeat(4000)).success).toBe(true);
  });

  it('rejects 4001 characters', () => {
    expect(MessageBody.safeParse('x'.repeat(4001)).success).toBe(false);
  });

  it('measures the limit after trimming', () => {
    expect(MessageBody.parse(`  ${'x'.repeat(4000)}  `)).toHaveLength(4000);
  });
});

describe('Id', () => {
  it.each([1, 42, Number.MAX_SAFE_INTEGER])('accepts %d', (id) => {
    expect(Id.safeParse(id).success).toBe(true);
  });

  it.each([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.POSITIVE_INFINITY, Number.NaN, '1'])('rejects %j', (id) => {
    expect(Id.safeParse(id).success).toBe(false);
  });
});

describe('Password', () => {
  it('needs 8 to 256 characters', () => {
    expect(Password.safeParse('1234567').success).toBe(false);
    expect(Password.safeParse('12345678').success).toBe(true);
    expect(Password.safeParse('x'.repeat(256)).success).toBe(true);
    expect(Password.safeParse('x'.repeat(257)).success).toBe(false);
  });
});

describe('RoleName', () => {
  it.each(['member', 'ops', 'night-shift', 'team_2'])('accepts %j', (name) => {
    expect(RoleName.safeParse(name).success).toBe(true);
  });

  it.each(['a', '2ops', 'Ops', 'night shift', 'x'.repeat(33)])('rejects %j', (name) => {
    expect(RoleName.safeParse(name).success).toBe(false);
  });
});

describe('Permission', () => {
  it('accepts known permissions and rejects others', () => {
    expect(Permission.safeParse('message.send').success).toBe(true);
    expect(Permission.safeParse('message.delete').success).toBe(false);
  });
});

describe('ClientMessageId', () => {
  it('accepts 8–64 URL-safe characters', () => {
    expect(ClientMessageId.safeParse('abcd_-12').success).toBe(true);
    expect(ClientMessageId.safeParse('x'.repeat(64)).success).toBe(true);
  });

  it.each(['short', 'x'.repeat(65), 'has space1', 'slash/abcd'])('rejects %j', (value) => {
    expect(ClientMessageId.safeParse(value).success).toBe(false);
  });
});

describe('ConversationTitle', () => {
  it('trims and needs 1–80 characters', () => {
    expect(ConversationTitle.parse('  Team  ')).toBe('Team');
    expect(ConversationTitle.safeParse('   ').success).toBe(false);
    expect(ConversationTitle.safeParse('x'.repeat(81)).success).toBe(false);
  });
});
