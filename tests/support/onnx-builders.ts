// Tiny ONNX models, built with onnx-proto, that stand in for recognisers the tests cannot ship.
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface ProbeModelSpec {
  inputName: string;
  outputName: string;
  /** Input dims after the batch dim, e.g. [3, 112, 112] (NCHW) or [112, 112, 3] (NHWC). */
  dims: [number, number, number];
  /** 1 for a model exported with a fixed batch of one, else a symbolic batch dim. */
  batch: 1 | 'N';
}

function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}

function scalar(name: string, value: number) {
  return onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [], floatData: [value] });
}

function node(opType: string, inputs: string[], outputs: string[], attribute: object[] = []) {
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, attribute });
}

/**
 * A model with a recogniser's input signature whose output is its input tensor, flattened, followed by
 * a constant 1: [N, C*H*W + 1]. The embedder L2-normalises outputs; dividing by the last element undoes
 * that, so a test reads back exactly the tensor the embedder fed.
 */
export function buildProbeModel(spec: ProbeModelSpec): Uint8Array {
  const features = spec.dims[0] * spec.dims[1] * spec.dims[2];
  const graph = onnx.GraphProto.create({
    name: 'probe',
    input: [valueInfo(spec.inputName, [spec.batch, ...spec.dims])],
    output: [valueInfo(spec.outputName, [spec.batch, features + 1])],
    initializer: [scalar('zero', 0), scalar('one', 1)],
    node: [
      node('Flatten', [spec.inputName], ['flat'], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
      node(
        'ReduceMean',
        ['flat'],
        ['mean'],
        [
          { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] },
          { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        ],
      ),
      node('Mul', ['mean', 'zero'], ['zeros']),
      node('Add', ['zeros', 'one'], ['ones']),
      node('Concat', ['flat', 'ones'], [spec.outputName], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'facesift-tests',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

export function writeProbeModel(dir: string, fileName: string, spec: ProbeModelSpec): string {
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, buildProbeModel(spec));
  return file;
}

/** The tensor a probe model was fed, from the embedder's (L2-normalised) output. */
export function probeInput(embedding: Float32Array): Float32Array {
  const scale = embedding[embedding.length - 1];
  return embedding.slice(0, -1).map((v) => v / scale);
}
