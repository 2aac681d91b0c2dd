import { BadRequestException } from '@nestjs/common';
import { correctionText, expectedVersion, look, mergeLook, range } from './clip-edit.input';

describe('clip edit input', () => {
  it('reads the edited version from If-Match or the body', () => {
    expect(expectedVersion({}, '"3"')).toBe(3);
    expect(expectedVersion({}, 'W/"4"')).toBe(4);
    expect(expectedVersion({ version: 5 }, undefined)).toBe(5);
    expect(expectedVersion({}, undefined)).toBeUndefined();
    expect(expectedVersion({}, '*')).toBeUndefined();
    expect(() => expectedVersion({}, '"abc"')).toThrow(/If-Match/);
    expect(() => expectedVersion({ version: 1.5 }, undefined)).toThrow(/^version/);
  });

  it('names the field of a bad range or text', () => {
    const lim = { start: 10, end: 40 };
    expect(() => range({ start: 'x', end: 20 }, lim)).toThrow(/^start must be/);
    expect(() => range({ start: 20, end: 15 }, lim)).toThrow(/^end must be after start/);
    expect(() => range({ start: 5, end: 15 }, lim)).toThrow(/within 10\.000–40\.000 s/);
    expect(range({ start: 12, end: 13 }, lim)).toEqual({ start: 12, end: 13 });
    expect(() => correctionText({ text: 'a\nb' })).toThrow(/control characters/);
    expect(() => correctionText({ text: 'x'.repeat(501) })).toThrow(/at most 500/);
    expect(correctionText({ text: '  Trello ' })).toBe('Trello');
  });

  it("answers a bad look with validateClipLook's messages", () => {
    try {
      look({ look: { captions: { textColor: 'red' } } });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequestException);
      expect(JSON.stringify((err as BadRequestException).getResponse())).toContain(
        'look.captions.textColor',
      );
    }
    expect(look({ look: null })).toBeNull();
    expect(look({})).toBeUndefined();
  });

  it('merges a look patch field by field and leaves out empty groups', () => {
    expect(
      mergeLook({ captions: { template: 'boxed', size: 0.05 } }, { captions: { size: 0.08 } }),
    ).toEqual({ captions: { template: 'boxed', size: 0.08 } });
  });
});
