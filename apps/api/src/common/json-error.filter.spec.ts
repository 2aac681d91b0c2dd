import type { ArgumentsHost } from '@nestjs/common';
import { OrchestrationError } from '@clipline/pipeline';
import { JsonErrorFilter } from './json-error.filter';

/** Sends `err` through the filter the way Nest does for an HTTP request; returns what was written. */
function respond(err: unknown): { status: number; body: Record<string, unknown> } {
  const out = { status: 0, body: {} as Record<string, unknown> };
  const res = {
    headersSent: false,
    set statusCode(v: number) {
      out.status = v;
    },
    setHeader: () => undefined,
    end: (text: string) => void (out.body = JSON.parse(text) as Record<string, unknown>),
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new JsonErrorFilter().catch(err, host);
  return out;
}

describe('JsonErrorFilter', () => {
  it.each([
    ['not_found', 404, 'Not Found'],
    ['conflict', 409, 'Conflict'],
    ['invalid', 400, 'Bad Request'],
  ] as const)('maps a pipeline refusal of kind %s to %i', (kind, status, error) => {
    const r = respond(new OrchestrationError('job not found', kind));
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ statusCode: status, error, message: 'job not found' });
  });

  it('defaults a pipeline refusal to a conflict', () => {
    expect(respond(new OrchestrationError('nothing to retry')).status).toBe(409);
  });

  it('hides an unknown error behind a 500 without its message', () => {
    const r = respond(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('10.0.0.5');
  });
});
