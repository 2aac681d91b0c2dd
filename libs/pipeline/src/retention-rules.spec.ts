import { expiryOf, retentionOf, sourceGoneMessage } from './retention-rules';

const DEFAULTS = { sourceDays: 7, clipDays: 30 };
const END = new Date('2026-12-01T10:00:00.000Z');

describe('retention rules', () => {
  it('nothing expires before the job ends', () => {
    expect(expiryOf({ options: {} as never, finishedAt: null }, DEFAULTS)).toEqual({
      sourceExpiresAt: null,
      clipsExpireAt: null,
    });
  });

  it('counts the defaults from the end of the job', () => {
    const e = expiryOf({ options: {} as never, finishedAt: END }, DEFAULTS);
    expect(e.sourceExpiresAt?.toISOString()).toBe('2026-12-08T10:00:00.000Z');
    expect(e.clipsExpireAt?.toISOString()).toBe('2026-12-31T10:00:00.000Z');
  });

  it("takes the job's own days over the defaults, field by field", () => {
    const job = { options: { retention: { clipDays: 2 } } as never, finishedAt: END };
    expect(retentionOf(job, DEFAULTS)).toEqual({ sourceDays: 7, clipDays: 2 });
    expect(expiryOf(job, DEFAULTS).clipsExpireAt?.toISOString()).toBe('2026-12-03T10:00:00.000Z');
  });

  it('names the stage and the deletion date once the source is gone', () => {
    expect(sourceGoneMessage({ sourceDeletedAt: null }, 'silence')).toBeNull();
    expect(sourceGoneMessage({ sourceDeletedAt: END }, 'silence')).toBe(
      'cannot re-run silence: the source was deleted by retention on 2026-12-01T10:00:00.000Z; submit the file again as a new job',
    );
  });
});
