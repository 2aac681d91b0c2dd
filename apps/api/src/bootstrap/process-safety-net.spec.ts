import busboy from 'busboy';
import { PassThrough } from 'node:stream';
import { isRequestStreamError, processSafetyNet } from './process-safety-net';

/** The error busboy really gives a file stream whose form ends without its closing boundary. */
function busboyCutOffError(): Promise<Error> {
  return new Promise((resolve) => {
    const bb = busboy({ headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    bb.on('file', (_name, stream) => {
      stream.on('error', resolve);
      stream.resume();
    });
    bb.on('error', () => undefined);
    const body = new PassThrough();
    body.pipe(bb);
    body.end(
      '--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\nsome bytes',
    );
  });
}

describe('process safety net', () => {
  it('logs and survives a request stream error', async () => {
    const err = await busboyCutOffError();
    expect(err.message).toMatch(/Unexpected end of form/);
    const logged: string[] = [];
    const exits: number[] = [];
    const net = processSafetyNet({ error: (m: string) => logged.push(m) }, (c) => exits.push(c));
    net(err);
    net(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(exits).toEqual([]);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/stream error from a client request/);
  });

  it('still exits on anything else', () => {
    const exits: number[] = [];
    const net = processSafetyNet({ error: () => undefined }, (c) => exits.push(c));
    net(new TypeError("Cannot read properties of undefined (reading 'id')"));
    net('a string');
    expect(exits).toEqual([1, 1]);
    expect(isRequestStreamError(new RangeError('Invalid array length'))).toBe(false);
  });
});
