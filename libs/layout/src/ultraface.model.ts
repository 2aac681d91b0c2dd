import type { ModelFile } from '@clipline/media';

const COMMIT = 'dffdddda9794a50607cba8f318507a28c1c27cab';

/** UltraFace RFB-320 (MIT), pinned to one upstream commit and checked by sha256. */
export const ULTRAFACE_MODEL: ModelFile = {
  path: 'ultraface/version-RFB-320.onnx',
  sha256: '34cd7e60aeff28744c657de7a3dc64e872d506741de66987f3426f2b79f88017',
  bytes: 1270727,
  url: `https://raw.githubusercontent.com/Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB/${COMMIT}/models/onnx/version-RFB-320.onnx`,
  licence: 'MIT',
};

export const ULTRAFACE_INPUT = { width: 320, height: 240 } as const;
