import { prepareDatabase } from '@/lib/db/connection';
import { listIdentityPairsSchema, listOutliersSchema, listPairsSchema } from '@/lib/schemas/candidates';
import { listIdentityPairs, listOutliers, listPairs } from '@/lib/services/candidates';
import { enqueueJob, runJobInline } from '@/lib/services/jobs';
import type { SearchSummary } from '@/lib/services/search';
import { toCsv } from '@/lib/csv';
import { choiceOption, floatOption, intOption, log, type CommandValues } from '@/lib/cli/command';

export async function searchCommand(values: CommandValues): Promise<number | void> {
  const params = {
    threshold: floatOption(values.threshold, 'threshold', -1, 1),
    duplicateThreshold: floatOption(values['duplicate-threshold'], 'duplicate-threshold', -1, 1),
    maxPairs: intOption(values['max-pairs'], 'max-pairs'),
    tileRows: intOption(values['tile-rows'], 'tile-rows'),
  };
  await prepareDatabase();
  if (values.enqueue) {
    process.stdout.write(`${(await enqueueJob('search', params, null)).id}\n`);
    return;
  }
  const summary = (await runJobInline('search', params, log)).result as unknown as SearchSummary;
  log(
    `${summary.crossIdentityPairs} cross-identity pairs (>= ${summary.threshold}), ${summary.nearDuplicates} near-duplicates, ` +
      `${summary.identityPairs} merge suggestions, ${summary.flaggedOutliers} outliers among ${summary.images} images of ${summary.identities} people ` +
      `(search run ${summary.runId}, ${summary.tiles} tiles)`,
  );
}

type Page = { items: object[]; nextCursor: string | null };

/** Every page of a list, for scripts that want all of it (or the first `limit`). */
async function collect(fetchPage: (cursor: string | undefined, limit: number) => Promise<Page>, limit: number | undefined) {
  const items: object[] = [];
  let cursor: string | undefined;
  do {
    const want = Math.min(500, limit === undefined ? 500 : limit - items.length);
    const page = await fetchPage(cursor, want);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && (limit === undefined || items.length < limit));
  return items;
}

const flattenPair = (item: Record<string, unknown>) => {
  const { a, b, ...rest } = item as { a: Record<string, unknown>; b: Record<string, unknown> };
  return { ...rest, aImageId: a.imageId, aIdentity: a.identity, aPath: a.path, bImageId: b.imageId, bIdentity: b.identity, bPath: b.path };
};

export async function candidatesCommand(values: CommandValues): Promise<number | void> {
  const type = choiceOption(values.type, 'type', ['pairs', 'identity-pairs', 'outliers'] as const, 'pairs');
  const status = choiceOption(values.status, 'status', ['open', 'all'] as const, 'open');
  const format = choiceOption(values.format, 'format', ['json', 'csv'] as const, 'json');
  const limit = intOption(values.limit, 'limit');
  await prepareDatabase();
  let items: object[];
  if (type === 'pairs') {
    items = await collect((cursor, n) => listPairs(listPairsSchema.parse({ status, cursor, limit: n })), limit);
  } else if (type === 'identity-pairs') {
    items = await collect((cursor, n) => listIdentityPairs(listIdentityPairsSchema.parse({ status, cursor, limit: n })), limit);
  } else {
    items = await collect((cursor, n) => listOutliers(listOutliersSchema.parse({ status, cursor, limit: n })), limit);
  }
  if (format === 'json') process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
  else process.stdout.write(toCsv(type === 'pairs' ? items.map((item) => flattenPair(item as Record<string, unknown>)) : (items as Record<string, unknown>[])));
}
