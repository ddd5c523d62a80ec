/**
 * At most `width` turns held at once; the others wait and get theirs in the
 * order they asked.
 */
export class Turns {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(width: number) {
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`Turns: width must be a whole number of at least 1; got ${width}`);
    this.#free = width;
  }

  /** Waits for a turn; resolves to the function that ends it (once, however often called). */
  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((start) => this.#waiting.push(start));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      // The turn passes straight to the next in line, so one asking meanwhile cannot jump the queue.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free += 1;
    };
  }
}
