// Classes of a choropleth: quantiles (as many areas in each class) or Jenks natural breaks (least
// squared deviation inside classes, Fisher's exact dynamic programme, O(k·n²) on the sorted
// values; a territory has at most a few hundred communes). Pure functions, unit-tested.

/** Upper bounds of the classes (ascending, the last is the maximum); fewer when values repeat. */
export type Breaks = number[];

export function quantileBreaks(values: readonly number[], k: number): Breaks {
  const v = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length || k < 1) return [];
  const out: number[] = [];
  for (let i = 1; i <= k; i++) {
    const b = v[Math.min(v.length - 1, Math.ceil((i * v.length) / k) - 1)];
    if (!out.length || b > out[out.length - 1]) out.push(b);
  }
  return out;
}

export function jenksBreaks(values: readonly number[], k: number): Breaks {
  const v = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  if (!n || k < 1) return [];
  const distinct = new Set(v).size;
  if (distinct <= k) return [...new Set(v)];
  // prefix sums: squared deviation of v[i..j] in O(1)
  const s1 = [0];
  const s2 = [0];
  for (const x of v) {
    s1.push(s1[s1.length - 1] + x);
    s2.push(s2[s2.length - 1] + x * x);
  }
  const ssd = (i: number, j: number) => {
    const m = j - i + 1;
    const sum = s1[j + 1] - s1[i];
    return s2[j + 1] - s2[i] - (sum * sum) / m;
  };
  // cost[c][j]: best total deviation of v[0..j] in c+1 classes; from[c][j]: start of the last class
  const cost: number[][] = [Array.from({ length: n }, (_, j) => ssd(0, j))];
  const from: number[][] = [Array.from({ length: n }, () => 0)];
  for (let c = 1; c < k; c++) {
    cost.push(new Array(n).fill(Infinity));
    from.push(new Array(n).fill(0));
    for (let j = c; j < n; j++) {
      for (let i = c; i <= j; i++) {
        const total = cost[c - 1][i - 1] + ssd(i, j);
        if (total < cost[c][j]) {
          cost[c][j] = total;
          from[c][j] = i;
        }
      }
    }
  }
  const breaks: number[] = [];
  let j = n - 1;
  for (let c = k - 1; c >= 0; c--) {
    breaks.unshift(v[j]);
    j = from[c][j] - 1;
    if (j < 0) break;
  }
  return [...new Set(breaks)];
}

/** Index of the class a value falls in (0-based; values above the last bound go to the last class). */
export function classOf(value: number, breaks: Breaks): number {
  const i = breaks.findIndex((b) => value <= b);
  return i === -1 ? Math.max(0, breaks.length - 1) : i;
}
