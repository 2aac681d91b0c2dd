import { useState, type FormEvent } from 'react';

export function KeyForm({
  error,
  onSave,
}: {
  error: string | null;
  onSave: (key: string) => void;
}) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const k = value.trim();
    if (k) onSave(k);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="key-title">
      <h1 id="key-title">Enter your API key</h1>
      <p className="muted">
        Paste the key you were given (it starts with <code>clk_</code>). It is kept in this browser
        only.
      </p>
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        name="api-key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        aria-describedby={error ? 'key-error' : undefined}
        aria-invalid={error ? true : undefined}
        required
      />
      {error && (
        <p id="key-error" role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit">Save key</button>
    </form>
  );
}
