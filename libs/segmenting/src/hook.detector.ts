export type HookKind = 'question' | 'number' | 'claim' | 'you';

export interface HookSignal {
  /** 0..1 */
  score: number;
  kinds: HookKind[];
}

/** How much each kind of opening lifts the hook; combined as independent chances (1 - Π(1 - w)). */
export const HOOK_WEIGHTS: Readonly<Record<HookKind, number>> = Object.freeze({
  question: 0.6,
  claim: 0.35,
  number: 0.3,
  you: 0.3,
});

// Only the opening matters: a hook buried 20 words in is not a hook.
const OPENING_WORDS = 25;

const WH = new Set([
  'what',
  "what's",
  'whats',
  'why',
  'how',
  "how's",
  'when',
  'where',
  'who',
  'whose',
]);
const WH_NEXT = new Set(['if', 'about', 'many', 'much', 'long', 'often', 'else', 'kind']);
const AUX = new Set([
  'is',
  'are',
  'was',
  'were',
  'do',
  'does',
  'did',
  'can',
  'could',
  'would',
  'should',
  'will',
  'have',
  'has',
  "isn't",
  "aren't",
  "don't",
  "doesn't",
  "didn't",
  "can't",
  "won't",
  "haven't",
]);
const SUBJECT = new Set([
  'you',
  'we',
  'i',
  'it',
  'they',
  'he',
  'she',
  'there',
  'this',
  'that',
  'anyone',
  'anybody',
  'someone',
  'your',
  'our',
  'these',
  'those',
]);
const NUMBER_WORDS = new Set([
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'fifteen',
  'twenty',
  'thirty',
  'forty',
  'fifty',
  'sixty',
  'seventy',
  'eighty',
  'ninety',
  'hundred',
  'hundreds',
  'thousand',
  'thousands',
  'million',
  'millions',
  'billion',
  'billions',
  'percent',
  'dozen',
  'twice',
  'double',
  'triple',
  'half',
]);
const CLAIM = new Set([
  'never',
  'always',
  'best',
  'worst',
  'biggest',
  'greatest',
  'secret',
  'secrets',
  'truth',
  'mistake',
  'mistakes',
  'nobody',
  'everyone',
  'everybody',
  'everything',
  'nothing',
  'must',
  'wrong',
  'guaranteed',
  'guarantee',
  'impossible',
  'incredible',
  'insane',
  'crazy',
  'huge',
  'massive',
  'shocking',
  'surprising',
  'critical',
  'essential',
  'myth',
  'lie',
  'lies',
  'proven',
  'forget',
  'stop',
  'dangerous',
  'ultimate',
  'changed',
  'everything',
  'absolutely',
  'completely',
]);
const YOU = new Set([
  'you',
  'your',
  "you're",
  'youre',
  "you'll",
  'youll',
  "you've",
  'youve',
  "you'd",
  'yourself',
  'yourselves',
  'yours',
]);

/**
 * What the first sentence does. `punctuated` says whether terminal punctuation
 * can be trusted; without it (pocketsphinx) questions are recognised by their
 * opening words instead.
 */
export function detectHook(
  norms: readonly string[],
  terminal: '.' | '?' | '!' | null,
  punctuated: boolean,
): HookSignal {
  const words = norms.slice(0, OPENING_WORDS);
  const kinds: HookKind[] = [];
  const question = punctuated ? terminal === '?' : opensLikeQuestion(words);
  if (question) kinds.push('question');
  if (words.some((w) => /\d/.test(w) || NUMBER_WORDS.has(w))) kinds.push('number');
  if (terminal === '!' || words.some((w) => CLAIM.has(w))) kinds.push('claim');
  if (words.some((w) => YOU.has(w))) kinds.push('you');
  let miss = 1;
  for (const k of kinds) miss *= 1 - HOOK_WEIGHTS[k];
  return { score: 1 - miss, kinds };
}

/**
 * The hook a single normalised word carries on its own (a number or a claim
 * word, as detectHook counts them), so captions can colour the words that
 * made a clip's hook; null for any other word.
 */
export function hookWordKind(norm: string): 'number' | 'claim' | null {
  if (/\d/.test(norm) || NUMBER_WORDS.has(norm)) return 'number';
  if (CLAIM.has(norm)) return 'claim';
  return null;
}

function opensLikeQuestion(words: readonly string[]): boolean {
  const [a, b, c] = words;
  if (!a) return false;
  if (WH.has(a)) {
    // "what I mean is…" opens a statement; "what is", "what if", "how many" ask.
    return b !== undefined && (AUX.has(b) || WH_NEXT.has(b));
  }
  if (AUX.has(a)) return b !== undefined && SUBJECT.has(b);
  if (a === 'ever' && (b === 'wonder' || b === 'wondered')) return true;
  if (a === 'have' || a === 'did') return b === 'you';
  return a === 'so' && b !== undefined && WH.has(b) && c !== undefined;
}
