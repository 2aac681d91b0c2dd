import { SilenceRegionEntity } from '@clipline/database';
import { silenceRegionOf } from './silence.outputs';

describe('silence outputs mapping', () => {
  it('maps a region row to the contract region, without the row bookkeeping', () => {
    const row = Object.assign(new SilenceRegionEntity(), {
      id: 'row-id',
      jobId: 'job-id',
      kind: 'non_speech' as const,
      start: 1.25,
      end: 3.5,
      meanDb: -120,
      attempt: 2,
    });
    expect(silenceRegionOf(row)).toEqual({
      kind: 'non_speech',
      start: 1.25,
      end: 3.5,
      meanDb: -120,
    });
  });
});
