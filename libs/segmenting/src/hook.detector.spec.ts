import { detectHook } from './hook.detector';

const words = (s: string) => s.toLowerCase().split(/\s+/);

describe('detectHook', () => {
  it('trusts a question mark in punctuated transcripts', () => {
    expect(detectHook(words('why does dough rise'), '?', true).kinds).toContain('question');
    expect(detectHook(words('why does dough rise'), '.', true).kinds).not.toContain('question');
  });

  it('recognises questions by their opening words without punctuation', () => {
    expect(detectHook(words('what is the point of proofing'), null, false).kinds).toEqual([
      'question',
    ]);
    expect(detectHook(words('have you ever tasted this'), null, false).kinds).toEqual([
      'question',
      'you',
    ]);
    // "what I mean is" is a statement, not a question.
    expect(detectHook(words('what i mean is simple'), null, false).kinds).toEqual([]);
  });

  it('finds numbers, strong claims and direct address', () => {
    expect(detectHook(words('we tested 40 ovens'), '.', true).kinds).toEqual(['number']);
    expect(detectHook(words('three hundred loaves later'), '.', true).kinds).toEqual(['number']);
    expect(detectHook(words('nobody gets this right'), '.', true).kinds).toEqual(['claim']);
    expect(detectHook(words('your starter is hungry'), '.', true).kinds).toEqual(['you']);
  });

  it('scores a flat statement zero and stacks kinds below one', () => {
    expect(detectHook(words('the loaf sat on the table'), '.', true).score).toBe(0);
    const single = detectHook(words('why is the crust soft'), '?', true).score;
    const stacked = detectHook(words('why do you never get 2 loaves'), '?', true).score;
    expect(stacked).toBeGreaterThan(single);
    expect(stacked).toBeLessThan(1);
  });
});
