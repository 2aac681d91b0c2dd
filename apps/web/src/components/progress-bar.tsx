/** A labelled bar screen readers announce; never an indefinite spinner. */
export function ProgressBar({
  value,
  label,
  tone = 'normal',
}: {
  value: number;
  label: string;
  tone?: 'normal' | 'done' | 'failed' | 'idle';
}) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div
      className={`bar bar-${tone}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="bar-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
