import { ClipEntity } from '@clipline/database';
import { clipOf, clipWindow } from './clips.outputs';

const row = (over: Partial<ClipEntity> = {}) =>
  Object.assign(new ClipEntity(), {
    id: 'clip-id',
    jobId: 'job-id',
    segmentId: 'seg-id',
    aspect: '9:16' as const,
    status: 'completed' as const,
    attempt: 2,
    progress: 1,
    heartbeatAt: new Date(),
    retryAt: null,
    videoKey: 'k.mp4',
    thumbnailKey: 'k.jpg',
    vttKey: 'k.vtt',
    srtKey: 'k.srt',
    durationSec: 31.5,
    width: 1080,
    height: 1920,
    sizeBytes: '9007199254',
    renderMs: 5400,
    captionEngine: null,
    look: null,
    layoutChoice: null,
    startSec: null,
    endSec: null,
    version: 3,
    renderedVersion: 3,
    renderingVersion: null,
    error: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...over,
  });

describe('clips outputs mapping', () => {
  it('maps a clip row to the stored clip: size as a number, no lease bookkeeping', () => {
    const c = clipOf(row());
    expect(c.sizeBytes).toBe(9007199254);
    expect(c).not.toHaveProperty('heartbeatAt');
    expect(c).not.toHaveProperty('retryAt');
    expect(c).toMatchObject({ id: 'clip-id', aspect: '9:16', videoKey: 'k.mp4', version: 3 });
    expect(clipOf(row({ sizeBytes: null })).sizeBytes).toBeNull();
  });

  it("cuts the clip's own trimmed edges, each falling back to its segment's", () => {
    const segment = { start: 10, end: 40 };
    expect(clipWindow(clipOf(row()), segment)).toEqual({ start: 10, end: 40 });
    expect(clipWindow(clipOf(row({ startSec: 12.5 })), segment)).toEqual({ start: 12.5, end: 40 });
    expect(clipWindow(clipOf(row({ startSec: 12, endSec: 33 })), segment)).toEqual({
      start: 12,
      end: 33,
    });
  });
});
