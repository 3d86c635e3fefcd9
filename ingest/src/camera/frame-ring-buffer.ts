/**
 * The last few seconds of one camera's frames, bounded twice: by count (seconds × rate) and by bytes, since raw
 * RGB frames are megabytes each and a camera must not grow without limit. The oldest frame goes first. Entries
 * are looked up by their frame index (the source's delivery index), which only grows.
 */
export interface RingEntry {
  /** Delivery index of the frame: strictly increasing within one buffer. */
  index: number;
  /** Bytes this entry holds (the frame's pixels). */
  byteLength: number;
}

export interface FrameRingBufferOptions {
  maxFrames: number;
  maxBytes: number;
}

export class FrameRingBuffer<Entry extends RingEntry> {
  readonly maxFrames: number;
  readonly maxBytes: number;
  // A plain array with a moving head: shift() on every frame would copy the array each time.
  #entries: Entry[] = [];
  #head = 0;
  #bytes = 0;

  constructor(options: FrameRingBufferOptions) {
    if (!(options.maxFrames >= 1) || !(options.maxBytes >= 1)) throw new RangeError(`a ring buffer holds at least one frame and one byte (maxFrames ${options.maxFrames}, maxBytes ${options.maxBytes})`);
    this.maxFrames = Math.floor(options.maxFrames);
    this.maxBytes = options.maxBytes;
  }

  get length(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get oldest(): Entry | undefined {
    return this.#entries[this.#head];
  }

  get newest(): Entry | undefined {
    return this.length > 0 ? this.#entries[this.#entries.length - 1] : undefined;
  }

  /** Adds the newest entry and drops the oldest ones beyond either bound (the newest always stays). Returns those dropped. */
  push(entry: Entry): Entry[] {
    const newest = this.newest;
    if (newest !== undefined && entry.index <= newest.index) throw new RangeError(`frame ${entry.index} is not newer than frame ${newest.index}`);
    this.#entries.push(entry);
    this.#bytes += entry.byteLength;
    const dropped: Entry[] = [];
    while (this.length > 1 && (this.length > this.maxFrames || this.#bytes > this.maxBytes)) {
      const oldest = this.#entries[this.#head] as Entry;
      this.#bytes -= oldest.byteLength;
      this.#head += 1;
      dropped.push(oldest);
    }
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return dropped;
  }

  /** The entry with this frame index, if still held. */
  get(index: number): Entry | undefined {
    const oldest = this.oldest;
    if (oldest === undefined || index < oldest.index) return undefined;
    // Indices are usually contiguous: try the direct slot, then search.
    const guess = this.#entries[this.#head + (index - oldest.index)];
    if (guess?.index === index) return guess;
    return this.#find(index, 'exact');
  }

  /** The held entry nearest to `index` (the older one on a tie); undefined when empty. */
  nearest(index: number): Entry | undefined {
    return this.#find(index, 'nearest');
  }

  /** Entries with `fromIndex <= index <= toIndex`, oldest first. */
  range(fromIndex: number, toIndex: number): Entry[] {
    const result: Entry[] = [];
    for (let position = this.#head; position < this.#entries.length; position += 1) {
      const entry = this.#entries[position] as Entry;
      if (entry.index > toIndex) break;
      if (entry.index >= fromIndex) result.push(entry);
    }
    return result;
  }

  #find(index: number, mode: 'exact' | 'nearest'): Entry | undefined {
    let low = this.#head;
    let high = this.#entries.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const entry = this.#entries[middle] as Entry;
      if (entry.index === index) return entry;
      if (entry.index < index) low = middle + 1;
      else high = middle - 1;
    }
    if (mode === 'exact') return undefined;
    const below = high >= this.#head ? this.#entries[high] : undefined;
    const above = low < this.#entries.length ? this.#entries[low] : undefined;
    if (below === undefined) return above;
    if (above === undefined) return below;
    return index - below.index <= above.index - index ? below : above;
  }
}
