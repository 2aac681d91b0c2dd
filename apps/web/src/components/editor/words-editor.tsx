import { useEffect, useState } from 'react';
import type { EditorWord } from '../../api.types';

export interface WordFix {
  start: number;
  end: number;
  text: string;
}

/**
 * The clip's words as editable text, each with its time. A changed box
 * becomes one fix over that word's time: a new spelling, several words (a
 * split), or nothing (a deleted filler); merging is typing the whole phrase
 * in the first box and clearing the others.
 */
export function WordsEditor({
  words,
  busy,
  onSave,
}: {
  words: EditorWord[];
  busy: boolean;
  onSave: (fixes: WordFix[]) => void;
}) {
  const [texts, setTexts] = useState(() => words.map((w) => w.text));
  useEffect(() => setTexts(words.map((w) => w.text)), [words]);
  const fixes = words
    .map((w, i) => ({ start: w.start, end: w.end, text: texts[i]?.trim() ?? '' }))
    .filter((f, i) => f.text !== words[i].text);
  return (
    <fieldset className="editor-group">
      <legend>Captions</legend>
      <p className="muted small">
        Fix a word in its box; clear a box to drop a filler. Timing stays as recognised.
      </p>
      <ol className="word-list" aria-label="Clip words">
        {words.map((w, i) => (
          <li key={`${w.start}-${i}`} className={w.corrected ? 'corrected' : undefined}>
            <input
              type="text"
              aria-label={`Word ${i + 1} at ${w.start.toFixed(2)} s`}
              data-start={w.start}
              value={texts[i] ?? ''}
              size={Math.max(2, (texts[i] ?? '').length)}
              onChange={(e) => setTexts((t) => t.map((x, k) => (k === i ? e.target.value : x)))}
            />
            <span className="word-time">{w.start.toFixed(1)}</span>
          </li>
        ))}
      </ol>
      <button type="button" disabled={busy || fixes.length === 0} onClick={() => onSave(fixes)}>
        Save {fixes.length || ''} caption fix{fixes.length === 1 ? '' : 'es'}
      </button>
    </fieldset>
  );
}
