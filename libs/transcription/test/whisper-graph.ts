import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A Whisper-shaped model small enough to build in a test: the same files,
 * names, shapes and tokenizer layout as the onnx-community whisper-base.en
 * export, with a decoder that is a next-token table, so greedy decoding
 * follows a path the test chose. No onnx builder is installed, hence the
 * few protobuf helpers below (field numbers from onnx.proto).
 */

/** GPT-2 byte-level spelling: "Ġ" is a leading space. */
export const TEXT_TOKENS = ['ĠHello', 'Ġworld', '.', 'ĠSecond', 'Ġline', '!', 'Ġghost', 'Ġla'];
/** In Whisper's order: the engine takes ids between these as forbidden and the next as the first timestamp. */
export const SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|startoftranscript|>',
  '<|en|>',
  '<|transcribe|>',
  '<|notimestamps|>',
];
const TIMESTAMPS = 1501;
export const VOCAB_SIZE = TEXT_TOKENS.length + SPECIAL_TOKENS.length + TIMESTAMPS;
export const ts = (sec: number): string => `<|${sec.toFixed(2)}|>`;

/** What the decoder scores highest after a token. */
export interface NextToken {
  next: string;
  /** Scored above `next`: a Whisper decoding rule has to rule it out for `next` to win. */
  trap?: string;
}
export type TokenTable = Record<string, NextToken>;

export const NEXT_LOGIT = 10;
export const TRAP_LOGIT = 12;

const tokenIds = new Map<string, number>(
  [
    ...TEXT_TOKENS,
    ...SPECIAL_TOKENS,
    ...Array.from({ length: TIMESTAMPS }, (_, k) => ts(k * 0.02)),
  ].map((t, i) => [t, i]),
);

export function tokenId(token: string): number {
  const id = tokenIds.get(token);
  if (id === undefined) throw new Error(`not in the test vocabulary: ${token}`);
  return id;
}

const tokenNames = new Map([...tokenIds].map(([t, id]) => [id, t]));
export const tokenName = (id: number): string => tokenNames.get(id) ?? `#${id}`;

// --- protobuf wire format (varint 0, 32-bit 5, length-delimited 2) ---
function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return Buffer.from(out);
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, n: number) => Buffer.concat([key(field, 0), varint(n)]);
const float = (field: number, f: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(f);
  return Buffer.concat([key(field, 5), b]);
};
function bytes(field: number, data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([key(field, 2), varint(b.length), b]);
}
const msg = (field: number, parts: Buffer[]) => bytes(field, Buffer.concat(parts));
const packed = (field: number, ns: number[]) => bytes(field, Buffer.concat(ns.map(varint)));

const FLOAT = 1;
const INT64 = 7;

function tensor(name: string, dims: number[], data: Float32Array | BigInt64Array): Buffer {
  // raw_data is little-endian, as typed arrays are on every platform this runs on.
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([
    packed(1, dims),
    int(2, data instanceof Float32Array ? FLOAT : INT64),
    bytes(8, name),
    bytes(9, raw),
  ]);
}

type Attr = { name: string } & ({ int: number } | { ints: number[] } | { float: number });
function attribute(a: Attr): Buffer {
  if ('int' in a) return Buffer.concat([bytes(1, a.name), int(3, a.int), int(20, 2)]);
  if ('ints' in a) return Buffer.concat([bytes(1, a.name), packed(8, a.ints), int(20, 7)]);
  return Buffer.concat([bytes(1, a.name), float(2, a.float), int(20, 1)]);
}

function node(op: string, inputs: string[], output: string, attrs: Attr[] = []): Buffer {
  return Buffer.concat([
    ...inputs.map((i) => bytes(1, i)),
    bytes(2, output),
    bytes(3, `${op}_${output}`),
    bytes(4, op),
    ...attrs.map((a) => msg(5, [attribute(a)])),
  ]);
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): Buffer {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : bytes(2, d)]));
  return Buffer.concat([bytes(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}

interface Graph {
  nodes: Buffer[];
  initializers: Buffer[];
  inputs: Buffer[];
  outputs: Buffer[];
}

function model(name: string, g: Graph): Buffer {
  const graph = [
    ...g.nodes.map((n) => msg(1, [n])),
    bytes(2, name),
    ...g.initializers.map((t) => msg(5, [t])),
    ...g.inputs.map((v) => msg(11, [v])),
    ...g.outputs.map((v) => msg(12, [v])),
  ];
  // ir_version 8 with opset 17: ReduceMean still takes `axes` as an attribute there.
  return Buffer.concat([
    int(1, 8),
    msg(8, [bytes(1, ''), int(2, 17)]),
    bytes(2, 'clipline-test'),
    msg(7, graph),
  ]);
}

const int64s = (ns: number[]) => BigInt64Array.from(ns.map(BigInt));

/** Mel frames -> [1,1500,D]: keeps Whisper's 2:1 time reduction by slicing, not convolving. */
function encoder(hidden: number): Buffer {
  const w = Float32Array.from({ length: 80 * hidden }, (_, i) => ((i % 7) - 3) * 0.01);
  return model('encoder', {
    nodes: [
      node('Transpose', ['input_features'], 'frames', [{ name: 'perm', ints: [0, 2, 1] }]),
      node('Slice', ['frames', 'starts', 'ends', 'axes'], 'kept'),
      node('MatMul', ['kept', 'w'], 'last_hidden_state'),
    ],
    initializers: [
      tensor('starts', [1], int64s([0])),
      tensor('ends', [1], int64s([1500])),
      tensor('axes', [1], int64s([1])),
      tensor('w', [80, hidden], w),
    ],
    inputs: [valueInfo('input_features', FLOAT, [1, 80, 3000])],
    outputs: [valueInfo('last_hidden_state', FLOAT, [1, 1500, hidden])],
  });
}

/**
 * logits = table[input_ids] + mean(encoder_hidden_states) * 0.001. The
 * encoder term shifts a whole row by the same amount, so it changes neither
 * the argmax nor the softmax, yet the encoder output must really flow in.
 */
function decoder(table: TokenTable, hidden: number): Buffer {
  const v = VOCAB_SIZE;
  const logits = new Float32Array(v * v);
  const eot = tokenId('<|endoftext|>');
  // Rows the table does not name end the transcript, so a wrong turn shows up as a short one.
  for (let r = 0; r < v; r++) logits[r * v + eot] = NEXT_LOGIT;
  for (const [from, { next, trap }] of Object.entries(table)) {
    const row = tokenId(from) * v;
    logits.fill(0, row, row + v);
    logits[row + tokenId(next)] = NEXT_LOGIT;
    if (trap) logits[row + tokenId(trap)] = TRAP_LOGIT;
  }
  return model('decoder', {
    nodes: [
      node('Gather', ['table', 'input_ids'], 'rows', [{ name: 'axis', int: 0 }]),
      node('ReduceMean', ['encoder_hidden_states'], 'mean', [{ name: 'axes', ints: [1, 2] }]),
      node('Mul', ['mean', 'scale'], 'shift'),
      node('Add', ['rows', 'shift'], 'logits'),
    ],
    initializers: [tensor('table', [v, v], logits), tensor('scale', [], Float32Array.of(0.001))],
    inputs: [
      valueInfo('input_ids', INT64, [1, 'decoder_sequence_length']),
      valueInfo('encoder_hidden_states', FLOAT, [1, 1500, hidden]),
    ],
    outputs: [valueInfo('logits', FLOAT, [1, 'decoder_sequence_length', v])],
  });
}

function tokenizer(): string {
  const n = TEXT_TOKENS.length;
  return JSON.stringify({
    model: { vocab: Object.fromEntries(TEXT_TOKENS.map((t, i) => [t, i])) },
    added_tokens: [...tokenIds]
      .filter(([, id]) => id >= n)
      .map(([content, id]) => ({ id, content, special: true })),
  });
}

/** Writes `<modelDir>/whisper-base.en/{encoder_model.onnx,decoder_model.onnx,tokenizer.json}`. */
export function writeWhisperModel(modelDir: string, table: TokenTable, hidden = 4): void {
  const dir = join(modelDir, 'whisper-base.en');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'encoder_model.onnx'), encoder(hidden));
  writeFileSync(join(dir, 'decoder_model.onnx'), decoder(table, hidden));
  writeFileSync(join(dir, 'tokenizer.json'), tokenizer());
}
