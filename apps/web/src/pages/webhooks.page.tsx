import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, plainError } from '../api.client';
import { formatTime } from '../format';
import {
  WEBHOOK_EVENTS,
  type WebhookCreated,
  type WebhookDeliveries,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpoints,
} from '../webhooks.types';

/** Endpoints of this key: list, create (the secret is shown once), delete, and each one's delivery log. */
export function WebhooksPage() {
  const [items, setItems] = useState<WebhookEndpoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);

  const load = useCallback(() => {
    api<WebhookEndpoints>('GET', '/v1/webhooks').then(
      (r) => {
        setItems(r.items);
        setError(null);
      },
      (err: unknown) => setError(plainError(err)),
    );
  }, []);
  useEffect(load, [load]);

  const remove = async (id: string) => {
    if (!window.confirm('Delete this endpoint and its delivery log?')) return;
    try {
      await api('DELETE', `/v1/webhooks/${id}`);
      if (open === id) setOpen(null);
      load();
    } catch (err) {
      setError(plainError(err));
    }
  };

  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <p className="muted">
        Clipline signs each delivery (<code>Clipline-Webhook-Signature</code>); see the API
        documentation for how to verify it.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {secret && (
        <div role="status" className="notice-line">
          <p>
            Signing secret of the new endpoint. <strong>Copy it now: it is not shown again.</strong>
          </p>
          <p>
            <code data-testid="webhook-secret">{secret.secret}</code>
          </p>
          <button type="button" className="secondary small" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        </div>
      )}
      <CreateForm
        onCreated={(ep) => {
          setSecret({ id: ep.id, secret: ep.secret });
          load();
        }}
      />
      {items && items.length === 0 && <p className="muted">No endpoints yet.</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Webhook endpoints</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((ep) => (
                <tr key={ep.id}>
                  <td>
                    <code>{ep.url}</code>
                    {ep.description && <div className="muted">{ep.description}</div>}
                  </td>
                  <td>{ep.events.join(', ')}</td>
                  <td>{formatTime(ep.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary small"
                      aria-expanded={open === ep.id}
                      onClick={() => setOpen(open === ep.id ? null : ep.id)}
                    >
                      Deliveries
                    </button>{' '}
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => void remove(ep.id)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <Deliveries endpointId={open} />}
    </section>
  );
}

function CreateForm({
  onCreated,
}: {
  onCreated: (ep: WebhookEndpoint & { secret: string }) => void;
}) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['clip.ready', 'job.completed', 'job.failed']);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const ep = await api<WebhookCreated>('POST', '/v1/webhooks', {
        url,
        events,
        ...(description ? { description } : {}),
      });
      setUrl('');
      setDescription('');
      setError(null);
      onCreated(ep);
    } catch (err) {
      setError(plainError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="webhook-new">
      <h2 id="webhook-new">New endpoint</h2>
      <label>
        URL (https://)
        <input
          type="text"
          inputMode="url"
          required
          value={url}
          placeholder="https://example.com/clipline"
          onChange={(e) => setUrl(e.target.value)}
        />
      </label>
      <label>
        Description (optional)
        <input
          value={description}
          maxLength={200}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <fieldset className="inline">
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((ev) => (
          <label key={ev} className="check">
            <input
              type="checkbox"
              checked={events.includes(ev)}
              onChange={(e) =>
                setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))
              }
            />{' '}
            {ev}
          </label>
        ))}
      </fieldset>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !events.length}>
        Add endpoint
      </button>
    </form>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const [items, setItems] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<WebhookDeliveries>('GET', `/v1/webhooks/${endpointId}/deliveries?limit=100`).then(
      (r) => {
        setItems(r.items);
        setError(null);
      },
      (err: unknown) => setError(plainError(err)),
    );
  }, [endpointId]);
  useEffect(() => {
    load();
    // The log moves while deliveries retry; a slow poll keeps it current.
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [load]);

  const redeliver = async (id: string) => {
    try {
      await api('POST', `/v1/webhooks/${endpointId}/deliveries/${id}/redeliver`);
      load();
    } catch (err) {
      setError(plainError(err));
    }
  };

  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items && items.length === 0 && <p className="muted">Nothing sent yet.</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">Next attempt</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.type}
                    <div className="muted">{formatTime(d.createdAt)}</div>
                  </td>
                  <td>
                    <code>{d.jobId.slice(0, 8)}</code>
                  </td>
                  <td>{d.status}</td>
                  <td>{d.attempts}</td>
                  <td>
                    {d.lastStatusCode ?? '—'}
                    {d.lastError && <div className="muted">{d.lastError}</div>}
                  </td>
                  <td>{formatTime(d.nextAttemptAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary small"
                      disabled={d.status === 'sending'}
                      onClick={() => void redeliver(d.id)}
                    >
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
