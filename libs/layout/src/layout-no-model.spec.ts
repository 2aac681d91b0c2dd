import { probeMedia } from '@clipline/media';
import { buildLayoutCase } from '@test/fixtures/layout-cases.fixture';
import { analyseLayout } from './layout.stage';
const NO_FACE_MODEL_NOTE = 'no face model: framing by centre';

jest.setTimeout(120_000);

/** A worker without the face model still delivers a layout, framed by centre, and says so. */
describe('analyseLayout without a face model', () => {
  it('completes with centred crops and the note instead of failing', async () => {
    const fx = await buildLayoutCase('movingFace');
    const media = await probeMedia(fx.path);
    const res = await analyseLayout(fx.path, media, { aspects: ['9:16', '1:1'], detector: null });
    expect(res.note).toContain(NO_FACE_MODEL_NOTE);
    expect(res.note).not.toContain('no faces found');
    expect(res.frameCount).toBeGreaterThan(0);
    expect(res.faceTracks).toEqual([]);
    expect(res.cropPlans.map((p) => p.aspect)).toEqual(['9:16', '1:1']);
    for (const plan of res.cropPlans) {
      for (const k of plan.scenes.flatMap((s) => s.keyframes)) {
        // The fixture is 640 wide: each window sits in the middle, whatever the face does.
        expect(Math.abs(k.x + k.w / 2 - 320)).toBeLessThanOrEqual(2);
      }
    }
  });
});
