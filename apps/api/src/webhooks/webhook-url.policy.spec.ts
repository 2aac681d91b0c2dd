import {
  checkedLookup,
  checkWebhookUrl,
  classifyAddress,
  unmapIpv4,
  type WebhookUrlPolicy,
} from './webhook-url.policy';

const STRICT: WebhookUrlPolicy = { allowHttpLoopback: false, allowPrivateNetworks: false };
const DEV: WebhookUrlPolicy = { allowHttpLoopback: true, allowPrivateNetworks: false };

describe('webhook URL policy', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.45.1.2', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.169.254', 'forbidden'],
    ['::ffff:a9fe:a9fe', 'forbidden'],
    ['fe80::1', 'forbidden'],
    ['0.0.0.0', 'forbidden'],
    ['::', 'forbidden'],
    ['224.0.0.1', 'forbidden'],
    ['ff02::1', 'forbidden'],
    ['255.255.255.255', 'forbidden'],
    ['64:ff9b::a00:1', 'forbidden'],
    ['not-an-ip', 'forbidden'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('reads IPv4-mapped IPv6 in both spellings', () => {
    expect(unmapIpv4('::ffff:169.254.169.254')).toBe('169.254.169.254');
    expect(unmapIpv4('::ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(unmapIpv4('2001:db8::1')).toBe('2001:db8::1');
  });

  it('refuses loopback without the allowance, by literal and by a name that resolves to it', async () => {
    await expect(checkWebhookUrl('http://[::1]:8080/hook', STRICT)).rejects.toThrow(/loopback/);
    await expect(checkWebhookUrl('https://127.0.0.1/hook', STRICT)).rejects.toThrow(/loopback/);
    // localhost resolves through the real resolver (/etc/hosts) to 127.0.0.1 or ::1.
    await expect(checkWebhookUrl('https://localhost/hook', STRICT)).rejects.toThrow(/loopback/);
    await expect(checkWebhookUrl('http://[::1]:8080/hook', DEV)).resolves.toMatchObject({
      host: '::1',
    });
    await expect(checkWebhookUrl('http://localhost:8080/hook', DEV)).resolves.toBeDefined();
  });

  it('refuses http:// to anything but loopback, even with the allowance', async () => {
    const publicName = async () => [{ address: '93.184.215.14', family: 4 }];
    await expect(checkWebhookUrl('http://example.test/hook', DEV, publicName)).rejects.toThrow(
      /must use https/,
    );
    await expect(
      checkWebhookUrl('https://example.test/hook', STRICT, publicName),
    ).resolves.toBeDefined();
  });

  it('refuses a name when any of its addresses is internal', async () => {
    const mixed = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    await expect(checkWebhookUrl('https://mixed.test/', STRICT, mixed)).rejects.toThrow(/private/);
    await expect(
      checkWebhookUrl('https://mixed.test/', { ...STRICT, allowPrivateNetworks: true }, mixed),
    ).resolves.toBeDefined();
  });

  it('checks again at connect time and hands the socket only what it checked (no rebinding)', async () => {
    let calls = 0;
    // Public for the registration check, internal when the socket connects.
    const rebinding = async () =>
      calls++ === 0
        ? [{ address: '93.184.215.14', family: 4 }]
        : [{ address: '169.254.169.254', family: 4 }];
    await expect(checkWebhookUrl('https://rebind.test/', STRICT, rebinding)).resolves.toBeDefined();
    const look = checkedLookup(STRICT, rebinding) as unknown as (
      h: string,
      o: { all?: boolean },
      cb: (err: Error | null, a?: unknown, f?: number) => void,
    ) => void;
    const answer = await new Promise<{ err: Error | null; address?: unknown }>((resolve) =>
      look('rebind.test', {}, (err, address) => resolve({ err, address })),
    );
    expect(answer.err?.message).toMatch(/link-local/);
    expect(answer.address).toBeUndefined();
    const all = await new Promise<unknown>((resolve) =>
      (checkedLookup(DEV) as unknown as typeof look)('localhost', { all: true }, (_e, a) =>
        resolve(a),
      ),
    );
    expect(Array.isArray(all)).toBe(true);
  });
});
