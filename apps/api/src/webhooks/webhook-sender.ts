import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkedLookup, checkWebhookUrl, type WebhookUrlPolicy } from './webhook-url.policy';

/** No more of a receiver's answer is read, or stored. */
export const RESPONSE_BODY_LIMIT = 1024;

export interface SendOutcome {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  /** At most RESPONSE_BODY_LIMIT bytes, as text. */
  responseBody: string | null;
}

/**
 * One POST, checked again at send time: the URL policy, then a connect only
 * to addresses the lookup checked. A 2xx is delivered; anything else
 * (redirects included, which are never followed) is a failure to retry.
 */
export async function sendWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  opts: { policy: WebhookUrlPolicy; timeoutMs: number },
): Promise<SendOutcome> {
  let checked;
  try {
    checked = await checkWebhookUrl(rawUrl, opts.policy);
  } catch (err) {
    return {
      delivered: false,
      statusCode: null,
      error: (err as Error).message,
      responseBody: null,
    };
  }
  const { url } = checked;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const finish = (o: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = request(url, {
      method: 'POST',
      // A fresh connection per delivery: a pooled socket could be to an address checked for another URL.
      agent: false,
      lookup: checkedLookup(opts.policy),
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Clipline-Webhooks/1',
      },
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    req.on('error', (err) =>
      finish({ delivered: false, statusCode: null, error: err.message, responseBody: null }),
    );
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        // Postgres text cannot hold NUL; a receiver answering with one must not make the attempt unsettleable.
        const text = Buffer.concat(chunks)
          .subarray(0, RESPONSE_BODY_LIMIT)
          .toString('utf8')
          .replaceAll('\u0000', '');
        const ok = status >= 200 && status < 300;
        finish({
          delivered: ok,
          statusCode: status,
          error: ok
            ? null
            : status >= 300 && status < 400
              ? `answered ${status}; redirects are not followed`
              : `answered ${status}`,
          responseBody: text || null,
        });
        res.destroy();
      };
      res.on('data', (c: Buffer) => {
        if (size >= RESPONSE_BODY_LIMIT) return;
        chunks.push(c);
        size += c.length;
        if (size >= RESPONSE_BODY_LIMIT) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.end(body);
  });
}
