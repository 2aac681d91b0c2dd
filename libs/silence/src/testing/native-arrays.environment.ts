// onnxruntime-node builds its output tensors from typed arrays of Node's own
// realm, while jest runs each test file in a separate vm realm whose
// Float32Array fails onnxruntime-common's `instanceof` check. Sharing the
// host's typed-array constructors makes both sides agree.
import { TestEnvironment } from 'jest-environment-node';

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
] as const;

export default class NativeArraysEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    const g = this.global as unknown as Record<string, unknown>;
    for (const name of TYPED) g[name] = globalThis[name];
  }
}
