import { createHmac } from 'node:crypto';
import { retryDelayMs } from './webhook-dispatcher.service';
import { newWebhookSecret, signWebhook } from './webhook-signature';

describe('webhook signing and retry schedule', () => {
  it('signs "<timestamp>.<body>" with the secret string as the HMAC-SHA256 key', () => {
    const secret = newWebhookSecret();
    const body = '{"id":"e1","type":"job.created"}';
    const expected = createHmac('sha256', secret).update(`1796090000.${body}`).digest('hex');
    expect(signWebhook(secret, 1796090000, body)).toBe(`v1=${expected}`);
    // Another timestamp, body or secret gives another signature: a replay cannot be re-dated.
    expect(signWebhook(secret, 1796090001, body)).not.toBe(signWebhook(secret, 1796090000, body));
    expect(signWebhook(newWebhookSecret(), 1796090000, body)).not.toBe(
      signWebhook(secret, 1796090000, body),
    );
  });

  it('makes secrets that are long, random and recognisable', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });

  it('doubles the delay from the base, ±10 %, and never waits more than 30 minutes', () => {
    for (const [attempt, base] of [
      [1, 10],
      [2, 20],
      [5, 160],
    ] as const) {
      const ms = retryDelayMs(attempt, 10);
      expect(ms).toBeGreaterThanOrEqual(base * 900);
      expect(ms).toBeLessThanOrEqual(base * 1100);
    }
    expect(retryDelayMs(40, 10)).toBeLessThanOrEqual(30 * 60 * 1100);
    expect(retryDelayMs(40, 10)).toBeGreaterThanOrEqual(30 * 60 * 900);
    // An hour's outage: the attempts stay under 30 min apart, so nothing waits far past the return.
    let waited = 0;
    let attempt = 0;
    while (waited < 3600 * 1000) waited += retryDelayMs(++attempt, 10);
    expect(attempt).toBeLessThan(20);
  });
});
