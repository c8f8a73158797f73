import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { crc32c, maskCrc, unmaskCrc } from '../src/report/tensorboard/crc32c';
import { encodeEvent } from '../src/report/tensorboard/event';
import { tensorBoardLogger, writeTensorBoardFromMetrics } from '../src/report/tensorboard/training-logger';
import { tfRecord } from '../src/report/tensorboard/tfrecord';
import { MetricsLog, MetricsRecord } from '../src/train/metrics-log';
import { resolveRunConfig } from '../src/trained-network/run-config';
import { createRunFolder } from '../src/trained-network/run-folder';
import { tempDir } from './imgclass-fixtures';

// The messages as tensorflow/core/util/event.proto and framework/summary.proto define them,
// decoded by protobufjs: an implementation independent of the hand-written encoder.
const EVENT_PROTO = `
syntax = "proto3";
message SummaryValue { string tag = 1; float simple_value = 2; }
message Summary { repeated SummaryValue value = 1; }
message SessionLog { enum Status { UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; } Status status = 1; }
message Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; SessionLog session_log = 6; } }
`;
const Event = protobuf.parse(EVENT_PROTO).root.lookupType('Event');

interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: { value: { tag: string; simpleValue: number }[] };
  sessionLog?: { status: string };
}

/** Reads a TFRecord file, checking both masked CRCs of every record, as TensorBoard's reader does. */
function readRecords(file: string): Buffer[] {
  const bytes = readFileSync(file);
  const records: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const header = bytes.subarray(at, at + 8);
    const length = Number(header.readBigUInt64LE(0));
    assert.equal(bytes.readUInt32LE(at + 8), maskCrc(crc32c(header)), `length CRC at byte ${at}`);
    const data = bytes.subarray(at + 12, at + 12 + length);
    assert.equal(bytes.readUInt32LE(at + 12 + length), maskCrc(crc32c(data)), `data CRC at byte ${at}`);
    records.push(data);
    at += 16 + length;
  }
  return records;
}

function readEvents(file: string): DecodedEvent[] {
  return readRecords(file).map(
    (r) => Event.toObject(Event.decode(r), { longs: Number, enums: String, defaults: false }) as unknown as DecodedEvent,
  );
}

function eventFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('events.out.tfevents.'))
    .map((f) => path.join(dir, f));
}

/** {tag: [[step, value]...]} of all scalar events. */
function scalars(events: DecodedEvent[]): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const e of events) for (const v of e.summary?.value ?? []) (out[v.tag] ??= []).push([e.step, v.simpleValue]);
  return out;
}

describe('CRC-32C', () => {
  it('matches the standard check value and the RFC 3720 (iSCSI) test vectors', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('masks as TFRecord does: rotate right 15, add 0xa282ead8', () => {
    assert.equal(maskCrc(0), 0xa282ead8);
    assert.equal(maskCrc(0x8000), (1 + 0xa282ead8) >>> 0);
    assert.equal(maskCrc(1), ((1 << 17) + 0xa282ead8) >>> 0);
    for (const crc of [0, 1, 0xe3069283, 0xffffffff, 0x12345678]) assert.equal(unmaskCrc(maskCrc(crc)), crc);
  });
});

describe('TFRecord framing and Event encoding', () => {
  it('frames a record as length, masked CRC of the length, data, masked CRC of the data', () => {
    const framed = tfRecord(Buffer.from('abc'));
    assert.equal(framed.length, 8 + 4 + 3 + 4);
    assert.deepEqual([...framed.subarray(0, 8)], [3, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(framed.readUInt32LE(8), maskCrc(crc32c(framed.subarray(0, 8))));
    assert.equal(framed.subarray(12, 15).toString(), 'abc');
    assert.equal(framed.readUInt32LE(15), maskCrc(crc32c(Buffer.from('abc'))));
  });

  it('encodes the file-version event byte for byte as the protobuf wire format defines it', () => {
    const bytes = encodeEvent(1.5, 3, { kind: 'file-version' });
    const expected = Buffer.concat([
      Buffer.from([0x09]), // field 1 (wall_time), 64-bit
      Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x3f]), // 1.5 as a little-endian double
      Buffer.from([0x10, 0x03]), // field 2 (step), varint 3
      Buffer.from([0x1a, 13]), // field 3 (file_version), 13 bytes
      Buffer.from('brain.Event:2'),
    ]);
    assert.deepEqual(bytes, expected);
  });

  it('decodes back (with protobufjs) to the scalars and steps written, large steps included', () => {
    const bytes = encodeEvent(1700000000.25, 300000, { kind: 'scalars', values: { loss: 0.6931, accuracy: 0.5 } });
    const e = Event.toObject(Event.decode(bytes), { longs: Number }) as unknown as DecodedEvent;
    assert.equal(e.wallTime, 1700000000.25);
    assert.equal(e.step, 300000);
    assert.deepEqual(e.summary?.value.map((v) => v.tag), ['loss', 'accuracy']);
    assert.ok(Math.abs((e.summary?.value[0].simpleValue ?? 0) - 0.6931) < 1e-6);
    assert.equal(e.summary?.value[1].simpleValue, 0.5);
  });
});

describe('train --tensorboard', () => {
  const train = (step: number, loss: number): MetricsRecord => ({ split: 'train', step, epoch: 1, loss, accuracy: 1 - loss, lr: 1e-3, imagesPerSecond: 250, seconds: step });
  const validation = (step: number, accuracy: number): MetricsRecord => ({ ...train(step, 0.3), split: 'validation', accuracy, imagesPerSecond: null });

  it('writes training and validation scalars into sibling event files that read back whole', () => {
    const runDir = tempDir();
    const logger = tensorBoardLogger();
    logger.onEvent({ type: 'start', runDir, config: resolveRunConfig({ train: 'x' }), params: 1, totalSteps: 20, stepsPerEpoch: 10, epochs: 2, resumedFrom: null });
    logger.onEvent({ type: 'log', record: train(5, 0.6) });
    logger.onEvent({ type: 'log', record: train(10, 0.4) });
    logger.onEvent({ type: 'validation', record: validation(10, 0.75), best: true });
    logger.close();
    const [trainFile] = eventFiles(path.join(runDir, 'tensorboard', 'train'));
    const [validationFile] = eventFiles(path.join(runDir, 'tensorboard', 'validation'));
    const trainEvents = readEvents(trainFile);
    assert.equal(trainEvents[0].fileVersion, 'brain.Event:2', 'the file starts with its version');
    const t = scalars(trainEvents);
    assert.deepEqual(t.loss.map(([s, v]) => [s, Number(v.toFixed(5))]), [[5, 0.6], [10, 0.4]]);
    assert.deepEqual(t.images_per_second, [[5, 250], [10, 250]]);
    assert.equal(t.learning_rate.length, 2);
    assert.deepEqual(scalars(readEvents(validationFile)).accuracy, [[10, 0.75]]);
    assert.ok(trainEvents.every((e) => Math.abs(e.wallTime - Date.now() / 1000) < 60), 'wall times are now, in seconds');
  });

  it('tells TensorBoard to drop steps after the checkpoint when a run resumes', () => {
    const runDir = tempDir();
    const logger = tensorBoardLogger();
    logger.onEvent({ type: 'start', runDir, config: resolveRunConfig({ train: 'x' }), params: 1, totalSteps: 20, stepsPerEpoch: 10, epochs: 2, resumedFrom: 10 });
    logger.onEvent({ type: 'log', record: train(15, 0.2) });
    logger.close();
    const events = readEvents(eventFiles(path.join(runDir, 'tensorboard', 'train'))[0]);
    assert.deepEqual(events[1], { wallTime: events[1].wallTime, step: 11, sessionLog: { status: 'START' } });
    assert.deepEqual(scalars(events).loss.map(([s]) => s), [15]);
  });

  it('converts a finished run’s metrics.jsonl (report --tensorboard)', async () => {
    const runDir = tempDir();
    await createRunFolder(runDir, resolveRunConfig({ train: 'x', seed: 1 }), ['a', 'b']);
    const log = new MetricsLog(runDir);
    await log.create();
    for (const r of [train(50, 0.5), train(100, 0.25), validation(100, 0.8)]) await log.append(r);
    const dir = await writeTensorBoardFromMetrics(runDir);
    const t = scalars(readEvents(eventFiles(path.join(dir, 'train'))[0]));
    assert.deepEqual(t.loss, [[50, 0.5], [100, 0.25]]);
    assert.deepEqual(scalars(readEvents(eventFiles(path.join(dir, 'validation'))[0])).accuracy.map(([s, v]) => [s, Number(v.toFixed(5))]), [[100, 0.8]]);
  });
});
