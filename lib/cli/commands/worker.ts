import { startWorker } from '@/workers/worker';
import { jobHandlers } from '@/workers/handlers';
import { log } from '@/lib/cli/command';

export async function workerCommand(): Promise<number | void> {
  const worker = await startWorker(jobHandlers, log);
  await new Promise<void>((resolve) => {
    const drain = () => void worker.drain().then(resolve);
    process.once('SIGTERM', drain);
    process.once('SIGINT', drain);
  });
}
