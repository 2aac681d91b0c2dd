/**
 * 16-bit little-endian PCM, as pocketsphinx and WAV files want it. `dither`
 * adds about one LSB of deterministic noise: pocketsphinx's energy features
 * and noise tracking go wrong on runs of exact digital zero.
 */
export function floatToInt16(pcm: Float32Array, dither = false): Buffer {
  const out = Buffer.alloc(pcm.length * 2);
  let seed = 0x2545f491;
  for (let i = 0; i < pcm.length; i++) {
    const v = Math.max(-1, Math.min(1, pcm[i]));
    let s = v < 0 ? v * 0x8000 : v * 0x7fff;
    if (dither) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      s += (seed / 0x100000000 - 0.5) * 2;
    }
    out.writeInt16LE(Math.max(-0x8000, Math.min(0x7fff, Math.round(s))), i * 2);
  }
  return out;
}

/** A mono 16-bit WAV file in memory (a chunk is at most ~2 MB). */
export function wavBytes(pcm: Float32Array, sampleRate: number): Buffer {
  const data = floatToInt16(pcm);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
