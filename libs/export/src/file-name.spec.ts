import { safeFileName } from './file-name';

describe('safeFileName', () => {
  it.each([
    ['my talk.mp4', 'fcpxml', 'my_talk.fcpxml'],
    ['../../etc/passwd', 'edl', 'etc_passwd.edl'],
    ['a"; filename=evil.sh\r\nX-Header: 1.mov', 'xml', 'a_filename_evil.sh_X-Header_1.xml'],
    ['Über Café.MP4', 'otio', 'Uber_Cafe.otio'],
    ['a <b> - c.mp4', 'otio', 'a_b-c.otio'],
    ['.hidden', 'edl', 'hidden.edl'],
    ['', 'edl', 'clip.edl'],
    [null, 'srt', 'clip.srt'],
    ['日本語.mp4', 'srt', 'clip.srt'],
    ['x'.repeat(300) + '.mp4', 'edl', 'x'.repeat(80) + '.edl'],
  ])('%j -> %s', (input, ext, want) => {
    const name = safeFileName(input, ext);
    expect(name).toBe(want);
    expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  });
});
