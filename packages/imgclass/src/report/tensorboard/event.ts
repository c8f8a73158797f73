import { ProtobufWriter } from './protobuf-writer';

/** Field numbers of tensorflow/core/util/event.proto and framework/summary.proto. */
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5, sessionLog: 6 };
const SUMMARY = { value: 1 };
const SUMMARY_VALUE = { tag: 1, simpleValue: 2 };
const SESSION_LOG = { status: 1 };
const SESSION_LOG_START = 1;

/** The first event of every file; TensorBoard checks it. */
export const FILE_VERSION = 'brain.Event:2';

export type EventContent =
  | { kind: 'file-version' }
  | { kind: 'scalars'; values: Record<string, number> }
  /** Tells TensorBoard to drop what a previous session logged after `step` (a resumed run logs those steps again). */
  | { kind: 'session-start' };

export function encodeEvent(wallTimeSeconds: number, step: number, content: EventContent): Buffer {
  const w = new ProtobufWriter().double(EVENT.wallTime, wallTimeSeconds).int64(EVENT.step, step);
  switch (content.kind) {
    case 'file-version':
      w.string(EVENT.fileVersion, FILE_VERSION);
      break;
    case 'scalars':
      // simple_value scalars: what tf.summary.FileWriter (the seed's) writes; TensorBoard reads them as scalars.
      w.message(EVENT.summary, (summary) => {
        for (const [tag, value] of Object.entries(content.values)) {
          summary.message(SUMMARY.value, (v) => v.string(SUMMARY_VALUE.tag, tag).float(SUMMARY_VALUE.simpleValue, value));
        }
      });
      break;
    case 'session-start':
      w.message(EVENT.sessionLog, (log) => log.uint64(SESSION_LOG.status, SESSION_LOG_START));
      break;
  }
  return w.finish();
}
