import { contentTokens, LexicalCohesion } from './lexical-cohesion';

const toks = (s: string) => contentTokens(s.toLowerCase().split(/\s+/));

describe('LexicalCohesion', () => {
  const bread = [
    'the dough needs flour and yeast',
    'knead the dough until the flour disappears',
    'yeast makes the dough rise in the oven',
    'a hot oven gives the loaf a crust',
    'the crust of the loaf cracks as the dough cools',
  ];
  const rockets = [
    'the rocket engine burns fuel at launch',
    'fuel tanks feed the engine of the booster',
    'the booster lifts the payload toward orbit',
    'in orbit the payload separates from the rocket',
    'the rocket returns to the launch pad',
  ];
  const model = new LexicalCohesion([...bread, ...rockets].map(toks), 2);

  it('scores a window within one topic above one that straddles a topic change', () => {
    const within = model.windowCohesion(0, 4)!;
    const straddle = model.windowCohesion(3, 7)!;
    expect(within).toBeGreaterThan(0.2);
    expect(straddle).toBeLessThan(within * 0.6);
  });

  it('ignores stopwords and folds plurals', () => {
    expect(toks('The loaves and the rockets of it')).toEqual(['loave', 'rocket']);
  });

  it('has no cohesion for a single sentence', () => {
    expect(model.windowCohesion(2, 2)).toBeNull();
  });
});
