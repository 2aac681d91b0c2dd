import type { ClipStatusName } from './api-views.types';
import type { ClipLayoutChoice, ClipLook } from './clip-look.types';
import type { Aspect } from './job-options';
import type { CaptionEngineInfo } from './segment.types';

/** A clip row as the render stage and the editor left it (one per selected segment and aspect). */
export interface StoredClip {
  id: string;
  jobId: string;
  segmentId: string;
  aspect: Aspect;
  status: ClipStatusName;
  attempt: number;
  /** 0..1 of the running render. */
  progress: number;
  /** The published objects (null before the first render). */
  videoKey: string | null;
  thumbnailKey: string | null;
  vttKey: string | null;
  srtKey: string | null;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  sizeBytes: number | null;
  renderMs: number | null;
  /** The recogniser whose words the captions and sidecars show. */
  captionEngine: CaptionEngineInfo | null;
  /** The creator's own look; null fields fall back to the job's. */
  look: ClipLook | null;
  /** The layout the renderer used and why. */
  layoutChoice: ClipLayoutChoice | null;
  /** The clip's own edges after a trim (source seconds); null: the segment's. */
  startSec: number | null;
  endSec: number | null;
  version: number;
  renderedVersion: number | null;
  renderingVersion: number | null;
  error: string | null;
}
