import type { TestProject } from 'vitest/node';
import { createTestDatabase } from './database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** One throwaway database per run, migrations applied once; files reset the tables they use. */
export default async function setup(project: TestProject) {
  const database = await createTestDatabase('facesift_test');
  project.provide('databaseUrl', database.url);
  return () => database.drop();
}
