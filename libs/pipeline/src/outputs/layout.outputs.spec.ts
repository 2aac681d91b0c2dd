import type { CropPlan } from '@clipline/contracts';
import { LayoutAnalysisEntity } from '@clipline/database';
import { cropPlanFor, layoutOf } from './layout.outputs';

const plan = (aspect: CropPlan['aspect']): CropPlan => ({
  aspect,
  sourceWidth: 1920,
  sourceHeight: 1080,
  scenes: [
    { sceneIndex: 0, start: 0, end: 10, keyframes: [{ t: 0, x: 0, y: 0, w: 608, h: 1080 }] },
  ],
});

describe('layout outputs mapping', () => {
  const row = Object.assign(new LayoutAnalysisEntity(), {
    id: 'row-id',
    jobId: 'job-id',
    sampleFps: 2,
    frameCount: 20,
    scenes: [{ index: 0, start: 0, end: 10 }],
    sceneCuts: [4.5],
    faceTracks: [],
    cropPlans: [plan('9:16'), plan('1:1')],
    note: 'no face model',
    attempt: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  it('maps an analysis row to the layout result, without the row bookkeeping', () => {
    expect(layoutOf(row)).toEqual({
      sampleFps: 2,
      frameCount: 20,
      scenes: row.scenes,
      sceneCuts: [4.5],
      faceTracks: [],
      cropPlans: row.cropPlans,
      note: 'no face model',
    });
  });

  it("finds an aspect's crop plan, and none without an analysis or a plan for it", () => {
    const layout = layoutOf(row);
    expect(cropPlanFor(layout, '1:1')).toBe(row.cropPlans[1]);
    expect(cropPlanFor(layout, '16:9')).toBeNull();
    expect(cropPlanFor(null, '9:16')).toBeNull();
  });
});
