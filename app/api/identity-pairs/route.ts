// GET /api/identity-pairs – merge suggestions ranked by evidence, keyset-paginated
import { route } from '@/lib/http';
import { listIdentityPairsSchema } from '@/lib/schemas/candidates';
import { listIdentityPairs } from '@/lib/services/candidates';

export const GET = route({ role: 'curator', query: listIdentityPairsSchema }, ({ query }) => listIdentityPairs(query));
