import { HOOK_TITLE_MAX_CHARS, type HookTitle } from '@clipline/contracts';
import { cleanTitle } from './audiogram.builder';

interface Word {
  text: string;
  start: number;
  end: number;
}

// Without punctuation (pocketsphinx) a sentence ends at a pause or after this many words.
const SENTENCE_PAUSE_SEC = 0.7;
const MAX_SENTENCE_WORDS = 14;

/** The clip's first sentence: up to terminal punctuation, a pause, or MAX_SENTENCE_WORDS. */
export function firstSentence(words: readonly Word[]): string {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (i > 0 && w.start - words[i - 1].end > SENTENCE_PAUSE_SEC) break;
    out.push(w.text);
    if (/[.!?]["')\]]?$/.test(w.text) || out.length >= MAX_SENTENCE_WORDS) break;
  }
  return out.join(' ');
}

/**
 * The hook title's text, safe for an ASS event: the creator's text, or the
 * clip's first sentence, through cleanTitle (no override blocks or escapes, no
 * control characters, nothing the fonts cannot draw), at most
 * HOOK_TITLE_MAX_CHARS. '' when the title is off or there is nothing to say.
 */
export function hookTitleText(title: HookTitle, clipWords: readonly Word[]): string {
  if (!title.enabled) return '';
  const raw = title.text ?? firstSentence(clipWords);
  return cleanTitle(raw, HOOK_TITLE_MAX_CHARS);
}
