import { IMGCLASS_VERSION } from '../version';
import { ConvertedGraph, ONNX_INPUT, ONNX_LOGITS, ONNX_PROBABILITIES } from './onnx-convert';
import { AttributeValue, OnnxInitializer } from './onnx-graph';
import { ATTRIBUTE_TYPE, modelProtoType, ONNX_FLOAT, ONNX_INT64 } from './onnx-schema';

/** Opset 13 (ONNX 1.8) has every operator used here with its current semantics; IR 7 is its IR version. */
export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;

export interface OnnxModelInfo {
  graphName: string;
  docString: string;
  /** Goes to ModelProto.metadata_props (onnxruntime: session.metadata / modelMetadata.customMetadataMap). */
  metadata: Record<string, string>;
}

/** Serializes a converted graph to the bytes of a .onnx file. */
export function encodeOnnxModel(converted: ConvertedGraph, info: OnnxModelInfo): Uint8Array {
  const { graph, inputShape, classes, hasLogits } = converted;
  const tensorType = (dims: (number | string)[]) => ({
    tensor_type: {
      elem_type: ONNX_FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
    },
  });
  const outputs = [ONNX_PROBABILITIES, ...(hasLogits ? [ONNX_LOGITS] : [])];
  const model = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'imgclass',
    producer_version: IMGCLASS_VERSION,
    model_version: 1,
    doc_string: info.docString,
    graph: {
      name: info.graphName,
      node: graph.nodes.map((n) => ({
        name: n.name,
        op_type: n.opType,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes).map(([name, a]) => encodeAttribute(name, a)),
      })),
      initializer: graph.initializers.map(encodeInitializer),
      input: [{ name: ONNX_INPUT, type: tensorType(['batch', ...inputShape]), doc_string: 'NHWC float32, preprocessed as metadata_props describe' }],
      output: outputs.map((name) => ({ name, type: tensorType(['batch', classes]) })),
    },
    metadata_props: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
  };
  const type = modelProtoType();
  const problem = type.verify(model);
  if (problem) throw new Error(`ONNX model does not match the schema: ${problem}`);
  return type.encode(model).finish();
}

function encodeAttribute(name: string, a: AttributeValue) {
  switch (a.type) {
    case 'int':
      return { name, type: ATTRIBUTE_TYPE.int, i: a.value };
    case 'ints':
      return { name, type: ATTRIBUTE_TYPE.ints, ints: a.value };
    case 'float':
      return { name, type: ATTRIBUTE_TYPE.float, f: a.value };
    case 'string':
      return { name, type: ATTRIBUTE_TYPE.string, s: Buffer.from(a.value, 'utf8') };
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** raw_data is little-endian by definition; typed arrays use the machine's byte order, so their bytes are copied as they are. */
function encodeInitializer(init: OnnxInitializer) {
  if (!LITTLE_ENDIAN) throw new Error('ONNX export needs a little-endian machine (raw_data is little-endian)');
  const bytes = new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength);
  return {
    name: init.name,
    dims: init.dims,
    data_type: init.data instanceof Float32Array ? ONNX_FLOAT : ONNX_INT64,
    raw_data: bytes,
  };
}
