import { redactSecrets } from './redact-secrets';

const SIGNED =
  'http://127.0.0.1:41877/clipline/jobs/5f1c/source.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
  '&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=S3RVER%2F20250101%2Fus-east-1%2Fs3%2Faws4_request' +
  '&X-Amz-Date=20250101T000000Z&X-Amz-Expires=21600&X-Amz-Signature=9a8b7c6d5e4f3a2b1c0d&X-Amz-SignedHeaders=host';

describe('redactSecrets', () => {
  it('replaces a presigned URL in an ffmpeg error and keeps what the server said', () => {
    const text = `ffmpeg exited with code 1: [https @ 0x55d0c8a4] HTTP error 403 Forbidden\n${SIGNED}: Server returned 403 Forbidden (access denied)`;
    const out = redactSecrets(text);
    expect(out).toBe(
      'ffmpeg exited with code 1: [https @ 0x55d0c8a4] HTTP error 403 Forbidden\n<url>: Server returned 403 Forbidden (access denied)',
    );
  });

  it('removes a signed query string even without its scheme, and stray X-Amz parameters', () => {
    const out = redactSecrets(
      `GET bucket/jobs/1/source.mp4${SIGNED.slice(SIGNED.indexOf('?'))} failed; X-Amz-Security-Token=abc123&x=1`,
    );
    expect(out).not.toMatch(/Signature=9a8b|S3RVER|abc123/);
    expect(out).toContain('bucket/jobs/1/source.mp4?<redacted> failed');
    expect(out).toContain('X-Amz-Security-Token=<redacted>&x=1');
  });

  it('shortens server paths to their file name', () => {
    const out = redactSecrets(
      "Error opening output /tmp/clipline-Xc81/render/clip.mp4: No space left on device; model '/work/shared/models/vad.onnx' missing",
    );
    expect(out).toBe(
      "Error opening output <path>/clip.mp4: No space left on device; model '<path>/vad.onnx' missing",
    );
  });

  it('redacts command lines with the binary in node_modules and work files', () => {
    const cmd = `/work/main/node_modules/@ffmpeg-installer/linux-x64/ffmpeg -v error -i '${SIGNED}' -ss 10 -t 8 /tmp/clipline-work-1/a.wav`;
    expect(redactSecrets(cmd)).toBe("<path>/ffmpeg -v error -i '<url>' -ss 10 -t 8 <path>/a.wav");
  });

  it('redacts stack frames and file URLs', () => {
    const out = redactSecrets(
      'TypeError: x is undefined\n    at render (/work/wt-a/dist/libs/rendering/src/render.js:10:5)\n    at file:///work/wt-a/x.mjs:1:1',
    );
    expect(out).not.toMatch(/\/work\//);
    expect(out).toContain('at render (<path>/render.js');
    expect(out).toContain('at <url>');
  });

  it('leaves ordinary messages alone', () => {
    const msg = 'not a media file: moov atom not found; aspect 9/16 at 1:1 (attempt 2/4)';
    expect(redactSecrets(msg)).toBe(msg);
    expect(redactSecrets(null)).toBeNull();
  });
});
