import { sourceKeyProblem } from './source-key.policy';

describe('sourceKeyProblem', () => {
  it.each([
    'jobs/0b6f7c1e-0c1c-4a59-9d0e-4f1f3c2b1a00/source.mp4',
    'imports/My Episode (1).mp4',
    'imports/a..b/c.d',
    'imports/.hidden/x.mp4',
    'imports/50% off.mp4',
    'x',
  ])('accepts %j', (key) => {
    expect(sourceKeyProblem(key)).toBeNull();
  });

  it.each([
    ['./jobs/a/source.mp4', /"\." or "\.\." segments/],
    ['x/../jobs/a/source.mp4', /"\." or "\.\." segments/],
    ['jobs/a/..', /"\." or "\.\." segments/],
    ['jobs%2F..%2Fjobs/a', /percent-encoded/],
    ['%2e%2E/a', /percent-encoded/],
    ['jobs/a%00', /percent-encoded/],
    ['jobs\\a\\b', /backslashes/],
    ['/jobs/a', /"\/\/"/],
    ['jobs//a', /"\/\/"/],
    ['jobs/a/', /"\/\/"/],
    ['jobs/a\u0000', /control characters/],
    ['jobs/a\nb', /control characters/],
    ['jobs/a\u007f', /control characters/],
    ['jobs/a\u0085', /control characters/],
  ])('refuses %j', (key, why) => {
    expect(sourceKeyProblem(key)).toMatch(why);
  });
});
