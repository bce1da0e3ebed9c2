/**
 * Sets of completion indexes as Indexed Jobs report them: sorted, merged intervals written in
 * Kubernetes' compressed form (`status.completedIndexes`, `status.failedIndexes`): "0-2,5,7,8" —
 * a run of three or more is `first-last`, a pair is written as two numbers.
 */
export interface Interval {
  first: number;
  last: number;
}

export class IndexSet {
  private constructor(readonly intervals: readonly Interval[]) {}

  static empty(): IndexSet {
    return new IndexSet([]);
  }

  /**
   * Parses the compressed form, dropping indexes at or above `completions` and ignoring corrupt
   * parts, as the Job controller does when reading its own status back.
   */
  static parse(text: string | undefined, completions: number): IndexSet {
    const out: Interval[] = [];
    for (const part of (text ?? '').split(',')) {
      if (!part) continue;
      const [a, b, ...rest] = part.split('-');
      if (rest.length) continue;
      if (!/^\d+$/.test(a ?? '')) continue;
      const first = Number(a);
      if (first >= completions) break;
      let last = first;
      if (b !== undefined) {
        if (!/^\d+$/.test(b)) continue;
        last = Math.min(Number(b), completions - 1);
      }
      if (last < first) continue;
      const prev = out[out.length - 1];
      if (prev && prev.last >= first - 1) prev.last = Math.max(prev.last, last);
      else out.push({ first, last });
    }
    return new IndexSet(out);
  }

  static of(indexes: Iterable<number>): IndexSet {
    return IndexSet.empty().with(indexes);
  }

  /** This set plus `indexes` (any order, duplicates allowed). */
  with(indexes: Iterable<number>): IndexSet {
    const extra = [...new Set(indexes)].sort((x, y) => x - y).map((i) => ({ first: i, last: i }));
    return this.merge(new IndexSet(extra));
  }

  merge(other: IndexSet): IndexSet {
    const all = [...this.intervals, ...other.intervals].sort((x, y) => x.first - y.first);
    const out: Interval[] = [];
    for (const iv of all) {
      const prev = out[out.length - 1];
      if (prev && iv.first <= prev.last + 1) prev.last = Math.max(prev.last, iv.last);
      else out.push({ ...iv });
    }
    return new IndexSet(out);
  }

  has(index: number): boolean {
    return this.intervals.some((iv) => iv.first <= index && index <= iv.last);
  }

  get total(): number {
    return this.intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
  }

  toString(): string {
    return this.intervals
      .map((iv) =>
        iv.last === iv.first
          ? String(iv.first)
          : `${iv.first}${iv.last === iv.first + 1 ? ',' : '-'}${iv.last}`,
      )
      .join(',');
  }

  /** The first `count` indexes below `completions` that are not in this set. */
  firstMissing(count: number, completions: number): number[] {
    const out: number[] = [];
    let candidate = 0;
    for (const iv of [...this.intervals, { first: completions, last: completions }]) {
      for (; candidate < Math.min(iv.first, completions) && out.length < count; candidate++)
        out.push(candidate);
      candidate = Math.max(candidate, iv.last + 1);
      if (out.length >= count || candidate >= completions) break;
    }
    return out;
  }
}
