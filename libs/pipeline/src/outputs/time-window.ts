/** A span of the source, in seconds. */
export interface TimeWindow {
  start: number;
  end: number;
}
