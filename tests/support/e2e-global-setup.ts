import type { TestProject } from 'vitest/node';
import { startInstance } from './e2e-instance';

export { cli } from './e2e-instance';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    e2eDatabaseUrl: string;
    e2eHome: string;
    servePid: number;
  }
}

/**
 * The instance shared by the test files that only read what it holds (signing in, the API's guards, public
 * files). Files whose tests change its data start their own (useOwnInstance in ./e2e-instance).
 */
export default async function setup(project: TestProject) {
  const shared = await startInstance();
  project.provide('baseUrl', shared.baseUrl);
  project.provide('e2eDatabaseUrl', shared.databaseUrl);
  project.provide('e2eHome', shared.home);
  project.provide('servePid', shared.servePid);
  return () => shared.stop();
}
