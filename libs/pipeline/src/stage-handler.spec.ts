import type { WorkerStage } from '@clipline/contracts';
import { handlersByStage } from './stage-handler';

class LayoutHandler {
  readonly stage = 'layout' as const;
}
class OtherLayoutHandler {
  readonly stage = 'layout' as const;
}
class SilenceHandler {
  readonly stage = 'silence' as const;
}

describe('handlersByStage (the worker startup check)', () => {
  it('maps each served stage to its one handler', () => {
    const layout = new LayoutHandler();
    const silence = new SilenceHandler();
    const byStage = handlersByStage(['layout', 'silence'], [silence, layout]);
    expect(byStage.get('layout')).toBe(layout);
    expect(byStage.get('silence')).toBe(silence);
  });

  it('refuses to start with a served stage that has no handler', () => {
    expect(() => handlersByStage(['layout', 'silence'], [new LayoutHandler()])).toThrow(
      'worker refuses to start: no handler for stage "silence" (it serves layout, silence)',
    );
  });

  it('refuses to start with two handlers for one stage, naming them', () => {
    expect(() =>
      handlersByStage(['layout'], [new LayoutHandler(), new OtherLayoutHandler()]),
    ).toThrow('2 handlers for "layout" (LayoutHandler, OtherLayoutHandler)');
  });

  it('refuses a handler for a stage the worker does not serve', () => {
    const served: WorkerStage[] = ['layout'];
    expect(() => handlersByStage(served, [new LayoutHandler(), new SilenceHandler()])).toThrow(
      'SilenceHandler handles "silence", which this worker does not serve',
    );
  });
});
