// GET /api/pairs – candidate image pairs: filters kind, status, identity, min/maxSimilarity; sort; keyset cursor
import { route } from '@/lib/http';
import { listPairsSchema } from '@/lib/schemas/candidates';
import { listPairs } from '@/lib/services/candidates';

export const GET = route({ role: 'curator', query: listPairsSchema }, ({ query }) => listPairs(query));
