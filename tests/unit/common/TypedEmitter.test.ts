import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../../common/TypedEmitter.js';

type Events = { ping: [n: number]; pair: [a: string, b: boolean] };

describe('TypedEmitter', () => {
  it('calls listeners with the emitted arguments', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: unknown[] = [];
    emitter.on('pair', (a, b) => seen.push([a, b]));
    emitter.emit('pair', 'x', true);
    expect(seen).toEqual([['x', true]]);
  });

  it('keeps emitting to the other listeners when one throws', () => {
    const onError = vi.fn();
    const emitter = new TypedEmitter<Events>(onError);
    const after = vi.fn();
    emitter.on('ping', () => {
      throw new Error('boom');
    });
    emitter.on('ping', after);
    emitter.emit('ping', 1);
    expect(after).toHaveBeenCalledWith(1);
    expect(onError).toHaveBeenCalledWith(expect.any(Error), 'ping');
  });

  it('removes listeners with the returned function and runs once-listeners once', () => {
    const emitter = new TypedEmitter<Events>();
    const on = vi.fn();
    const once = vi.fn();
    const off = emitter.on('ping', on);
    emitter.once('ping', once);
    emitter.emit('ping', 1);
    off();
    emitter.emit('ping', 2);
    expect(on).toHaveBeenCalledTimes(1);
    expect(once).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('ping')).toBe(0);
  });
});
