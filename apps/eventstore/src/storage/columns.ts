type Numeric = Float64Array | Uint32Array;

/** A typed array that grows by doubling: the compact per-event index lives in these. */
export class Column<T extends Numeric> {
  private values: T;
  length = 0;

  constructor(
    private readonly create: (capacity: number) => T,
    capacity = 1024,
  ) {
    this.values = create(capacity);
  }

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = this.create(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  get(index: number): number {
    return this.values[index]!;
  }

  /** Forgets the values from `length` on: the index entries of appends whose write failed. */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }
}

export const float64Column = (capacity?: number): Column<Float64Array> =>
  new Column((size) => new Float64Array(size), capacity);
export const uint32Column = (capacity?: number): Column<Uint32Array> =>
  new Column((size) => new Uint32Array(size), capacity);
