import {
  CAPTION_DECORATIONS,
  CAPTION_FONTS,
  CAPTION_POSITIONS,
  CAPTION_TEMPLATES,
  LAYOUT_MODES,
  type ResolvedClipLook,
} from '@clipline/contracts';

const TEMPLATE_LABELS: Record<string, string> = {
  'bold-pop': 'Bold pop (spoken word highlighted)',
  'lower-third': 'Clean lower third',
  boxed: 'Boxed',
  'word-by-word': 'One word at a time',
};

const LAYOUT_LABELS: Record<string, string> = {
  auto: 'Automatic',
  'follow-face': 'Follow the face',
  'fit-blur': 'Whole frame on a blurred background',
  'split-screen': 'Split screen (two people)',
  audiogram: 'Audiogram',
};

type Set = (next: ResolvedClipLook) => void;

/** Caption style: a template plus overrides, every choice from the contract's lists. */
export function StylePicker({ look, onChange }: { look: ResolvedClipLook; onChange: Set }) {
  const c = look.captions;
  const put = (patch: Partial<ResolvedClipLook['captions']>) =>
    onChange({ ...look, captions: { ...c, ...patch } });
  const band = typeof c.position === 'number' ? 'custom' : c.position;
  return (
    <fieldset className="editor-group">
      <legend>Caption style</legend>
      <label>
        Template
        <select
          name="template"
          value={c.template}
          onChange={(e) => put({ template: e.target.value as typeof c.template })}
        >
          {CAPTION_TEMPLATES.map((t) => (
            <option key={t} value={t}>
              {TEMPLATE_LABELS[t] ?? t}
            </option>
          ))}
        </select>
      </label>
      <label>
        Font
        <select
          name="font"
          value={c.font}
          onChange={(e) => put({ font: e.target.value as typeof c.font })}
        >
          {CAPTION_FONTS.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
      </label>
      <label>
        Size ({Math.round(c.size * 100)}% of the frame)
        <input
          type="range"
          name="size"
          min={0.03}
          max={0.15}
          step={0.01}
          value={c.size}
          onChange={(e) => put({ size: Number(e.target.value) })}
        />
      </label>
      <div className="editor-row">
        <label>
          Text colour
          <input
            type="color"
            name="textColor"
            value={c.textColor.toLowerCase()}
            onChange={(e) => put({ textColor: e.target.value.toUpperCase() })}
          />
        </label>
        <label>
          Highlight colour
          <input
            type="color"
            name="highlightColor"
            value={c.highlightColor.toLowerCase()}
            onChange={(e) => put({ highlightColor: e.target.value.toUpperCase() })}
          />
        </label>
      </div>
      <label>
        Outline or box
        <select
          name="decoration"
          value={c.decoration}
          onChange={(e) => put({ decoration: e.target.value as typeof c.decoration })}
        >
          {CAPTION_DECORATIONS.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
      </label>
      <label>
        Position
        <select
          name="position"
          value={band}
          onChange={(e) =>
            put({
              position:
                e.target.value === 'custom'
                  ? 0.5
                  : (e.target.value as (typeof CAPTION_POSITIONS)[number]),
            })
          }
        >
          {CAPTION_POSITIONS.map((p) => (
            <option key={p}>{p}</option>
          ))}
          <option value="custom">at a height…</option>
        </select>
      </label>
      {typeof c.position === 'number' && (
        <label>
          Height (share of the frame, from the top)
          <input
            type="number"
            name="positionY"
            min={0.05}
            max={0.95}
            step={0.05}
            value={c.position}
            onChange={(e) => put({ position: Number(e.target.value) })}
          />
        </label>
      )}
      <label>
        Words per line
        <input
          type="number"
          name="wordsPerLine"
          min={1}
          max={8}
          step={1}
          value={c.wordsPerLine}
          onChange={(e) => put({ wordsPerLine: Number(e.target.value) })}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="uppercase"
          checked={c.uppercase}
          onChange={(e) => put({ uppercase: e.target.checked })}
        />
        UPPERCASE
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="highlightKeywords"
          checked={c.highlightKeywords}
          onChange={(e) => put({ highlightKeywords: e.target.checked })}
        />
        Highlight numbers and hook words
      </label>
    </fieldset>
  );
}

/** Layout: the mode (with the renderer's own reason when it chose), smoothing and hold time. */
export function LayoutPicker({
  look,
  onChange,
  choice,
}: {
  look: ResolvedClipLook;
  onChange: Set;
  choice: { mode: string; reason: string } | null;
}) {
  const l = look.layout;
  const put = (patch: Partial<ResolvedClipLook['layout']>) =>
    onChange({ ...look, layout: { ...l, ...patch } });
  return (
    <fieldset className="editor-group">
      <legend>Layout</legend>
      {choice && (
        <p className="muted small" data-testid="layout-reason">
          Last render used <strong>{LAYOUT_LABELS[choice.mode] ?? choice.mode}</strong>:{' '}
          {choice.reason}
        </p>
      )}
      {LAYOUT_MODES.map((m) => (
        <label key={m} className="check">
          <input
            type="radio"
            name="layoutMode"
            value={m}
            checked={l.mode === m}
            onChange={() => put({ mode: m })}
          />
          {LAYOUT_LABELS[m] ?? m}
        </label>
      ))}
      <label>
        Crop smoothing ({l.smoothing.toFixed(2)})
        <input
          type="range"
          name="smoothing"
          min={0}
          max={1}
          step={0.05}
          value={l.smoothing}
          onChange={(e) => put({ smoothing: Number(e.target.value) })}
        />
      </label>
      <label>
        Hold each speaker at least (s)
        <input
          type="number"
          name="minHoldSeconds"
          min={0}
          max={10}
          step={0.5}
          value={l.minHoldSeconds}
          onChange={(e) => put({ minHoldSeconds: Number(e.target.value) })}
        />
      </label>
    </fieldset>
  );
}

/** The hook title over the first seconds; empty text means the clip's first sentence. */
export function TitlePicker({
  look,
  onChange,
  firstSentence,
}: {
  look: ResolvedClipLook;
  onChange: Set;
  firstSentence: string | null;
}) {
  const t = look.title;
  const put = (patch: Partial<ResolvedClipLook['title']>) =>
    onChange({ ...look, title: { ...t, ...patch } });
  return (
    <fieldset className="editor-group">
      <legend>Hook title</legend>
      <label className="check">
        <input
          type="checkbox"
          name="titleEnabled"
          checked={t.enabled}
          onChange={(e) => put({ enabled: e.target.checked })}
        />
        Show a title over the opening
      </label>
      <label>
        Title
        <input
          type="text"
          name="titleText"
          maxLength={120}
          placeholder={firstSentence ?? 'The first sentence'}
          value={t.text ?? ''}
          onChange={(e) => put({ text: e.target.value.trim() ? e.target.value : null })}
        />
      </label>
      <label>
        Seconds on screen
        <input
          type="number"
          name="titleSeconds"
          min={1}
          max={10}
          step={0.5}
          value={t.seconds}
          onChange={(e) => put({ seconds: Number(e.target.value) })}
        />
      </label>
    </fieldset>
  );
}
