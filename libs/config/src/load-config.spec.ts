import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies defaults and converts types', () => {
    const cfg = loadConfig({ PORT: '8080', S3_FORCE_PATH_STYLE: 'false' });
    expect(cfg.PORT).toBe(8080);
    expect(cfg.S3_FORCE_PATH_STYLE).toBe(false);
    expect(cfg.TRANSCRIPTION_ENGINE).toBe('pocketsphinx');
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => loadConfig({ TRANSCRIPTION_ENGINE: 'magic' })).toThrow(/TRANSCRIPTION_ENGINE/);
    expect(() => loadConfig({ S3_ENDPOINT: 'not a url' })).toThrow(/S3_ENDPOINT/);
  });
});
