import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';

export interface WebhookUrlPolicy {
  /** `http://` to loopback, and loopback at all (WEBHOOK_ALLOW_HTTP_LOOPBACK). */
  allowHttpLoopback: boolean;
  /** RFC 1918, CGNAT and unique-local addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean;
}

/** A URL or an address the policy refuses; the message names the reason, never more. */
export class WebhookUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

type AddressClass = 'public' | 'loopback' | 'private' | 'forbidden';

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const s of v4) list.addSubnet(s.split('/')[0], Number(s.split('/')[1]), 'ipv4');
  for (const s of v6) list.addSubnet(s.split('/')[0], Number(s.split('/')[1]), 'ipv6');
  return list;
}

const LOOPBACK = blockList(['127.0.0.0/8'], ['::1/128']);
const PRIVATE = blockList(
  ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
  ['fc00::/7'],
);
/**
 * Never a webhook target, whatever the configuration: unspecified, link-local
 * (cloud metadata at 169.254.169.254), multicast, broadcast and reserved or
 * documentation ranges, plus the IPv6 prefixes that embed an IPv4 address
 * (NAT64, 6to4) and could reach an internal one through a gateway.
 */
const FORBIDDEN = blockList(
  [
    '0.0.0.0/8',
    '169.254.0.0/16',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
  ],
  [
    '::/128',
    'fe80::/10',
    'fec0::/10',
    'ff00::/8',
    '100::/64',
    '2001:db8::/32',
    '64:ff9b::/96',
    '64:ff9b:1::/48',
    '2002::/16',
  ],
);
const MAPPED_V4 = blockList([], ['::ffff:0:0/96']);

/** The 16 bytes of an IPv6 address (any textual form, dotted tail included). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text =
      text.slice(0, -dotted[1].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').filter(Boolean) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries. */
export function unmapIpv4(address: string): string {
  if (isIP(address) !== 6 || !MAPPED_V4.check(address, 'ipv6')) return address;
  return ipv6Bytes(address).slice(12).join('.');
}

export function classifyAddress(raw: string): AddressClass {
  const address = unmapIpv4(raw);
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (isIP(address) === 0 || FORBIDDEN.check(address, family)) return 'forbidden';
  if (LOOPBACK.check(address, family)) return 'loopback';
  if (PRIVATE.check(address, family)) return 'private';
  return 'public';
}

/** Throws WebhookUrlError when `address` may not be a target under `policy`. */
export function assertAddressAllowed(address: string, policy: WebhookUrlPolicy): void {
  const kind = classifyAddress(address);
  if (kind === 'public') return;
  if (kind === 'loopback' && policy.allowHttpLoopback) return;
  if (kind === 'private' && policy.allowPrivateNetworks) return;
  const what =
    kind === 'loopback'
      ? 'a loopback address'
      : kind === 'private'
        ? 'a private network address'
        : 'a link-local, multicast, reserved or unspecified address';
  throw new WebhookUrlError(`url resolves to ${what} (${address}), which webhooks may not reach`);
}

export interface CheckedUrl {
  url: URL;
  /** The host as the request needs it (IPv6 literals without brackets). */
  host: string;
  /** Every address the host resolved to, each allowed. */
  addresses: Array<{ address: string; family: 4 | 6 }>;
}

type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;
const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Resolves `host` and refuses it unless every address it has is allowed. */
export async function resolveAllowed(
  host: string,
  policy: WebhookUrlPolicy,
  resolve: Resolver = systemResolver,
): Promise<Array<{ address: string; family: 4 | 6 }>> {
  const found = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await resolve(host).catch(() => []);
  if (!found.length) throw new WebhookUrlError(`url host ${host} does not resolve`);
  // All of them: a name with one public and one internal address must not get through.
  for (const a of found) assertAddressAllowed(a.address, policy);
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/**
 * The whole check, on registration and again before each send: an absolute
 * `https://` URL (or `http://` to loopback when allowed), no credentials in
 * it, and a host whose every address the policy allows.
 */
export async function checkWebhookUrl(
  raw: string,
  policy: WebhookUrlPolicy,
  resolve?: Resolver,
): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('url must be an absolute https:// URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new WebhookUrlError('url must use https://');
  if (url.username || url.password)
    throw new WebhookUrlError('url must not carry a user name or password');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new WebhookUrlError('url must name a host');
  const addresses = await resolveAllowed(host, policy, resolve);
  if (url.protocol === 'http:') {
    const allLoopback = addresses.every((a) => classifyAddress(a.address) === 'loopback');
    if (!policy.allowHttpLoopback || !allLoopback)
      throw new WebhookUrlError(
        'url must use https:// (http:// only to loopback with WEBHOOK_ALLOW_HTTP_LOOPBACK=true)',
      );
  }
  return { url, host, addresses };
}

/**
 * A `lookup` for http.request that resolves and checks in one step and hands
 * the socket only the addresses it checked, so a DNS answer that changes
 * between the check and the connect (rebinding) cannot slip through.
 */
export function checkedLookup(policy: WebhookUrlPolicy, resolve?: Resolver): LookupFunction {
  return ((
    hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    resolveAllowed(hostname, policy, resolve).then(
      (addresses) => {
        if (options?.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (err: Error) => callback(err),
    );
  }) as unknown as LookupFunction;
}
