import { describe, expect, it } from 'vitest';
import { Turns } from '../../src/pipeline/turns.js';

describe('Turns', () => {
  it('gives at most `width` turns at once, the rest in the order they asked', async () => {
    const turns = new Turns(2);
    const order: number[] = [];
    const ends: (() => void)[] = [];
    const asked = [0, 1, 2, 3, 4].map((index) =>
      turns.take().then((end) => {
        order.push(index);
        ends[index] = end;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1]);
    ends[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1, 2]);
    // Ending a turn twice gives back one turn, not two.
    ends[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1, 2]);
    ends[0]!();
    ends[2]!();
    await Promise.all(asked.slice(0, 4));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a width that gives no turn', () => {
    expect(() => new Turns(0)).toThrow(RangeError);
    expect(() => new Turns(1.5)).toThrow(RangeError);
  });
});
