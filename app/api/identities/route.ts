// GET /api/identities?q=<prefix>&limit= – current people whose folder name starts with q, for pickers
import { route } from '@/lib/http';
import { identitiesRepository } from '@/lib/repositories/identities';
import { listIdentitiesSchema } from '@/lib/schemas/identities';

export const GET = route({ role: 'curator', query: listIdentitiesSchema }, async ({ query }) => ({
  items: await identitiesRepository.search(query.q, query.limit),
}));
