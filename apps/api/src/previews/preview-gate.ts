/**
 * At most `limit` previews at once in this process. A caller that finds it
 * full is turned away at once (429) rather than queued: a creator dragging a
 * colour slider wants the latest still, not a backlog of old ones.
 */
export class PreviewGate {
  private running = 0;

  constructor(readonly limit: number) {}

  /** A release function, or null when every slot is taken. */
  tryEnter(): (() => void) | null {
    if (this.running >= this.limit) return null;
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
    };
  }

  get inUse(): number {
    return this.running;
  }
}
