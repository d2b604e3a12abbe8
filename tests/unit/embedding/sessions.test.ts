import { afterEach, describe, expect, it } from 'vitest';
import { createSession, resolveSessionConfig } from '@/lib/embedding/sessions';
import { ensureDefaultModels } from './model-cache';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('inference sessions', () => {
  it('use 2 intra-op threads on the CPU unless configured otherwise', () => {
    delete process.env.FACESIFT_EXECUTION_PROVIDER;
    delete process.env.FACESIFT_INTRA_OP_THREADS;
    expect(resolveSessionConfig()).toEqual({ intraOpThreads: 2, executionProviders: ['cpu'] });
    expect(resolveSessionConfig({ intraOpThreads: 1 })).toEqual({ intraOpThreads: 1, executionProviders: ['cpu'] });
  });

  it('take execution providers from FACESIFT_EXECUTION_PROVIDER, keeping the CPU as the fallback', () => {
    process.env.FACESIFT_EXECUTION_PROVIDER = 'CUDA, tensorrt';
    process.env.FACESIFT_INTRA_OP_THREADS = '4';
    expect(resolveSessionConfig()).toEqual({ intraOpThreads: 4, executionProviders: ['cuda', 'tensorrt', 'cpu'] });
  });

  it('refuse an execution provider name onnxruntime does not know, rather than ignore it', () => {
    process.env.FACESIFT_EXECUTION_PROVIDER = 'cdua';
    expect(() => resolveSessionConfig()).toThrow(/unknown execution provider cdua; this onnxruntime-node knows cpu/);
  });

  it('name the model, the providers and the way back to the CPU when a provider cannot load', async () => {
    const { recogniser } = ensureDefaultModels();
    // This build lists TensorRT but ships without its libraries.
    const config = { intraOpThreads: 2, executionProviders: ['tensorrt', 'cpu'] };
    await expect(createSession(recogniser, config)).rejects.toThrow(
      /cannot load ONNX model .*fr_feature\.onnx \(execution providers: tensorrt, cpu; unset FACESIFT_EXECUTION_PROVIDER/,
    );
  });
});
