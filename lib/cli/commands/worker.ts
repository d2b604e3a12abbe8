import { startWorker } from '@/workers/worker';
import { jobHandlers } from '@/workers/handlers';
import { log, type Command } from '@/lib/cli/command';

export const workerCommand: Command = {
  name: 'worker',
  usage: 'worker',
  summary: 'claim and run queued jobs (scans, searches); SIGTERM finishes the running job first',
  async run() {
    const worker = await startWorker(jobHandlers, log);
    await new Promise<void>((resolve) => {
      const drain = () => void worker.drain().then(resolve);
      process.once('SIGTERM', drain);
      process.once('SIGINT', drain);
    });
  },
};
