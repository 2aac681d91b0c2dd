import { probeMedia } from '@clipline/media';
import { transcribe } from '@clipline/transcription';
import { buildSpeech, TALK_SENTENCES } from '../fixtures/speech.fixture';
(async () => {
  const speech = await buildSpeech({ sentences: TALK_SENTENCES.slice(0, 8), pauses: [0.9, 1.4, 0.8, 2.0, 1.0, 1.2, 0.9, 1.0] });
  const m = await probeMedia(speech.wavPath);
  for (const args of [undefined, []]) {
    const r = await transcribe(speech.wavPath, m, { engine: 'pocketsphinx', language: 'en', chunkSeconds: Number(process.argv[2]), pocketsphinxArgs: args });
    for (const s of speech.truth.sentences) {
      console.log(s.text, '|', r.words.filter((w) => (w.start + w.end) / 2 >= s.start - 0.2 && (w.start + w.end) / 2 <= s.end + 0.2).map((w) => w.text).join(' '));
    }
  }
})();
