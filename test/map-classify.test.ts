// Choropleth classes: quantiles put as many areas in each class; Jenks finds the natural breaks
// (the least squared deviation inside classes), checked against a brute force on small inputs.
import { describe, expect, it } from 'vitest';
import { classOf, jenksBreaks, quantileBreaks } from '../src/modules/map/classify.js';

function ssdOf(values: number[], breaks: number[]): number {
  const classes: number[][] = breaks.map(() => []);
  for (const v of values) classes[classOf(v, breaks)].push(v);
  return classes.reduce((sum, c) => {
    const m = c.reduce((a, b) => a + b, 0) / (c.length || 1);
    return sum + c.reduce((a, b) => a + (b - m) ** 2, 0);
  }, 0);
}

/** Every way of cutting the sorted values into k classes: the best deviation. */
function bruteForce(values: number[], k: number): number {
  const v = [...values].sort((a, b) => a - b);
  let best = Infinity;
  const cut = (start: number, left: number, bounds: number[]) => {
    if (left === 1) {
      const b = [...bounds, v[v.length - 1]];
      best = Math.min(best, ssdOf(v, b));
      return;
    }
    for (let end = start; end <= v.length - left; end++) cut(end + 1, left - 1, [...bounds, v[end]]);
  };
  cut(0, k, []);
  return best;
}

describe('choropleth classes', () => {
  it('quantiles: equal counts per class, upper bounds ascending, the last is the maximum', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileBreaks(values, 4)).toEqual([25, 50, 75, 100]);
    expect(quantileBreaks([5, 1, 3], 5)).toEqual([1, 3, 5]);
    expect(quantileBreaks([7, 7, 7, 7], 3)).toEqual([7]);
    expect(quantileBreaks([], 3)).toEqual([]);
    const counts = [0, 0, 0, 0];
    for (const v of values) counts[classOf(v, quantileBreaks(values, 4))]++;
    expect(counts).toEqual([25, 25, 25, 25]);
  });

  it('Jenks: separates obvious groups, and is optimal against a brute force', () => {
    expect(jenksBreaks([1, 2, 3, 50, 51, 52, 200, 201], 3)).toEqual([3, 52, 201]);
    expect(jenksBreaks([4, 4, 9], 5)).toEqual([4, 9]);
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let round = 0; round < 20; round++) {
      const values = Array.from({ length: 9 }, () => Math.round(random() * 1000));
      const k = 2 + (round % 3);
      const breaks = jenksBreaks(values, k);
      expect(breaks.length).toBeLessThanOrEqual(k);
      expect(breaks[breaks.length - 1]).toBe(Math.max(...values));
      expect(ssdOf(values, breaks)).toBeCloseTo(bruteForce(values, k), 6);
    }
  });

  it('classOf puts values above the last bound in the last class', () => {
    expect(classOf(0, [10, 20])).toBe(0);
    expect(classOf(15, [10, 20])).toBe(1);
    expect(classOf(99, [10, 20])).toBe(1);
  });
});
