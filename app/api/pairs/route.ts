// GET /api/pairs – candidate image pairs: filters kind, status, identity, min/maxSimilarity; sort; keyset cursor
import { route } from '@/lib/http';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { listPairsSchema } from '@/lib/schemas/candidates';

export const GET = route({ role: 'curator', query: listPairsSchema }, ({ query }) => candidatesRepository.listPairs(query));
