// onnxruntime-node builds its output tensors from typed arrays of Node's own
// realm, while jest runs each test file in a separate vm realm whose
// Float32Array fails onnxruntime-common's `instanceof` check. Sharing the
// host's typed-array constructors makes both sides agree.
// jest loads environments as CommonJS (eslint.config.mjs lints test/**/*.js as such).
const { TestEnvironment } = require('jest-environment-node');

const TYPED = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
  'ArrayBuffer',
];

class NativeArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED) this.global[name] = globalThis[name];
  }
}

module.exports = NativeArraysEnvironment;
