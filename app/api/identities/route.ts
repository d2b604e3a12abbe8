// GET /api/identities?q=<prefix>&limit= – current people whose folder name starts with q, for pickers
import { route } from '@/lib/http';
import { listIdentitiesSchema } from '@/lib/schemas/identities';
import { searchIdentities } from '@/lib/services/identities';

export const GET = route({ role: 'curator', query: listIdentitiesSchema }, async ({ query }) => ({
  items: await searchIdentities(query.q, query.limit),
}));
