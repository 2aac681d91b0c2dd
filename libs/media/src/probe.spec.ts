import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBadInputError } from '@clipline/contracts';
import { longPatternMp4 } from '@test/fixtures/small-media.fixture';
import { FFMPEG_PATH, inputProtocols, safeInputArgs, UnsafeInputError } from './binaries';
import { pcmFloat32Stream } from './pcm-stream';
import { runChecked } from './process-runner';
import { probeMedia } from './probe';

jest.setTimeout(60_000);

/** Counts every connection, so a test can say "nobody came". */
function listener(handler?: Parameters<typeof createServer>[1]) {
  let connections = 0;
  const server = createServer(handler ?? ((_, res) => res.end('x')));
  server.on('connection', () => connections++);
  return {
    server,
    count: () => connections,
    start: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () =>
          r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
  };
}

const close = (s: Server) => {
  s.closeAllConnections();
  return new Promise<void>((r) => s.close(() => r()));
};

describe('probing refuses sources that point elsewhere', () => {
  let dir: string;
  let mp4: string;
  let ts: string;
  // Stands for S3: serves the uploaded files by name, as a presigned URL would.
  const store = listener((req, res) => {
    const file = join(dir, decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]));
    if (!existsSync(file)) return res.writeHead(404).end();
    createReadStream(file).pipe(res);
  });
  // Some other host a playlist would like the API to fetch.
  const victim = listener();
  let storeUrl: string;
  let victimUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'probe-test-'));
    mp4 = await longPatternMp4();
    ts = join(dir, 'local.ts');
    await runChecked(FFMPEG_PATH, ['-v', 'error', '-y', '-t', '4', '-i', mp4, '-c', 'copy', ts]);
    storeUrl = await store.start();
    victimUrl = await victim.start();
    const hls = (entry: string) =>
      `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n${entry}\n#EXT-X-ENDLIST\n`;
    writeFileSync(join(dir, 'file-ts.m3u8'), hls(`file://${ts}`));
    writeFileSync(join(dir, 'file-mp4.m3u8'), hls(`file://${mp4}`));
    writeFileSync(join(dir, 'relative.m3u8'), hls('local.ts'));
    writeFileSync(join(dir, 'victim.m3u8'), hls(`${victimUrl}/segment.ts`));
    writeFileSync(join(dir, 'list.ffconcat'), `ffconcat version 1.0\nfile '${mp4}'\n`);
    writeFileSync(
      join(dir, 'victim.ffconcat'),
      `ffconcat version 1.0\nfile '${victimUrl}/a.mp4'\n`,
    );
    writeFileSync(
      join(dir, 'victim.mpd'),
      `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet><Representation id="1" bandwidth="1000"><BaseURL>${victimUrl}/a.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>`,
    );
  });
  afterAll(async () => {
    await Promise.all([close(store.server), close(victim.server)]);
    rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    'file-ts.m3u8',
    'file-mp4.m3u8',
    'relative.m3u8',
    'victim.m3u8',
    'list.ffconcat',
    'victim.ffconcat',
    'victim.mpd',
  ];
  // This ffprobe does not detect a DASH manifest at all: refused as unreadable, which is as safe.
  const refusal = (name: string) =>
    name.endsWith('.mpd') ? /unsupported container|not a readable/ : /unsupported container/;

  it.each(cases)('%s through a presigned-style URL: 422 unsupported container', async (name) => {
    const err = await probeMedia(`${storeUrl}/${name}`).catch((e: Error) => e);
    expect(victim.count()).toBe(0);
    expect(isBadInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(refusal(name));
  });

  it.each(cases)('%s as a local path: unsupported container, nothing else read', async (name) => {
    const err = await probeMedia(join(dir, name)).catch((e: Error) => e);
    expect(victim.count()).toBe(0);
    expect(isBadInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(refusal(name));
  });

  it('still probes a real container through the URL, and names its demuxer', async () => {
    const copy = join(dir, 'real.mp4');
    writeFileSync(copy, await import('node:fs').then((fs) => fs.readFileSync(mp4)));
    const info = await probeMedia(`${storeUrl}/real.mp4`);
    expect(info.formatName).toMatch(/^mov,/);
    expect(safeInputArgs(`${storeUrl}/real.mp4`, info.formatName)).toEqual([
      '-protocol_whitelist',
      'http,tcp',
      '-format_whitelist',
      expect.stringContaining('mov'),
      '-f',
      'mov',
    ]);
  });

  it('decodes a source only with the demuxer the probe accepted', async () => {
    // A playlist renamed to look like the probed mp4 gets no second chance at detection.
    const read = async () => {
      for await (const _ of pcmFloat32Stream(`${storeUrl}/victim.m3u8`, { formatName: 'mov' }));
    };
    await expect(read()).rejects.toThrow(/ffmpeg could not decode the audio/);
    expect(victim.count()).toBe(0);
  });

  it.each(['file-ts.m3u8', 'relative.m3u8', 'victim.m3u8', 'list.ffconcat'])(
    'a stage lib given %s without a probed format still reads nothing through it',
    async (name) => {
      let samples = 0;
      const read = async () => {
        for await (const pcm of pcmFloat32Stream(`${storeUrl}/${name}`)) samples += pcm.length;
      };
      await expect(read()).rejects.toThrow(/ffmpeg could not decode the audio/);
      expect(samples).toBe(0);
      expect(victim.count()).toBe(0);
    },
  );

  it('limits protocols to the scheme of the input itself', () => {
    expect(inputProtocols('https://s3.example/b/k?X-Amz-Signature=1')).toBe('https,tls,tcp');
    expect(inputProtocols('http://127.0.0.1:9000/b/k')).toBe('http,tcp');
    expect(inputProtocols('/tmp/clip.mp4')).toBe('file');
    expect(inputProtocols('file:///tmp/clip.mp4')).toBe('file');
    for (const bad of [
      'data:;base64,AAAA',
      'subfile,,0,10,:/etc/passwd',
      'concat:a|b',
      'tcp://x:1',
    ])
      expect(() => inputProtocols(bad)).toThrow(UnsafeInputError);
  });
});
