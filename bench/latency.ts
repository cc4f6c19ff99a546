import { build } from 'hdr-histogram-js';

export interface Percentiles {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Latencies in milliseconds, kept in microseconds so sub-millisecond calls keep their precision. */
export class LatencyRecorder {
  private readonly histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  percentiles(): Percentiles {
    return {
      p50Ms: this.histogram.getValueAtPercentile(50) / 1000,
      p99Ms: this.histogram.getValueAtPercentile(99) / 1000,
    };
  }
}

/** The middle of a few figures (the upper middle of an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
