import type { StageSplit } from './stage-handler';
import { WorkerHost, type WorkerHostDeps } from './worker-host';

const noDeps = {} as WorkerHostDeps;
const silence = {
  stage: 'silence' as const,
  run: () => Promise.resolve(null),
  save: () => Promise.resolve(),
};
const layout = {
  stage: 'layout' as const,
  run: () => Promise.resolve(null),
  save: () => Promise.resolve(),
  split: {} as StageSplit<unknown, unknown>,
};

describe('WorkerHost', () => {
  it('will not be built for a served stage without its handler', () => {
    expect(() => new WorkerHost(noDeps, ['silence', 'layout'], [silence])).toThrow(
      'no handler for stage "layout"',
    );
  });

  it('will not be built for a handler that splits when there is no part coordinator', () => {
    expect(() => new WorkerHost(noDeps, ['layout'], [layout])).toThrow(
      'layout splits but has no part coordinator',
    );
  });

  it('drops a message its stage’s queue could not have carried, without running anything', async () => {
    const run = jest.fn();
    const host = new WorkerHost(noDeps, ['silence'], [{ ...silence, run }]);
    await expect(host.handle('silence', { id: 7, data: { stage: 'silence' } })).resolves.toBe(
      'rejected',
    );
    await expect(host.handle('layout', { data: {} })).resolves.toBe('rejected');
    expect(run).not.toHaveBeenCalled();
  });
});
